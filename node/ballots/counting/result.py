"""Count results and the tie-breaking machinery shared by every method.

Every tie is settled the same auditable way: first the *look-back* rule (the
candidates are compared at the most recent earlier round where their votes
differed; SSI 2007/42 Sch. 1 rules 49(2) and 51(2)), and only if they were equal
at every round, *by lot*.  Lots are drawn from one ``random.Random(seed)`` per
count, and each draw is written into the round record (seed, the tied candidates
in ballot order, the index drawn), so anyone can re-run the count with the same
seed and get the same result.
"""

from __future__ import annotations

import random

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~2 ms at start-up)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CountResult", "TieBreaker", "scaled_to_number"]


def scaled_to_number(value: int, scale: int) -> int | float:
    """Turn a fixed-point integer into a JSON number (int when exact)."""
    if value % scale == 0:
        return value // scale
    digits = len(str(scale)) - 1
    return round(value / scale, digits)


class CountResult:
    """Outcome of a count.

    ``elected`` lists names in order of election; ``rounds`` is a list of plain
    dicts (round number, votes per candidate, transfers, exhausted, quota, the
    action taken, any tie-break); ``quota`` is the final quota (None for FPTP,
    approval and IRV).  Written out rather than a ``@dataclass`` (same constructor,
    equality and repr) so ``commonground tally`` need not import dataclasses (~7 ms).
    """

    __slots__ = ("method", "seats", "candidates", "elected", "rounds", "quota", "seed")
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __init__(
        self,
        method: str,
        seats: int,
        candidates: list[str],
        elected: list[str],
        rounds: list[dict[str, Any]] | None = None,
        quota: int | float | None = None,
        seed: int = 0,
    ) -> None:
        self.method = method
        self.seats = seats
        self.candidates = candidates
        self.elected = elected
        self.rounds: list[dict[str, Any]] = [] if rounds is None else rounds
        self.quota = quota
        self.seed = seed

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"CountResult({inner})"

    def to_json(self) -> dict[str, Any]:
        """The public JSON shape: ``{"elected": [...], "rounds": [...]}``."""
        return {"elected": list(self.elected), "rounds": self.rounds}


class TieBreaker:
    """Look-back then seeded lot, shared by all counters of one count."""

    def __init__(self, seed: int, names: list[str]) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.names = names
        self.draws = 0

    def pick(
        self,
        tied: list[int],
        history: list[list[int]],
        lowest: bool,
        purpose: str,
    ) -> tuple[int, dict[str, Any] | None]:
        """Choose one of ``tied`` (candidate indexes).

        ``history`` holds the vote vectors of earlier rounds, oldest first; the
        current round is not included.  With ``lowest`` the candidate with the
        fewest votes at the look-back round is chosen (exclusion), otherwise the
        one with the most (order of surplus transfer).  If the look-back round
        still leaves several level at the extreme, we narrow to those and keep
        looking further back - the rules are silent on three-way ties, and this
        is the reading that only ever uses information about the tied group.
        """
        tied = sorted(tied)
        if len(tied) == 1:
            return tied[0], None
        record: dict[str, Any] = {
            "purpose": purpose,
            "tied": [self.names[c] for c in tied],
        }
        group = tied
        for back in range(len(history) - 1, -1, -1):
            votes = history[back]
            values = {votes[c] for c in group}
            if len(values) == 1:
                continue
            target = min(values) if lowest else max(values)
            group = [c for c in group if votes[c] == target]
            if len(group) == 1:
                record.update(rule="look-back", round=back + 1, chosen=self.names[group[0]])
                return group[0], record
        index = self.rng.randrange(len(group))
        self.draws += 1
        record.update(
            rule="lot",
            seed=self.seed,
            draw_number=self.draws,
            drawn_from=[self.names[c] for c in group],
            index=index,
            chosen=self.names[group[index]],
        )
        return group[index], record
