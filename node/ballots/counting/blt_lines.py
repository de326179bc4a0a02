"""The careful, line-by-line half of the BLT reader.

:func:`node.ballots.counting.blt.read_blt` reads ordinary ballot lines on a fast
path; any line that is not plain ``weight pref ... 0`` comes here, where it is
either understood (a ballot id, a trailing comment) or refused with a
:class:`BltError` naming the line and saying what was wrong.  Keeping the rare
cases here keeps the fast loop short and the messages in one place.
"""

from __future__ import annotations

__all__ = ["BltError", "ballot_line", "int_tokens", "quoted", "withdrawn_line"]

_IDS_HELP = (
    "a ballot with an id is one paper, written '(id) 1 pref ... 0' as OpenSTV does; "
    "droop's '(id) pref ... 0' without the weight cannot be told apart from it and is not read"
)


class BltError(ValueError):
    """Malformed BLT input; ``line`` is 1-based (0 when no line applies)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def int_tokens(tokens: list[str], lineno: int) -> list[int]:
    """The tokens as integers, or a :class:`BltError` naming the first that is not."""
    try:
        return [int(t) for t in tokens]
    except ValueError:
        for t in tokens:
            try:
                int(t)
            except ValueError:
                raise BltError(lineno, f"unexpected token {t!r} (expected an integer)") from None
        raise  # pragma: no cover - unreachable


def withdrawn_line(tokens: list[str], lineno: int, ncand: int, withdrawn: set[int]) -> None:
    """Add one line of withdrawn candidates (``-2 -5``) to ``withdrawn`` (0-based)."""
    for n in int_tokens(tokens, lineno):
        if n >= 0 or -n > ncand:
            raise BltError(lineno, f"withdrawn candidate {n} is not -1..-{ncand}")
        if -n - 1 in withdrawn:
            raise BltError(lineno, f"candidate {-n} withdrawn twice")
        withdrawn.add(-n - 1)


def _weight(token: str, lineno: int) -> int:
    try:
        weight = int(token)
    except ValueError:
        try:
            float(token)
        except ValueError:
            raise BltError(lineno, f"unexpected token {token!r} (expected an integer)") from None
        raise BltError(
            lineno,
            f"ballot weight {token!r} is not a whole number: fractional weights are not read "
            "(each line's weight counts whole ballots)",
        ) from None
    if weight < 1:
        raise BltError(lineno, f"ballot weight must be a positive integer, got {weight}")
    return weight


def _preference(token: str, lineno: int) -> int:
    try:
        return int(token)
    except ValueError:
        pass
    if "=" in token:
        raise BltError(
            lineno,
            f"equal ranking {token!r}: a preference must name one candidate "
            "(ballots ranking candidates equally cannot be counted by these rules)",
        )
    if token == "-":  # noqa: S105 - a ballot token, not a password
        raise BltError(
            lineno, "skipped preference '-': write the ballot without the gap, or drop it"
        )
    raise BltError(lineno, f"unexpected token {token!r} (expected an integer)")


def ballot_line(
    raw: str, lineno: int, ncand: int, ids: dict[str, int]
) -> tuple[int, tuple[int, ...]]:
    """Parse one ballot line (``[(id)] weight pref ... 0 [# comment]``) carefully.

    Returns ``(weight, ranking)`` with 0-based candidate indexes.  ``ids`` maps
    ballot ids already seen to their line, so a repeated id is refused.
    """
    text = raw.strip()
    ballot_id = None
    if text.startswith("("):
        close = text.find(")")
        if close < 0:
            raise BltError(
                lineno, f"ballot id is not closed: expected '(id) 1 pref ... 0'; {_IDS_HELP}"
            )
        ballot_id = text[1:close].strip()
        if not ballot_id:
            raise BltError(lineno, "empty ballot id '()'")
        text = text[close + 1 :]
    tokens = text.split("#", 1)[0].split()
    if not tokens:
        raise BltError(lineno, f"ballot id ({ballot_id}) is not followed by a ballot")
    first = tokens[0]
    if first.startswith('"'):
        raise BltError(lineno, "missing '0' line ending the ballots before the names")
    if first.startswith("["):
        raise BltError(
            lineno,
            f"option {first!r}: options in square brackets (droop's [nick], [tie]) are not read",
        )
    if ballot_id is None and all(t.startswith("-") and t[1:].isdigit() for t in tokens):
        raise BltError(
            lineno, "withdrawn candidates (negative numbers) must come before the first ballot"
        )
    nums = [_preference(t, lineno) for t in tokens[1:]]
    weight = _weight(first, lineno)
    if not nums or nums[-1] != 0:
        raise BltError(lineno, "ballot is missing its 0 terminator")
    prefs = nums[:-1]
    for p in prefs:
        if p == 0:
            raise BltError(lineno, "0 before the end of the ballot (a preference after its 0)")
        if p < 1 or p > ncand:
            raise BltError(lineno, f"preference {p} is not a candidate (1-{ncand})")
    if len(set(prefs)) != len(prefs):
        seen: set[int] = set()
        for p in prefs:
            if p in seen:
                raise BltError(lineno, f"duplicate preference {p} in ballot")
            seen.add(p)
    if ballot_id is not None:
        if weight != 1:
            raise BltError(lineno, f"ballot ({ballot_id}) has weight {weight}: {_IDS_HELP}")
        if ballot_id in ids:
            raise BltError(lineno, f"ballot id {ballot_id!r} already used on line {ids[ballot_id]}")
        ids[ballot_id] = lineno
    return weight, tuple(p - 1 for p in prefs)


def _comment_or_nothing(rest: str) -> bool:
    rest = rest.strip()
    return not rest or rest.startswith("#")


def quoted(raw: str, lineno: int, what: str) -> str:
    """The double-quoted string on a name or title line.

    A quote inside is written ``\\"`` or ``""``; a backslash before the line's
    last quote is a literal backslash (a name ending in ``\\``), so anything our
    writer produces reads back.  A ``# comment`` may follow the closing quote.
    """
    text = raw.strip()
    if not text.startswith('"'):
        raise BltError(lineno, f"{what} must be a double-quoted string, got {text!r}")
    last = text.rfind('"')
    parts: list[str] = []
    start = 1
    while True:
        j = text.find('"', start)
        if j < 0:
            raise BltError(lineno, f"{what} has no closing double quote: {text!r}")
        if j > start and text[j - 1] == "\\" and j != last:
            parts += (text[start : j - 1], '"')
            start = j + 1
        elif text.startswith('"', j + 1):
            parts += (text[start:j], '"')
            start = j + 2
        else:
            parts.append(text[start:j])
            if not _comment_or_nothing(text[j + 1 :]):
                raise BltError(
                    lineno,
                    f"{what}: text after the closing quote in {text!r} "
                    '(write a quote inside a name as \\" or "")',
                )
            return "".join(parts)
