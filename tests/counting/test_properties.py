"""Property tests (hypothesis) over random small elections."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from node.ballots.counting import Election, count, read_blt, write_blt


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
    assert back.ballots == list((r, w)[::-1] for r, w in grouped.items())
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
