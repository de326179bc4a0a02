"""FPTP, approval and IRV on textbook examples."""

from __future__ import annotations

import pytest

from node.ballots.counting import METHODS, Election, count


def make_election(names, seats, ballots):
    """Build an election from single-letter (or listed) candidate names."""
    names = list(names)
    return Election(names, seats, [(w, tuple(names.index(c) for c in r)) for w, r in ballots])


# Wikipedia, "Instant-runoff voting": the Tennessee capital example.
TENNESSEE = make_election(
    ["Memphis", "Nashville", "Chattanooga", "Knoxville"],
    1,
    [
        (42, ["Memphis", "Nashville", "Chattanooga", "Knoxville"]),
        (26, ["Nashville", "Chattanooga", "Knoxville", "Memphis"]),
        (15, ["Chattanooga", "Knoxville", "Nashville", "Memphis"]),
        (17, ["Knoxville", "Chattanooga", "Nashville", "Memphis"]),
    ],
)


def test_methods_listed() -> None:
    assert set(METHODS) == {"scottish-stv", "meek-stv", "irv", "fptp", "approval"}
    with pytest.raises(ValueError, match="unknown method"):
        count(TENNESSEE, "borda")


def test_irv_tennessee() -> None:
    # Round 1: M 42, N 26, C 15, K 17 -> Chattanooga out, K 32.
    # Round 2: M 42, N 26, K 32 -> Nashville out, K 58.  Knoxville wins 58-42.
    r = count(TENNESSEE, "irv")
    assert r.elected == ["Knoxville"]
    assert [row["action"].get("excluded") for row in r.rounds[:2]] == ["Chattanooga", "Nashville"]
    assert r.rounds[-1]["votes"] == {"Memphis": 42, "Knoxville": 58}
    assert r.rounds[1]["transfers"] == {"Chattanooga": -15, "Knoxville": 15}


def test_irv_rejects_multi_seat() -> None:
    with pytest.raises(ValueError):
        count(TENNESSEE, "irv", seats=2)


def test_fptp_tennessee_and_top_n() -> None:
    # Same example: Memphis has the plurality (42).
    assert count(TENNESSEE, "fptp").elected == ["Memphis"]
    assert count(TENNESSEE, "fptp", seats=2).elected == ["Memphis", "Nashville"]


def test_approval_counts_every_listed_candidate() -> None:
    e = make_election("ABCD", 2, [(5, "A"), (4, "BC"), (3, "CB"), (2, "DC")])
    r = count(e, "approval")
    # Approvals: A 5, B 7, C 9, D 2.
    assert r.rounds[0]["votes"] == {"A": 5, "B": 7, "C": 9, "D": 2}
    assert r.elected == ["C", "B"]


def test_fptp_last_seat_tie_by_lot_recorded() -> None:
    e = make_election("ABC", 2, [(5, "A"), (3, "B"), (3, "C")])
    seen = set()
    for seed in range(10):
        r = count(e, "fptp", seed=seed)
        assert r.elected[0] == "A"
        tb = r.rounds[0]["tiebreaks"][0]
        assert tb["rule"] == "lot" and tb["drawn_from"] == ["B", "C"] and tb["seed"] == seed
        assert r.to_json() == count(e, "fptp", seed=seed).to_json()
        seen.add(r.elected[1])
    assert seen == {"B", "C"}
