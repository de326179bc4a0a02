"""The ``commonground tally`` command: count a BLT file from the shell.

Only click and the counting package are imported, so the command starts fast and
can be run on a laptop away from the web app (e.g. by a scrutineer checking a
published result).  A plain invocation does not even reach click: :mod:`.quick`
runs it the same way without importing click, and hands everything else (help,
usage errors, files that fail) to this command.
"""

from __future__ import annotations

import click

from . import METHODS, BltError, count, read_blt
from .quick import render_table

__all__ = ["render_table", "tally"]


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
