"""Property tests (hypothesis) over random small elections."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.ballots.counting import BltError, Election, count, read_blt, write_blt
from node.ballots.counting.blt import group_ballots


@st.composite
def elections(draw, min_cands: int = 2, max_cands: int = 6) -> Election:
    n = draw(st.integers(min_cands, max_cands))
    seats = draw(st.integers(1, n))
    ranking = st.permutations(list(range(n))).flatmap(
        lambda p: st.integers(1, n).map(lambda k: tuple(p[:k]))
    )
    ballots = draw(st.lists(st.tuples(st.integers(1, 30), ranking), min_size=1, max_size=25))
    names = [f"C{i}" for i in range(n)]
    withdrawn = draw(st.sets(st.integers(0, n - 1), max_size=max(0, n - seats - 1)))
    return Election(names, seats, ballots, "prop", frozenset(withdrawn))


def _scaled(x: float) -> int:
    return round(x * 100_000)


@settings(max_examples=150, deadline=None)
@given(elections())
def test_scottish_stv_conserves_votes_every_round(e: Election) -> None:
    r = count(e, "scottish-stv", seed=1)
    valid = sum(w for w, rk in e.ballots if any(c not in e.withdrawn for c in rk))
    for row in r.rounds:
        total = sum(_scaled(v) for v in row["votes"].values())
        assert total + _scaled(row["exhausted"]) + _scaled(row["loss"]) == valid * 100_000
    assert len(r.elected) == len(set(r.elected)) <= e.seats
    eligible = len(e.candidates) - len(e.withdrawn)
    assert len(r.elected) == min(e.seats, eligible)


@settings(max_examples=100, deadline=None)
@given(elections())
def test_meek_never_creates_votes(e: Election) -> None:
    r = count(e, "meek-stv", seed=1)
    valid = sum(w for w, rk in e.ballots if any(c not in e.withdrawn for c in rk))
    for row in r.rounds:
        total = sum(row["votes"].values()) + row["exhausted"]
        assert abs(total - valid) < 1e-6
    assert len(r.elected) == min(e.seats, len(e.candidates) - len(e.withdrawn))


@settings(max_examples=150, deadline=None)
@given(elections(min_cands=2, max_cands=2))
def test_two_candidate_irv_winner_is_the_majority(e: Election) -> None:
    e.withdrawn = frozenset()
    e.seats = 1
    firsts = [0, 0]
    for w, rk in e.ballots:
        firsts[rk[0]] += w
    r = count(e, "irv", seed=5)
    if firsts[0] != firsts[1]:
        assert r.elected == [e.candidates[0 if firsts[0] > firsts[1] else 1]]
    else:
        assert r.rounds[0]["tiebreaks"][0]["rule"] == "lot"


@settings(max_examples=150, deadline=None)
@given(elections())
def test_write_read_round_trip(e: Election) -> None:
    text = write_blt(e.candidates, e.seats, e.ballots, e.title, e.withdrawn)
    back = read_blt(text)
    grouped: dict[tuple[int, ...], int] = {}
    for w, rk in e.ballots:
        grouped[tuple(rk)] = grouped.get(tuple(rk), 0) + w
    assert back.ballots == [(r, w)[::-1] for r, w in grouped.items()]
    assert (back.candidates, back.seats, back.title, back.withdrawn) == (
        e.candidates,
        e.seats,
        e.title,
        e.withdrawn,
    )
    assert write_blt(back.candidates, back.seats, back.ballots, back.title, back.withdrawn) == text


@settings(max_examples=80, deadline=None)
@given(elections(), st.integers(0, 10_000))
def test_counts_are_reproducible_for_a_seed(e: Election, seed: int) -> None:
    for method in ("scottish-stv", "meek-stv", "approval"):
        assert count(e, method, seed=seed).to_json() == count(e, method, seed=seed).to_json()


# --- BLT as other programs write it: our writer's output, decorated with every extra the
# reader accepts, reads back identically (issue 15). ---

LINE_TEXT = st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",))
COMMENT = st.text(st.characters(blacklist_characters='\r\n"', blacklist_categories=("Cs",)))
SPACE = st.sampled_from([" ", "  ", "\t", " \t "])
# Quotes, backslashes and '#' often (st.text would draw them as rarely as any other character).
NAME = st.lists(st.one_of(LINE_TEXT, st.sampled_from('"\\# ')), max_size=8).map("".join)


@st.composite
def odd_elections(draw) -> Election:
    """Any names and title (quotes, '#', backslashes, U+2028...), empty ballots, any withdrawn."""
    n = draw(st.integers(1, 6))
    seats = draw(st.integers(1, n))
    ranking = st.permutations(list(range(n))).flatmap(
        lambda p: st.integers(0, n).map(lambda k: tuple(p[:k]))
    )
    ballots = draw(st.lists(st.tuples(st.integers(1, 12), ranking), max_size=10))
    names = draw(st.lists(NAME, min_size=n, max_size=n))
    title = draw(NAME)
    withdrawn = draw(st.sets(st.integers(0, n - 1)))
    return Election(names, seats, ballots, title, frozenset(withdrawn))


def _escaped(draw, value: str) -> str:
    """A quoted string with its quotes written as \\" or "" (the latter is ambiguous after \\)."""
    doubled = '\\"' not in value and draw(st.booleans())
    return '"' + value.replace('"', '""' if doubled else '\\"') + '"'


@st.composite
def decorated(draw, e: Election) -> tuple[str, tuple[str, ...], list[int]]:
    """BLT text for ``e`` with extras; returns it, the expected notes and its ballot lines."""
    safe = [name.replace('"', "'") for name in e.candidates]
    written = write_blt(safe, e.seats, e.ballots, e.title.replace('"', "'"), e.withdrawn)
    plain = written.split("\n")[:-1]  # the writer ends every line with LF
    n = len(e.candidates)
    out: list[str] = []
    ballot_lines: list[int] = []

    def emit(line: str, *, ballot: bool = False) -> None:
        for _ in range(draw(st.integers(0, 2))):  # blank or whole-line comment lines before it
            out.append(draw(st.sampled_from(["", "   ", "\t"])) or "# " + draw(COMMENT))
        if draw(st.booleans()):
            line += draw(SPACE) + "#" + draw(COMMENT)
        out.append(line)
        if ballot:
            ballot_lines.append(len(out))

    def numbers(tokens: list[str]) -> str:
        return "".join(t + draw(SPACE) for t in tokens[:-1]) + tokens[-1]

    emit(numbers(plain[0].split()))
    k = 1
    if e.withdrawn:
        withdrawn = plain[1].split()
        while withdrawn:
            cut = draw(st.integers(1, len(withdrawn)))
            emit(numbers(withdrawn[:cut]))
            withdrawn = withdrawn[cut:]
        k = 2
    ids = 0
    for line in plain[k : plain.index("0", k)]:
        weight, *rest = line.split()
        how = draw(st.sampled_from(["plain", "split", "ids"]))
        if how == "ids":
            for _ in range(int(weight)):
                ids += 1
                bid = draw(st.sampled_from(["b{}", " ballot {} ", "#{}", "{:05d}"])).format(ids)
                emit(f"({bid}){draw(SPACE)}" + numbers(["1", *rest]), ballot=True)
        elif how == "split" and int(weight) > 1:
            first = draw(st.integers(1, int(weight) - 1))
            emit(numbers([str(first), *rest]), ballot=True)
            emit(numbers([str(int(weight) - first), *rest]), ballot=True)
        else:
            emit(numbers([weight, *rest]), ballot=True)
    emit("0")
    for name, line in zip(e.candidates, plain[-n - 1 : -1], strict=True):
        emit(_escaped(draw, name) if '"' in name else line)
    emit(_escaped(draw, e.title) if '"' in e.title else plain[-1])
    notes = draw(st.lists(st.text(LINE_TEXT, max_size=12), max_size=3))
    out += notes
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(out) + draw(st.sampled_from(["", newline]))
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text, tuple(t.strip() for t in notes if t.strip()), ballot_lines


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_decorated_blt_reads_back_identically(data: st.DataObject) -> None:
    e = data.draw(odd_elections())
    text, notes, _ = data.draw(decorated(e))
    back = read_blt(text)
    assert back.notes == notes
    assert back == Election(
        e.candidates, e.seats, group_ballots(e.ballots), e.title, e.withdrawn, notes
    )


BAD_BALLOTS = [
    ("1 1=2 0", "equal ranking"),
    ("1 {over} 0", "is not a candidate"),
    ("1 1 0 1 0", "0 before the end"),
    ("1.5 1 0", "not a whole number"),
]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_bad_ballot_line_is_refused_with_its_line_number(data: st.DataObject) -> None:
    e = data.draw(odd_elections().filter(lambda e: e.ballots))
    text, _, ballot_lines = data.draw(decorated(e))
    newline = "\r\n" if "\r\n" in text else "\n" if "\n" in text else "\r"
    lines = text.split(newline)
    where = data.draw(st.sampled_from(ballot_lines))
    bad, fragment = data.draw(st.sampled_from(BAD_BALLOTS))
    lines[where - 1] = bad.format(over=len(e.candidates) + 1)
    with pytest.raises(BltError) as info:
        read_blt(newline.join(lines))
    assert info.value.line == where
    assert fragment in info.value.message


# --- Files written one line per paper: distinct lines are parsed once (blt._by_distinct_line).


@st.composite
def per_paper(draw) -> tuple[Election, str, list[tuple[int, tuple[int, ...]]]]:
    """A file with a line per paper (repeated rankings, some weights above 1, blank lines)."""
    e = draw(elections())
    lines: list[tuple[int, tuple[int, ...]]] = []
    for weight, ranking in e.ballots:
        papers = draw(st.integers(1, 6))
        lines += [(draw(st.sampled_from([1, 1, 1, weight])), ranking) for _ in range(papers)]
    lines = draw(st.permutations(lines))
    body = [" ".join([str(w), *(str(c + 1) for c in r), "0"]) for w, r in lines]
    for _ in range(draw(st.integers(0, 2))):
        body.insert(draw(st.integers(0, len(body))), draw(st.sampled_from(["", "  "])))
    names = "\n".join(f'"{name}"' for name in e.candidates)
    text = f"{len(e.candidates)} {e.seats}\n" + "\n".join(body) + f'\n0\n{names}\n"t"\n'
    return e, text, lines


@settings(max_examples=200, deadline=None)
@given(per_paper())
def test_a_line_per_paper_reads_as_the_grouped_papers(case) -> None:
    e, text, lines = case
    back = read_blt(text)
    assert back.ballots == group_ballots(lines)
    assert (back.candidates, back.seats, back.title) == (e.candidates, e.seats, "t")
