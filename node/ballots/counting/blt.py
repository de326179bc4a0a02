"""Reading and writing ballots in the BLT format.

BLT is the de-facto interchange format for ranked ballots (used by ERS, OpenSTV,
OpaVote, droop, eSTV and the Scottish councils' published preference data), so
we both accept it and publish anonymised ballots in it.  The layout::

    5 2                 candidates seats
    -2 -5               optional: withdrawn candidates (negative numbers)
    3 1 3 4 0           weight pref pref ... 0   (one line per ballot or group)
    (b7) 1 2 0          a ballot id in parentheses, then weight 1 (OpenSTV)
    0                   end of ballots
    "Alice"             one quoted name per candidate, in number order
    ...
    "Title"             the election title
    anything            lines after the title: kept as notes, not interpreted

What other programs write is read too: ``#`` comments (whole lines, or after
the data on a line, outside quotes), blank lines, CRLF or CR line ends, a
UTF-8 byte-order mark, several withdrawn lines, weights above 1, ballot ids,
and quotes inside names written ``\\"`` or ``""``.  What cannot be read
without guessing is refused with a :class:`BltError` carrying the 1-based line
number: equal rankings (``2=3``), a preference after the ``0`` that ends a
ballot, a candidate number out of range, a candidate twice on one ballot,
fractional weights, droop's ``[options]`` and weight-less ``(id) pref ... 0``
lines (refused at the first whose first preference is not candidate 1) -
silently guessing what a ballot file meant is how a count goes wrong.  Taken
on trust: the header's candidate count says where the names end, so a header
that undercounts turns the last names into the title and notes (droop reads
such files the same way); a ballot ranking such a candidate is out of range.

Ballots with identical rankings are grouped (weights summed, first occurrence
order kept): counting then works per distinct ranking rather than per paper,
which is what keeps the counters fast on large electorates.  Ballot ids are
checked (unique, weight 1) and then dropped with the grouping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from .blt_lines import BltError, ballot_line, int_tokens, quoted, withdrawn_line

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~2 ms at start-up)
if TYPE_CHECKING:
    from os import PathLike

__all__ = ["BltError", "Election", "group_ballots", "read_blt", "read_blt_file", "write_blt"]


class SlotValue:
    """Equality and repr by the ``__slots__`` fields, as ``@dataclass`` gives them: importing
    dataclasses costs ~7 ms, a tenth of a whole ``commonground tally``.  Defining ``__eq__``
    leaves ``__hash__`` None: mutable, compared by value."""

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{self.__class__.__name__}({inner})"


class Election(SlotValue):
    """A parsed election.

    ``ballots`` is a list of ``(weight, ranking)`` where ``ranking`` is a tuple of
    0-based candidate indexes, most preferred first; ``withdrawn`` holds 0-based
    indexes of candidates to skip on every ballot; ``notes`` are the non-blank
    lines after the title (stripped, otherwise verbatim), which counting ignores.
    """

    __slots__ = ("candidates", "seats", "ballots", "title", "withdrawn", "notes")
    __match_args__ = ("candidates", "seats", "ballots", "title", "withdrawn", "notes")

    def __init__(
        self,
        candidates: list[str],
        seats: int,
        ballots: list[tuple[int, tuple[int, ...]]],
        title: str = "",
        withdrawn: frozenset[int] = frozenset(),
        notes: tuple[str, ...] = (),
    ) -> None:
        self.candidates = candidates
        self.seats = seats
        self.ballots = ballots
        self.title = title
        self.withdrawn = withdrawn
        self.notes = notes

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


def _lines(text: str) -> list[str]:
    """Split on LF (a CR before it is whitespace to every later step), or on CR alone.

    Not ``str.splitlines``: that also breaks at U+2028, U+0085 and other
    characters a candidate name may hold, and editors number lines by LF.
    """
    lines = text.split("\n") if "\n" in text or "\r" not in text else text.split("\r")
    if lines and not lines[-1]:
        lines.pop()
    return lines


def read_blt(text: str) -> Election:
    """Parse BLT text into an :class:`Election`, raising :class:`BltError`."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _lines(text)
    nlines = len(lines)
    has_hash = "#" in text

    def next_tokens(start: int) -> tuple[int, list[str]]:
        """The next line with data (comments and blank lines skipped) and its tokens."""
        while start < nlines:
            line = lines[start]
            tokens = (line.split("#", 1)[0] if has_hash else line).split()
            if tokens:
                return start, tokens
            start += 1
        return nlines, []

    i, header = next_tokens(0)
    if not header:
        raise BltError(1, "empty file (expected header 'candidates seats')")
    hline = i + 1
    if len(header) != 2:
        raise BltError(hline, "bad header: expected 'candidates seats'")
    ncand, seats = int_tokens(header, hline)
    if ncand < 1:
        raise BltError(hline, f"bad header: number of candidates must be at least 1, got {ncand}")
    if seats < 1 or seats > ncand:
        raise BltError(hline, f"bad header: seats must be between 1 and {ncand}, got {seats}")

    withdrawn: set[int] = set()
    i, tokens = next_tokens(i + 1)
    while tokens and tokens[0].startswith("-"):
        withdrawn_line(tokens, i + 1, ncand, withdrawn)
        i, tokens = next_tokens(i + 1)

    grouped, end = _ballots(lines, i, ncand, has_hash)
    i = end + 1

    names: list[str] = []
    title: str | None = None
    notes: list[str] = []
    last_line = i
    while i < nlines:
        text = lines[i].strip()
        i += 1
        if not text:
            continue
        if title is not None:
            notes.append(text)
        elif not text.startswith("#"):
            last_line = i
            if len(names) < ncand:
                names.append(quoted(text, i, f"name of candidate {len(names) + 1}"))
            else:
                title = quoted(text, i, "title")
    if len(names) < ncand:
        raise BltError(
            last_line + 1, f"wrong number of names: expected {ncand}, found {len(names)}"
        )
    if title is None:
        raise BltError(last_line + 1, "missing quoted title after the candidate names")
    ballots = [(w, r) for r, w in grouped.items()]
    return Election(names, seats, ballots, title, frozenset(withdrawn), tuple(notes))


Grouped = dict[tuple[int, ...], int]


def _ballots(lines: list[str], start: int, ncand: int, has_hash: bool) -> tuple[Grouped, int]:
    """The ballots from ``lines[start]`` on, grouped, and the index of the line ending them.

    Fast path: canonical candidate numbers map straight to 0-based indexes in C (a
    str -> int dict lookup), and a plain "0" line is found in C before the loop starts;
    anything unusual (blank lines, ids, a "0 # end" or "0\r" end, errors) leaves the fast
    path for the careful parser, which also writes the error message.  A for-loop over a
    slice is ~20% faster than indexing.
    """
    index_of = {str(n): n - 1 for n in range(1, ncand + 1)}.__getitem__
    nlines = len(lines)
    try:
        end = lines.index("0", start)
    except ValueError:
        end = nlines
    section = lines[start:end]
    if end < nlines and not has_hash and _repeats(section):
        grouped = _by_distinct_line(section, index_of)
        if grouped is not None:
            return grouped, end
    grouped = {}
    get = grouped.get
    ids: dict[str, int] = {}
    for lineno, line in enumerate(section, start + 1):
        if has_hash and "#" in line:
            line = line[: line.index("#")]
        tokens = line.split()
        try:
            key = tuple(map(index_of, tokens[1:-1]))
            weight = int(tokens[0])
            if weight < 1 or tokens[-1] != "0" or len(set(key)) != len(key):
                raise ValueError
        except (KeyError, ValueError, IndexError):
            if not tokens:
                continue
            if tokens == ["0"]:
                return grouped, lineno - 1
            weight, key = ballot_line(lines[lineno - 1], lineno, ncand, ids)
        grouped[key] = get(key, 0) + weight
    if end == nlines:
        raise BltError(nlines + 1 if nlines else 1, "missing '0' line ending the ballots")
    return grouped, end


def _repeats(section: list[str]) -> bool:
    """Whether more than a tenth of the first 1,000 ballot lines repeat an earlier one, as in
    a file written one line per paper (a grouped file, such as ours, repeats none)."""
    sample = section[:1000]
    return len(set(sample)) * 10 < len(sample) * 9


def _by_distinct_line(section: list[str], index_of: Callable[[str], int]) -> Grouped | None:
    """Ballots from a section of plain ``weight pref ... 0`` lines, each distinct line parsed
    once (lines counted in C by :class:`collections.Counter`), or None at anything else, for
    the line-by-line loop to read and report.  Grouped in first-seen order, as that loop does:
    the first line giving a ranking is also the first of its distinct lines."""
    from collections import Counter

    grouped: Grouped = {}
    get = grouped.get
    for line, times in Counter(section).items():
        tokens = line.split()
        if not tokens:
            continue
        try:
            key = tuple(map(index_of, tokens[1:-1]))
            weight = int(tokens[0])
        except (KeyError, ValueError):
            return None
        if weight < 1 or tokens[-1] != "0" or len(set(key)) != len(key):
            return None
        grouped[key] = get(key, 0) + weight * times
    return grouped


def read_blt_file(path: str | PathLike[str]) -> Election:
    """Read a BLT file: UTF-8 (a BOM is tolerated); other encodings are refused by line.

    Names are the only text in a BLT file, so a Windows-1252 file from an old
    counting program differs only there; we say which line holds the first
    non-UTF-8 byte rather than guess what the name was.
    """
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BltError(
            line, f"not UTF-8 text (byte 0x{data[exc.start]:02X}); save the file as UTF-8"
        ) from None
    return read_blt(text)


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
