"""``commonground tally`` without click, for the plain invocation, and the table it prints.

Why: run from a shell, ``tally`` is mostly start-up, and importing click costs about as much
as counting 100,000 ballots (docs/performance.md, "Whole processes"). :func:`node.cli.main`
(and ``python -m node.ballots.counting``) offer the arguments to :func:`run` first.

It takes only what it can do exactly as click's ``tally`` (:mod:`.cli`) would: one regular
FILE and ``--method``/``--seats``/``--seed``/``--json``, each at most once, with values
click would read the same way (a listed method, plain decimal digits), output to a UTF-8
stdout free of escape sequences, and a file that reads and counts without error. Anything else
- ``--help``, an unknown, repeated or odd option, ``-`` (stdin), a directory, an unreadable
file, a BLT error, a count error, shell completion - returns False before a byte is written,
and click's command runs instead, so every message, usage screen and exit code is click's own.
A file that fails is read twice; only a successful count is worth making fast.
tests/counting/test_quick.py runs both ways over good files and every refusal and compares
the bytes and exit codes.
"""

from __future__ import annotations

import os
import sys
from stat import S_ISREG

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~2 ms at start-up)
if TYPE_CHECKING:
    from typing import Any

    from .result import CountResult

__all__ = ["render_table", "run"]

_VALUED = ("--method", "--seats", "--seed")


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

    def cell(row: dict[str, Any], label: str) -> str:
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
        parts += [
            f"tie ({tb['purpose']}) settled by {tb['rule']}: {tb['chosen']}"
            for tb in r.get("tiebreaks", [])
        ]
        lines.append(f"Round {r['round']}: " + ("; ".join(parts) or "-"))
    return "\n".join(lines)


def _plain(args: list[str]) -> dict[str, str] | None:
    """The options and ``FILE`` of a plain invocation, or None for anything click should see."""
    found: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        if not arg.startswith("-"):
            name, value = "FILE", arg
        elif arg == "--json":
            name, value = arg, ""
        else:
            name, eq, value = arg.partition("=")
            if name not in _VALUED:
                return None
            if not eq:
                following = next(rest, None)
                if following is None:
                    return None
                value = following
        if name in found:
            return None
        found[name] = value
    for name in ("--seats", "--seed"):
        value = found.get(name, "0")
        if not (value.isascii() and value.isdigit()):
            return None
    if "FILE" not in found or "--method" not in found or int(found.get("--seats", "1")) < 1:
        return None
    return found


def _utf8_stdout() -> bool:
    encoding = getattr(sys.stdout, "encoding", None)
    return isinstance(encoding, str) and encoding.lower().replace("_", "-") in ("utf-8", "utf8")


def run(args: list[str]) -> bool:
    """Count and print as ``tally ARGS`` would; False (nothing printed) to leave it to click."""
    if "_COMMONGROUND_COMPLETE" in os.environ or not _utf8_stdout():
        return False
    found = _plain(args)
    if found is None:
        return False
    try:
        from . import METHODS, count, read_blt

        if found["--method"] not in METHODS or not S_ISREG(os.stat(found["FILE"]).st_mode):
            return False
        with open(found["FILE"], encoding="utf-8-sig") as fh:  # as click.open_file does
            text = fh.read()
        seats = int(found["--seats"]) if "--seats" in found else None
        seed = int(found.get("--seed", "0"))
        result = count(read_blt(text), found["--method"], seats=seats, seed=seed)
        if "--json" in found:
            import json

            out = json.dumps(result.to_json())
        else:
            out = render_table(result)
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")  # click's words and exit code for Ctrl-C
        raise SystemExit(1) from None
    except Exception:  # noqa: BLE001 - click's command runs again and reports it its own way
        return False
    if "\x1b" in out:  # click.echo would strip escape sequences when not on a terminal
        return False
    try:
        sys.stdout.write(out + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # as click: exit 1, and no second error when Python flushes
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None
    return True
