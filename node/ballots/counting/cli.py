"""The ``commonground tally`` command: count a BLT file from the shell.

Only click and the counting package are imported, so the command starts fast and
can be run on a laptop away from the web app (e.g. by a scrutineer checking a
published result).
"""

from __future__ import annotations

import click

from . import METHODS, BltError, count, read_blt
from .result import CountResult


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.5f}".rstrip("0").rstrip(".")
    return str(value)


def render_table(result: CountResult) -> str:
    """Elected list plus a candidates x rounds table."""
    lines = ["Elected (in order of election):"]
    lines += [f"  {i}. {name}" for i, name in enumerate(result.elected, 1)]
    rounds = result.rounds
    if not rounds:
        return "\n".join(lines)
    names = list(rounds[0]["votes"])
    labels = names + ["Exhausted"]
    if any("loss" in r for r in rounds):
        labels.append("Loss (truncation)")
    labels.append("Quota")

    def cell(row: dict, label: str) -> str:
        if label == "Exhausted":
            return _fmt(row.get("exhausted"))
        if label == "Loss (truncation)":
            return _fmt(row.get("loss"))
        if label == "Quota":
            return _fmt(row.get("quota"))
        return _fmt(row["votes"].get(label))

    width = max(len(label) for label in labels)
    header = ["Round".ljust(width)] + [str(r["round"]).rjust(12) for r in rounds]
    lines += ["", " ".join(header)]
    for label in labels:
        lines.append(" ".join([label.ljust(width)] + [cell(r, label).rjust(12) for r in rounds]))
    lines.append("")
    for r in rounds:
        act = r.get("action", {})
        parts = []
        if act.get("surplus_of"):
            parts.append(f"surplus of {act['surplus_of']} transferred")
        if act.get("excluded"):
            parts.append(f"{act['excluded']} excluded")
        if act.get("elected"):
            parts.append("elected: " + ", ".join(act["elected"]))
        for tb in r.get("tiebreaks", []):
            parts.append(f"tie ({tb['purpose']}) settled by {tb['rule']}: {tb['chosen']}")
        lines.append(f"Round {r['round']}: " + ("; ".join(parts) or "-"))
    return "\n".join(lines)


@click.command("tally")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--method", type=click.Choice(METHODS), required=True, help="Counting method.")
@click.option(
    "--seats", type=click.IntRange(min=1), default=None, help="Seats (default: from file)."
)
@click.option("--json", "as_json", is_flag=True, help='Print {"elected": [...], "rounds": [...]}.')
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed for ties settled by lot."
)
def tally(file: str, method: str, seats: int | None, as_json: bool, seed: int) -> None:
    """Count the ballots in FILE.blt and print the result."""
    try:
        with click.open_file(file, encoding="utf-8-sig") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise click.ClickException(f"cannot read {file}: {reason}") from None
    try:
        election = read_blt(text)
        result = count(election, method, seats=seats, seed=seed)
    except BltError as exc:
        raise click.ClickException(f"line {exc.line}: {exc.message}") from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        import json

        click.echo(json.dumps(result.to_json()))
    else:
        click.echo(render_table(result))
