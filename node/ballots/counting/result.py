"""Count results, and what a count by every method shares (:class:`Count`): its state,
its rounds, and the tie-breaking machinery.

Every tie is settled the same auditable way: first the *look-back* rule (the
candidates are compared at the most recent earlier round where their votes
differed; SSI 2007/42 Sch. 1 rules 49(2) and 51(2)), and only if they were equal
at every round, *by lot*.  Lots are drawn from one ``random.Random(seed)`` per
count, and each draw is written into the round record (seed, the tied candidates
in ballot order, the index drawn), so anyone can re-run the count with the same
seed and get the same result.
"""

from __future__ import annotations

from .blt import SlotValue

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~2 ms at start-up)
if TYPE_CHECKING:
    from random import Random
    from typing import Any

    from .blt import Election

__all__ = ["Count", "CountResult", "scaled_to_number"]


def scaled_to_number(value: int, scale: int) -> int | float:
    """Turn a fixed-point integer into a JSON number (int when exact)."""
    if value % scale == 0:
        return value // scale
    digits = len(str(scale)) - 1
    return round(value / scale, digits)


class CountResult(SlotValue):
    """Outcome of a count.

    ``elected`` lists names in order of election; ``rounds`` is a list of plain
    dicts (round number, votes per candidate, transfers, exhausted, quota, the
    action taken, any tie-break); ``quota`` is the final quota (None for FPTP,
    approval and IRV).
    """

    __slots__ = ("method", "seats", "candidates", "elected", "rounds", "quota", "seed")

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

    def to_json(self) -> dict[str, Any]:
        """The public JSON shape: ``{"elected": [...], "rounds": [...]}``."""
        return {"elected": list(self.elected), "rounds": self.rounds}


class Count:
    """One count in progress, shared by every method: the candidates and seats, the elected
    (indexes, in order), the rounds so far with ``history`` holding each one's votes, and the
    tie-breaks of the round being counted.  A subclass counts by one method and sets
    :attr:`method` and :attr:`scale` (the fixed-point scale of its vote totals)."""

    method = ""
    scale = 1

    def __init__(self, election: Election, seats: int | None, seed: int) -> None:
        self.names = names = election.candidates
        self.seats = seats = election.seats if seats is None else seats
        if not 1 <= seats <= len(names):
            raise ValueError(f"seats must be 1..{len(names)}")
        self.shown = [c for c in range(len(names)) if c not in election.withdrawn]
        self.elected: list[int] = []
        self.rounds: list[dict[str, Any]] = []
        self.history: list[list[int]] = []
        self.tiebreaks: list[dict[str, Any]] = []
        self.seed = seed
        self.rng: Random | None = None  # made at the first lot: most counts draw none
        self.draws = 0

    def num(self, value: int) -> int | float:
        return scaled_to_number(value, self.scale)

    def pick(self, tied: list[int], lowest: bool, purpose: str) -> int:
        """Choose one of ``tied`` (candidate indexes), noting a tie-break for this round.

        With ``lowest`` the candidate with the fewest votes at the look-back round is
        chosen (exclusion), otherwise the one with the most (order of surplus transfer).
        If the look-back round still leaves several level at the extreme, we narrow to
        those and keep looking further back - the rules are silent on three-way ties, and
        this is the reading that only ever uses information about the tied group.
        """
        names, history = self.names, self.history
        group = sorted(tied)
        if len(group) == 1:
            return group[0]
        record: dict[str, Any] = {"purpose": purpose, "tied": [names[c] for c in group]}
        self.tiebreaks.append(record)
        for back in range(len(history) - 1, -1, -1):
            votes = history[back]
            values = {votes[c] for c in group}
            if len(values) == 1:
                continue
            target = min(values) if lowest else max(values)
            group = [c for c in group if votes[c] == target]
            if len(group) == 1:
                record.update(rule="look-back", round=back + 1, chosen=names[group[0]])
                return group[0]
        if self.rng is None:
            from random import Random  # ~1 ms of a whole `commonground tally`, so only here

            # Not for secrecy: a seeded draw, published so that anyone can repeat it.
            self.rng = Random(self.seed)  # noqa: S311
        index = self.rng.randrange(len(group))
        self.draws += 1
        record.update(
            rule="lot",
            seed=self.seed,
            draw_number=self.draws,
            drawn_from=[names[c] for c in group],
            index=index,
            chosen=names[group[index]],
        )
        return group[index]

    def row(
        self, votes: list[int], listed: list[int] | None = None, **fields: Any
    ) -> dict[str, Any]:
        """The record of a round: its votes (of ``listed``, by default every candidate who has
        not withdrawn), the changes since the last round, ``fields``, and its tie-breaks."""
        names, num, shown = self.names, self.num, self.shown
        before = self.history[-1] if self.history else None
        row = {
            "round": len(self.rounds) + 1,
            "votes": {names[c]: num(votes[c]) for c in (shown if listed is None else listed)},
            "transfers": {}
            if before is None
            else {names[c]: num(votes[c] - before[c]) for c in shown if votes[c] != before[c]},
            **fields,
        }
        if self.tiebreaks:
            row["tiebreaks"], self.tiebreaks = self.tiebreaks, []
        return row

    def add(self, row: dict[str, Any], votes: list[int]) -> None:
        self.rounds.append(row)
        self.history.append(votes)

    def result(self, quota: int | float | None = None) -> CountResult:
        names, elected = self.names, [self.names[c] for c in self.elected]
        return CountResult(
            self.method, self.seats, list(names), elected, self.rounds, quota, self.seed
        )
