"""Reading and writing ballots in the BLT format.

BLT is the de-facto interchange format for ranked ballots (used by ERS, OpenSTV,
droop and the Scottish councils' published preference data), so we both accept it
and publish anonymised ballots in it.  The layout we accept::

    5 2                 candidates seats
    -2 -5               optional: withdrawn candidates (negative numbers)
    3 1 3 4 0           weight pref pref ... 0   (one line per ballot or group)
    1 2 0
    0                   end of ballots
    "Alice"             one quoted name per candidate, in number order
    ...
    "Title"             the election title

Blank lines and CRLF line endings are tolerated; anything else that is not part of
the format (comments, ``=`` for equal rankings, stray tokens) is rejected with a
:class:`BltError` carrying the 1-based line number, because silently guessing what
a malformed ballot file meant is exactly how a count goes wrong.

Ballots with identical rankings are grouped (weights summed, first occurrence
order kept): counting then works per distinct ranking rather than per paper,
which is what keeps the counters fast on large electorates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["BltError", "Election", "group_ballots", "read_blt", "read_blt_file", "write_blt"]


class BltError(ValueError):
    """Malformed BLT input; ``line`` is 1-based (0 when no line applies)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class Election:
    """A parsed election.

    ``ballots`` is a list of ``(weight, ranking)`` where ``ranking`` is a tuple of
    0-based candidate indexes, most preferred first; ``withdrawn`` holds 0-based
    indexes of candidates to skip on every ballot.
    """

    candidates: list[str]
    seats: int
    ballots: list[tuple[int, tuple[int, ...]]]
    title: str = ""
    withdrawn: frozenset[int] = field(default_factory=frozenset)

    @property
    def total_weight(self) -> int:
        return sum(w for w, _ in self.ballots)


def group_ballots(
    ballots: Iterable[tuple[int, Sequence[int]]],
) -> list[tuple[int, tuple[int, ...]]]:
    """Merge identical rankings, summing weights, keeping first-seen order."""
    grouped: dict[tuple[int, ...], int] = {}
    for weight, ranking in ballots:
        key = tuple(ranking)
        grouped[key] = grouped.get(key, 0) + weight
    return [(w, r) for r, w in grouped.items()]


def _int_tokens(tokens: list[str], lineno: int) -> list[int]:
    try:
        return [int(t) for t in tokens]
    except ValueError:
        for t in tokens:
            try:
                int(t)
            except ValueError:
                raise BltError(lineno, f"unexpected token {t!r} (expected an integer)") from None
        raise  # pragma: no cover - unreachable


def _quoted(line: str, lineno: int, what: str) -> str:
    text = line.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise BltError(lineno, f"{what} must be a double-quoted string, got {text!r}")
    inner = text[1:-1]
    if '"' in inner:
        raise BltError(lineno, f"{what} contains a stray double quote: {text!r}")
    return inner


def _ballot_line(tokens: list[str], lineno: int, ncand: int) -> tuple[int, tuple[int, ...]]:
    """Careful parse of one ballot line; raises :class:`BltError` on any problem."""
    if tokens[0].startswith('"'):
        raise BltError(lineno, "missing '0' line ending the ballots before the names")
    nums = _int_tokens(tokens, lineno)
    weight = nums[0]
    if weight < 1:
        raise BltError(lineno, f"ballot weight must be a positive integer, got {weight}")
    if len(nums) < 2 or nums[-1] != 0:
        raise BltError(lineno, "ballot is missing its 0 terminator")
    prefs = nums[1:-1]
    for p in prefs:
        if p == 0:
            raise BltError(lineno, "0 before the end of the ballot")
        if p < 1 or p > ncand:
            raise BltError(lineno, f"preference {p} is not a candidate (1-{ncand})")
    seen: set[int] = set()
    for p in prefs:
        if p in seen:
            raise BltError(lineno, f"duplicate preference {p} in ballot")
        seen.add(p)
    return weight, tuple(p - 1 for p in prefs)


def read_blt(text: str) -> Election:
    """Parse BLT text into an :class:`Election`, raising :class:`BltError`."""
    lines = text.splitlines()
    nlines = len(lines)
    i = 0

    def next_nonblank(start: int) -> int:
        while start < nlines and not lines[start].strip():
            start += 1
        return start

    i = next_nonblank(0)
    if i >= nlines:
        raise BltError(1, "empty file (expected header 'candidates seats')")
    header = lines[i].split()
    hline = i + 1
    if len(header) != 2:
        raise BltError(hline, "bad header: expected 'candidates seats'")
    ncand, seats = _int_tokens(header, hline)
    if ncand < 1:
        raise BltError(hline, f"bad header: number of candidates must be at least 1, got {ncand}")
    if seats < 1 or seats > ncand:
        raise BltError(hline, f"bad header: seats must be between 1 and {ncand}, got {seats}")
    i = next_nonblank(i + 1)

    withdrawn: set[int] = set()
    if i < nlines and lines[i].lstrip().startswith("-"):
        lineno = i + 1
        for n in _int_tokens(lines[i].split(), lineno):
            if n >= 0 or -n > ncand:
                raise BltError(lineno, f"withdrawn candidate {n} is not -1..-{ncand}")
            if -n - 1 in withdrawn:
                raise BltError(lineno, f"candidate {-n} withdrawn twice")
            withdrawn.add(-n - 1)
        i = next_nonblank(i + 1)

    grouped: dict[tuple[int, ...], int] = {}
    get = grouped.get
    # Fast path: canonical candidate numbers map straight to 0-based indexes in
    # C (str -> int dict lookup); anything unusual falls back to the careful
    # parser, which also produces the error message.
    index_of = {str(n): n - 1 for n in range(1, ncand + 1)}.__getitem__
    ended = False
    while i < nlines:
        tokens = lines[i].split()
        i += 1
        if not tokens:
            continue
        if len(tokens) == 1 and tokens[0] == "0":
            ended = True
            break
        try:
            key = tuple(map(index_of, tokens[1:-1]))
            weight = int(tokens[0])
        except (KeyError, ValueError):
            weight, key = _ballot_line(tokens, i, ncand)
        else:
            if weight < 1 or tokens[-1] != "0" or len(tokens) < 2 or len(set(key)) != len(key):
                weight, key = _ballot_line(tokens, i, ncand)
        grouped[key] = get(key, 0) + weight
    if not ended:
        raise BltError(nlines + 1 if nlines else 1, "missing '0' line ending the ballots")

    names: list[str] = []
    title: str | None = None
    last_line = i
    while i < nlines:
        raw = lines[i]
        lineno = i + 1
        i += 1
        if not raw.strip():
            continue
        last_line = lineno
        if len(names) < ncand:
            names.append(_quoted(raw, lineno, f"name of candidate {len(names) + 1}"))
        elif title is None:
            title = _quoted(raw, lineno, "title")
        else:
            raise BltError(lineno, f"wrong number of names: more than {ncand} names and a title")
    if len(names) < ncand:
        raise BltError(
            last_line + 1, f"wrong number of names: expected {ncand}, found {len(names)}"
        )
    if title is None:
        raise BltError(last_line + 1, "missing quoted title after the candidate names")
    ballots = [(w, r) for r, w in grouped.items()]
    return Election(names, seats, ballots, title, frozenset(withdrawn))


def read_blt_file(path: str | Path) -> Election:
    """Read a BLT file (UTF-8, a BOM is tolerated)."""
    return read_blt(Path(path).read_text(encoding="utf-8-sig"))


def _quote(value: str, what: str) -> str:
    if '"' in value or "\n" in value or "\r" in value:
        raise ValueError(f"{what} {value!r} cannot be written to BLT (quote or newline)")
    return f'"{value}"'


def write_blt(
    candidates: Sequence[str],
    seats: int,
    ballots: Iterable[tuple[int, Sequence[int]]],
    title: str,
    withdrawn: Iterable[int] = (),
) -> str:
    """Render ballots as BLT text; identical rankings are grouped.

    ``ballots`` are ``(weight, ranking)`` with 0-based candidate indexes and
    ``withdrawn`` 0-based indexes.  ``read_blt(write_blt(...))`` gives back the same
    candidates, seats, title, withdrawn set and grouped ballots.
    """
    n = len(candidates)
    if n < 1 or not 1 <= seats <= n:
        raise ValueError(f"need at least one candidate and 1..{n} seats")
    out = [f"{n} {seats}"]
    wd = sorted(set(withdrawn))
    if any(c < 0 or c >= n for c in wd):
        raise ValueError("withdrawn candidate out of range")
    if wd:
        out.append(" ".join(str(-(c + 1)) for c in wd))
    for weight, ranking in group_ballots(ballots):
        if weight < 1:
            raise ValueError(f"ballot weight must be positive, got {weight}")
        if len(set(ranking)) != len(ranking) or any(c < 0 or c >= n for c in ranking):
            raise ValueError(f"invalid ranking {ranking!r}")
        out.append(" ".join([str(weight), *(str(c + 1) for c in ranking), "0"]))
    out.append("0")
    out.extend(_quote(name, "candidate name") for name in candidates)
    out.append(_quote(title, "title"))
    return "\n".join(out) + "\n"
