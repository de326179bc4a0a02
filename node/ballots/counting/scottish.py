"""Scottish STV: the Scottish Local Government Elections Order 2007 (SSI 2007/42),
Schedule 1, rules 45-52.

What the rules say, and how this module does it:

* Rule 45/46 - first stage and quota.  Valid papers are sorted by first preference;
  quota = floor(valid papers / (seats + 1)) + 1.  A paper is valid here when it
  names at least one candidate who has not withdrawn.
* Rule 47 - a candidate whose votes equal or exceed the quota at any stage is
  elected.  Candidates reaching the quota at the same stage are listed in order of
  their votes (ties for that order: look-back, then lot).
* Rule 48 - surplus transfer is the Weighted Inclusive Gregory Method: *all* the
  papers the elected candidate holds (not just the last parcel - the Order says
  "the ballot papers received by that candidate") pass to the next continuing
  preference, each at transfer value = surplus x value of the paper when received
  / total votes of the candidate, "calculated to five decimal places (any
  remainder being ignored)" - i.e. truncated.  Papers with no further continuing
  preference are non-transferable; what truncation drops is recorded as ``loss``.
  After the transfer the candidate is left with exactly the quota.
* Rule 49 - with several surpluses the largest goes first; equal surpluses: the
  candidate with more votes at the most recent earlier stage where they differed,
  else by lot.
* Rule 50/51 - when no surplus is left the continuing candidate with fewest votes
  is excluded and each of their papers moves at the value it arrived with; ties:
  fewest votes at the most recent earlier stage where they differed, else by lot.
* Rule 52 - when the continuing candidates are no more than the vacancies left
  they are all elected and no further transfer is made.

Papers never go to a candidate already elected or excluded (only "continuing
candidates" receive transfers).  All vote totals are integers scaled by 10**5, so
there is no floating point anywhere in the count.

Performance: ballots arrive grouped by ranking, and papers are kept per candidate
as parcels ``{value: [(count, ranking, next position), ...]}``: a transfer value
is computed once per parcel, and each transfer touches one entry per distinct
ranking in the parcel, never one per paper.
"""

from __future__ import annotations

from operator import itemgetter

from .stv import ELECTED, EXCLUDED, HOPEFUL, STVCount

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~2 ms at start-up)
if TYPE_CHECKING:
    from typing import Any

    from .blt import Election
    from .result import CountResult

SCALE = 100_000

# Papers received from a transfer: (count, ranking, index of the next preference).
Entry = tuple[int, tuple[int, ...], int]


def count_scottish_stv(election: Election, seats: int | None = None, seed: int = 0) -> CountResult:
    """Count ``election`` by the Scottish STV rules; see the module docstring."""
    return ScottishCount(election, seats, seed).run()


class ScottishCount(STVCount):
    """Scottish STV; the rule numbers are those of Schedule 1 (see the module docstring)."""

    method = "scottish-stv"
    scale = SCALE

    def __init__(self, election: Election, seats: int | None, seed: int) -> None:
        super().__init__(election, seats, seed)
        self.piles: list[dict[int, list[Entry]]] = [{} for _ in self.names]
        votes = [sum(map(itemgetter(0), ballots)) for ballots in self.firsts]
        self.quota = (sum(votes) // (self.seats + 1) + 1) * SCALE  # Rule 46
        self.votes = [v * SCALE for v in votes]
        self.pending: list[int] = []  # elected, surplus not yet transferred
        self.exhausted = self.loss = 0

    def run(self) -> CountResult:
        """Rule 45, the first stage, then the round loop."""
        first = self.elect_reaching_quota()
        self.record({"first_preferences": True, "elected": [self.names[c] for c in first]})
        return super().run()

    def step(self, hopeful: list[int]) -> None:
        """One stage: transfer the largest surplus or exclude the lowest, then elect."""
        action = self.transfer_surplus() if self.pending else self.exclude_lowest(hopeful)
        new = self.elect_reaching_quota()
        if new:
            action["elected"] = [self.names[c] for c in new]
        self.record(action)

    def transfer_surplus(self) -> dict[str, Any]:
        """Rules 48-49: the largest surplus first."""
        votes, pending = self.votes, self.pending
        top = max(votes[c] for c in pending)
        source = self.pick([c for c in pending if votes[c] == top], False, "surplus")
        pending.remove(source)
        surplus = votes[source] - self.quota
        moved, values = self.move(source, (surplus, votes[source]))
        votes[source] = self.quota
        self.loss += surplus - moved
        name = self.names[source]
        return {"surplus_of": name, "surplus": self.num(surplus), "transfer_values": values}

    def exclude_lowest(self, continuing: list[int]) -> dict[str, Any]:
        """Rules 50-51: papers move at the value they arrived with."""
        votes = self.votes
        low = min(votes[c] for c in continuing)
        source = self.pick([c for c in continuing if votes[c] == low], True, "exclusion")
        self.status[source] = EXCLUDED
        self.move(source, None)
        votes[source] = 0
        return {"excluded": self.names[source]}

    def elect_reaching_quota(self) -> list[int]:
        """Rule 47; returns the newly elected in order."""
        votes, quota, status = self.votes, self.quota, self.status
        new = self.order_remaining(
            [c for c, s in enumerate(status) if s == HOPEFUL and votes[c] >= quota]
        )
        for c in new:
            status[c] = ELECTED
            self.elected.append(c)
            if votes[c] > quota:
                self.pending.append(c)
        return new

    def order_remaining(self, cands: list[int]) -> list[int]:
        """Highest votes first; exact ties by look-back, then lot."""
        votes = self.votes
        out: list[int] = []
        rest = sorted(cands, key=lambda c: -votes[c])
        while rest:
            chosen = self.pick(
                [c for c in rest if votes[c] == votes[rest[0]]], False, "order of election"
            )
            out.append(chosen)
            rest.remove(chosen)
        return out

    def move(self, source: int, factor: tuple[int, int] | None) -> tuple[int, list[int | float]]:
        """Move every paper of ``source`` to its next continuing preference (a paper's ranking
        is scanned on, skipping withdrawn, excluded and elected candidates and the source).

        ``factor`` = (surplus, total) for a surplus transfer, None for an exclusion (papers
        keep their value).  Returns (value moved to candidates or non-transferable, distinct
        transfer values used).
        """
        status, piles, votes = self.status, self.piles, self.votes
        ncand = len(status)
        moved = 0
        values: list[int] = []
        parcels: list[tuple[int, list[Any], bool]] = [(SCALE, self.firsts[source], True)]
        parcels += [(value, entries, False) for value, entries in piles[source].items()]
        for value, entries, first in parcels:
            if not entries:
                continue
            if factor is not None:
                value = factor[0] * value // factor[1]  # 5 d.p., remainder ignored
                values.append(value)
                if value == 0:
                    continue
            sent: list[list[Entry]] = [[] for _ in range(ncand)]
            papers = [0] * ncand
            dead = 0
            for entry in entries:
                if first:
                    n, ranking = entry
                    j = 0
                else:
                    n, ranking, j = entry
                end = len(ranking)
                while j < end:
                    t = ranking[j]
                    j += 1
                    if status[t] == HOPEFUL:
                        sent[t].append((n, ranking, j))
                        papers[t] += n
                        break
                else:
                    dead += n
            for t in range(ncand):
                if papers[t]:
                    parcel = piles[t].get(value)
                    if parcel is None:
                        piles[t][value] = sent[t]
                    else:
                        parcel.extend(sent[t])
                    votes[t] += papers[t] * value
                    moved += papers[t] * value
            self.exhausted += dead * value
            moved += dead * value
        piles[source] = {}
        self.firsts[source] = []
        return moved, [self.num(v) for v in sorted(set(values), reverse=True)]

    def record(self, action: dict[str, Any]) -> None:
        num = self.num
        row = self.row(
            self.votes,
            exhausted=num(self.exhausted),
            loss=num(self.loss),
            quota=num(self.quota),
            action=action,
        )
        self.add(row, list(self.votes))
