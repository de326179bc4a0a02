"""Yes/no motions with quorum and majority thresholds.

The rules, exactly:

* turnout = yes + no + abstain.  Abstentions count towards the quorum and
  nothing else.
* Quorum: with ``quorum`` (an absolute number of members) it is met when
  turnout >= quorum; with ``quorum_share`` (a fraction of the electorate, e.g.
  ``"1/3"``, ``0.25`` or ``Fraction(1, 4)``) it is met when
  turnout >= quorum_share x electorate, compared exactly (no rounding; a float is
  read through its decimal repr, so 0.1 means one tenth).  With neither, there is
  no quorum.  Giving both is an error.
* ``threshold="simple"``: passes when yes > no (a tie fails).
* ``threshold="two-thirds"``: passes when yes >= 2/3 of (yes + no), i.e.
  3 x yes >= 2 x (yes + no), and at least one member voted yes; abstentions are
  not in the denominator.
* A motion passes only if the quorum is met and the threshold is reached.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

THRESHOLDS = ("simple", "two-thirds")


@dataclass(frozen=True)
class MotionResult:
    passed: bool
    quorum_met: bool
    turnout: int
    turnout_share: float | None
    quorum_required: int | None
    threshold: str
    yes: int
    no: int
    abstain: int
    electorate: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _fraction(value: Any) -> Fraction:
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def count_motion(
    yes: int,
    no: int,
    abstain: int,
    electorate: int,
    quorum: int | None = None,
    quorum_share: Any = None,
    threshold: str = "simple",
) -> MotionResult:
    """Decide a motion; see the module docstring for the exact rules."""
    for label, value in (
        ("yes", yes),
        ("no", no),
        ("abstain", abstain),
        ("electorate", electorate),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{label} must be a non-negative integer")
    if yes + no + abstain > electorate:
        raise ValueError("more votes than members of the electorate")
    if threshold not in THRESHOLDS:
        raise ValueError(f"threshold must be one of {', '.join(THRESHOLDS)}")
    if quorum is not None and quorum_share is not None:
        raise ValueError("give quorum or quorum_share, not both")
    turnout = yes + no + abstain
    required: int | None = None
    if quorum is not None:
        if not isinstance(quorum, int) or quorum < 0:
            raise ValueError("quorum must be a non-negative integer")
        required = quorum
    elif quorum_share is not None:
        share = _fraction(quorum_share)
        if not 0 <= share <= 1:
            raise ValueError("quorum_share must be between 0 and 1")
        needed = share * electorate
        required = -(-needed.numerator // needed.denominator)  # smallest integer >= needed
    quorum_met = required is None or turnout >= required
    two_thirds = yes > 0 and 3 * yes >= 2 * (yes + no)
    reached = yes > no if threshold == "simple" else two_thirds
    return MotionResult(
        passed=quorum_met and reached,
        quorum_met=quorum_met,
        turnout=turnout,
        turnout_share=turnout / electorate if electorate else None,
        quorum_required=required,
        threshold=threshold,
        yes=yes,
        no=no,
        abstain=abstain,
        electorate=electorate,
    )
