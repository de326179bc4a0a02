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

from .blt import BltError, Election, read_blt, read_blt_file, write_blt
from .result import CountResult

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~2 ms at start-up)
if TYPE_CHECKING:
    from typing import Any

    from .motion import MotionResult, count_motion

# Each counter is imported when a count asks for it, so `commonground tally` loads only the
# method it runs (start-up is a large share of a whole-process count; docs/performance.md).
_COUNTERS: dict[str, str] = {
    "scottish-stv": "scottish:count_scottish_stv",
    "meek-stv": "meek:count_meek_stv",
    "irv": "simple:count_irv",
    "fptp": "simple:count_fptp",
    "approval": "simple:count_approval",
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
        module, _, name = _COUNTERS[method].partition(":")
    except KeyError:
        raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}") from None
    # __import__ rather than importlib.import_module, so `python -X importtime` lists it.
    counter = getattr(__import__(f"{__name__}.{module}", fromlist=[name]), name)
    return counter(election, seats=seats, seed=seed)


def __getattr__(name: str) -> Any:
    """``MotionResult`` and ``count_motion`` on first use (motion needs fractions and decimal)."""
    if name in ("MotionResult", "count_motion"):
        from . import motion

        return getattr(motion, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
