"""Vote counting for Commonground ballots: pure Python, no web imports.

Public API::

    read_blt(text) -> Election          read_blt_file(path) -> Election
    write_blt(candidates, seats, ballots, title, withdrawn=()) -> str
    count(election, method, seats=None, seed=0) -> CountResult
    count_motion(yes, no, abstain, electorate, quorum=None, quorum_share=None,
                 threshold="simple") -> MotionResult
    BltError, Election, CountResult, MotionResult, METHODS

Kept free of Flask/SQLAlchemy so the counter can be audited, tested and run from
the command line on its own (``python -m node.ballots.counting FILE.blt``).
"""

from __future__ import annotations

from collections.abc import Callable

from .blt import BltError, Election, read_blt, read_blt_file, write_blt
from .meek import count_meek_stv
from .motion import MotionResult, count_motion
from .result import CountResult
from .scottish import count_scottish_stv
from .simple import count_approval, count_fptp, count_irv

_COUNTERS: dict[str, Callable[..., CountResult]] = {
    "scottish-stv": count_scottish_stv,
    "meek-stv": count_meek_stv,
    "irv": count_irv,
    "fptp": count_fptp,
    "approval": count_approval,
}
METHODS: tuple[str, ...] = tuple(_COUNTERS)

__all__ = [
    "METHODS",
    "BltError",
    "CountResult",
    "Election",
    "MotionResult",
    "count",
    "count_motion",
    "read_blt",
    "read_blt_file",
    "write_blt",
]


def count(election: Election, method: str, seats: int | None = None, seed: int = 0) -> CountResult:
    """Count ``election`` with ``method`` (one of :data:`METHODS`).

    ``seats`` defaults to the election's own; ``seed`` seeds the lot used for
    ties that the look-back rule cannot settle (recorded in the rounds).
    """
    try:
        counter = _COUNTERS[method]
    except KeyError:
        raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}") from None
    return counter(election, seats=seats, seed=seed)
