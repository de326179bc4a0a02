"""First past the post, approval, and instant-runoff (alternative vote).

* FPTP: each valid ballot counts once for its first non-withdrawn preference; the
  ``seats`` candidates with most votes win (multi-seat: top-N).
* Approval: each ballot approves every candidate it lists (withdrawn ones
  skipped); the ``seats`` candidates with most approvals win.
* IRV (one seat): each round a ballot counts for its highest-ranked continuing
  candidate; a candidate holding more than half of the continuing (non-exhausted)
  votes wins; otherwise the candidate with fewest votes is eliminated.  Ties for
  elimination use the earlier-round rule (fewest votes at the most recent
  previous round where the tied candidates differed), then a seeded lot.  If
  only one candidate remains they win.

Ties for the last seat(s) in FPTP/approval have no earlier round to look back to
and are settled by seeded lot, recorded in the round.
"""

from __future__ import annotations

from .result import Count

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~2 ms at start-up)
if TYPE_CHECKING:
    from .blt import Election
    from .result import CountResult


def count_fptp(election: Election, seats: int | None = None, seed: int = 0) -> CountResult:
    """First preferences, top ``seats``."""
    return TopCount(election, seats, seed, approval=False).run()


def count_approval(election: Election, seats: int | None = None, seed: int = 0) -> CountResult:
    """Every listed candidate approved, top ``seats``."""
    return TopCount(election, seats, seed, approval=True).run()


def count_irv(election: Election, seats: int | None = None, seed: int = 0) -> CountResult:
    """Instant-runoff for a single seat; see the module docstring."""
    if (election.seats if seats is None else seats) != 1:
        raise ValueError(
            "IRV elects exactly one candidate; use --seats 1, or scottish-stv/meek-stv for more"
        )
    return IRVCount(election, seed).run()


class TopCount(Count):
    """FPTP or approval: one round, the ``seats`` candidates with the highest totals."""

    def __init__(self, election: Election, seats: int | None, seed: int, approval: bool) -> None:
        super().__init__(election, seats, seed)
        self.method = "approval" if approval else "fptp"
        withdrawn = election.withdrawn
        self.totals = totals = [0] * len(self.names)
        for weight, ranking in election.ballots:
            for c in ranking:
                if c not in withdrawn:
                    totals[c] += weight
                    if not approval:
                        break

    def run(self) -> CountResult:
        self.elected = self.top()
        action = {"elected": [self.names[c] for c in self.elected]}
        self.rounds.append(self.row(self.totals, exhausted=0, quota=None, action=action))
        return self.result()

    def top(self) -> list[int]:
        """The top ``seats`` by total; lot only where it matters."""
        totals, seats = self.totals, self.seats
        order = sorted(self.shown, key=lambda c: (-totals[c], c))
        if len(order) <= seats:
            return order
        cutoff = totals[order[seats - 1]]
        chosen = [c for c in order if totals[c] > cutoff]
        level = [c for c in order if totals[c] == cutoff]
        while len(chosen) < seats:
            pick = self.pick(level, False, "last seat")
            chosen.append(pick)
            level.remove(pick)
        return chosen


class IRVCount(Count):
    """Instant-runoff.  Ballots are regrouped by their remaining (continuing) preferences
    each round, so later rounds only walk the distinct live rankings."""

    method = "irv"

    def __init__(self, election: Election, seed: int) -> None:
        super().__init__(election, 1, seed)
        self.continuing = continuing = {
            c for c in range(len(self.names)) if c not in election.withdrawn
        }
        self.total = sum(w for w, r in election.ballots if any(c in continuing for c in r))
        self.live: dict[tuple[int, ...], int] = {}
        for weight, ranking in election.ballots:
            key = tuple(c for c in ranking if c in continuing)
            if key:
                self.live[key] = self.live.get(key, 0) + weight

    def run(self) -> CountResult:
        while not self.elected:
            self.step()
        return self.result()

    def step(self) -> None:
        """One round: elect a majority winner (or the last one left), else eliminate."""
        continuing, names = self.continuing, self.names
        tally = [0] * len(names)
        for key, weight in self.live.items():
            tally[key[0]] += weight
        active = sum(tally)
        top = max(continuing, key=lambda c: tally[c])
        if 2 * tally[top] > active or len(continuing) == 1:
            loser = None
        else:
            low = min(tally[c] for c in continuing)
            loser = self.pick([c for c in continuing if tally[c] == low], True, "elimination")
        listed = [c for c in self.shown if c in continuing]
        row = self.row(tally, listed, exhausted=self.total - active, quota=active // 2 + 1)
        if loser is None:
            self.elected.append(top)
            row["action"] = {"elected": [names[top]]}
        else:
            row["action"] = {"excluded": names[loser]}
            self.eliminate(loser)
        self.add(row, tally)

    def eliminate(self, loser: int) -> None:
        self.continuing.discard(loser)
        regrouped: dict[tuple[int, ...], int] = {}
        for key, weight in self.live.items():
            if loser in key:
                key = tuple(c for c in key if c != loser)
                if not key:
                    continue
            regrouped[key] = regrouped.get(key, 0) + weight
        self.live = regrouped
