"""Motions: quorum (absolute / share), abstentions, simple and two-thirds majorities."""

from __future__ import annotations

from fractions import Fraction

import pytest

from node.ballots.counting import count_motion


def test_simple_majority_needs_more_yes_than_no() -> None:
    assert count_motion(6, 5, 0, 20).passed
    assert not count_motion(5, 5, 0, 20).passed  # a tie fails
    assert not count_motion(4, 5, 9, 20).passed  # abstentions do not help


def test_abstentions_count_for_quorum_only() -> None:
    # quorum 10: 3 yes + 1 no = 4 voters, +6 abstain = 10 present -> quorum met.
    r = count_motion(3, 1, 6, 40, quorum=10)
    assert r.quorum_met and r.passed and r.turnout == 10
    r = count_motion(3, 1, 5, 40, quorum=10)
    assert not r.quorum_met and not r.passed


def test_quorum_share_is_exact() -> None:
    # 1/3 of 30 = 10 exactly.
    assert count_motion(5, 4, 1, 30, quorum_share=Fraction(1, 3)).quorum_met
    assert not count_motion(5, 4, 0, 30, quorum_share="1/3").quorum_met
    # 0.1 means one tenth, not the binary float: 10% of 50 = 5.
    assert count_motion(3, 2, 0, 50, quorum_share=0.1).quorum_required == 5
    # 25% of 41 = 10.25 -> 11 members needed.
    r = count_motion(6, 4, 0, 41, quorum_share=0.25)
    assert r.quorum_required == 11 and not r.quorum_met
    assert count_motion(6, 4, 1, 41, quorum_share=0.25).passed


@pytest.mark.parametrize(
    ("yes", "no", "passed"),
    [
        (2, 1, True),
        (20, 10, True),
        (19, 10, False),
        (1, 0, True),
        (0, 0, False),
        (67, 33, True),
        (66, 34, False),
    ],
)
def test_two_thirds_boundaries(yes: int, no: int, passed: bool) -> None:
    # yes >= 2/3 of (yes + no): 20/30 exactly passes, 19/29 does not.
    assert count_motion(yes, no, 5, 200, threshold="two-thirds").passed is passed


def test_validation() -> None:
    with pytest.raises(ValueError):
        count_motion(1, 1, 1, 2)
    with pytest.raises(ValueError):
        count_motion(1, 1, 0, 10, quorum=2, quorum_share=0.5)
    with pytest.raises(ValueError):
        count_motion(1, 1, 0, 10, threshold="three-quarters")
    with pytest.raises(ValueError):
        count_motion(-1, 1, 0, 10)
    assert count_motion(1, 0, 0, 10).to_json()["passed"] is True
