"""Meek STV, following Hill, Wichmann & Woodall, "Algorithm 123 - Single
Transferable Vote by Meek's method", Computer Journal 30(3), 1987 (as also
described in ERS *Voting matters*).

Meek's idea: instead of moving papers once, every candidate has a *keep value*
(1 for hopeful, 0 for excluded, between 0 and 1 once elected).  Each ballot
gives each candidate in turn the fraction ``weight x keep`` of what is left of
it and passes the rest on, so transfers to already-elected candidates are never
"skipped": an elected candidate keeps only the share it needs and passes the rest.
Keep values are iterated until every elected candidate holds (almost exactly) a
quota.

The count, as implemented:

1. All arithmetic is fixed-point with 9 decimal places, as integers scaled by
   10**9 (Algorithm 123 also works to 9 d.p.).
2. For each ballot, a candidate with keep value ``k`` receives ``w x k`` rounded
   *up* to 9 d.p., and ``w`` is reduced by what was kept (Algorithm 123's rounding,
   which guarantees votes are never created).  What is left after the last
   preference is *excess* (exhausted).
3. quota = (total votes - excess) / (seats + 1), truncated to 9 d.p., plus 10**-9.
4. A hopeful candidate with votes >= quota is elected.
5. Total surplus = sum over elected of (votes - quota).  Iteration stops when a
   candidate is newly elected, when the surplus is below the tolerance (0.0001
   by default), or when it stops decreasing.  Otherwise each elected candidate's
   keep value becomes ``k x quota / votes``, each step rounded up to 9 d.p.
6. If the iteration stopped without an election, the hopeful candidate with
   fewest votes is excluded (keep value 0) and the count continues.
7. When hopeful + elected candidates do not exceed the seats, all hopefuls are
   elected; when the seats are filled the count ends.

Deviations / choices to note:

* Tolerance 0.0001 of a vote (configurable ``omega``); some Meek rules use 10**-5
  or 10**-6.  It only changes when iteration stops, not the arithmetic.
* Exclusion ties: candidates whose votes are within the current total surplus of
  the lowest are treated as tied (their order could still change with further
  iteration), then the look-back rule over earlier rounds, then seeded lot.
  Algorithm 123 settles such ties by lot alone.
* No bulk exclusion of "sure losers"; candidates are excluded one at a time
  (slower but the same outcome except in exotic tie cases).
* Ballots are grouped by their relevant prefix (the elected candidates they
  reach, up to the first hopeful one), kept up to date as candidates are elected
  or excluded; each iteration then walks only the distinct prefixes.  This is
  where the speed comes from; it does not change any number.
"""

from __future__ import annotations

from operator import itemgetter

from .stv import ELECTED, EXCLUDED, HOPEFUL, STVCount

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~2 ms at start-up)
if TYPE_CHECKING:
    from .blt import Election
    from .result import CountResult

ONE = 10**9

# A ballot waiting on a hopeful candidate: (weight, ranking, index of the next preference,
# the elected candidates it reached before that hopeful).
Waiting = tuple[int, tuple[int, ...], int, tuple[int, ...]]


def count_meek_stv(
    election: Election, seats: int | None = None, seed: int = 0, omega: str = "0.0001"
) -> CountResult:
    """Count ``election`` by Meek STV; see the module docstring."""
    return MeekCount(election, seats, seed, omega).run()


class MeekCount(STVCount):
    """Meek STV.  ``by_prefix`` holds the total weight per ballot prefix (``()`` = exhausted);
    ``frontier[h]`` the ballots whose prefix ends at hopeful h, and ``firsts[h]`` those still
    filed as given, so a status change re-routes only the ballots sitting on that candidate."""

    method = "meek-stv"
    scale = ONE

    def __init__(self, election: Election, seats: int | None, seed: int, omega: str) -> None:
        super().__init__(election, seats, seed)
        whole, _, frac = omega.partition(".")
        self.tolerance = int(whole or 0) * ONE + int((frac + "0" * 9)[:9] or 0)
        self.keep = [ONE if s == HOPEFUL else 0 for s in self.status]
        self.votes = [0] * len(self.names)
        self.excess = 0
        self.frontier: list[list[Waiting]] = [[] for _ in self.names]
        self.by_prefix: dict[tuple[int, ...], int] = {
            (c,): sum(map(itemgetter(0), ballots))
            for c, ballots in enumerate(self.firsts)
            if ballots
        }

    def step(self, hopeful: list[int]) -> None:
        """One round: iterate, then elect whoever reached the quota, or exclude the lowest."""
        newly, iterations = self.iterate(hopeful)
        loser = None if newly else self.lowest(hopeful)
        names, elected = self.names, self.elected
        row = self.row(
            self.votes,
            exhausted=self.num(self.excess),
            quota=self.num(self.quota),
            keep_values={names[c]: self.num(self.keep[c]) for c in elected},
            iterations=iterations,
        )
        if loser is None:
            for c in newly:
                self.status[c] = ELECTED
                elected.append(c)
                self.changed(c)
            row["action"] = {"elected": [names[c] for c in newly]}
        else:
            self.status[loser] = EXCLUDED
            self.keep[loser] = 0
            self.changed(loser)
            row["action"] = {"excluded": names[loser]}
        self.add(row, self.votes)

    def lowest(self, hopeful: list[int]) -> int:
        """The hopeful to exclude; those within the total surplus of the lowest count as tied
        (more iterations could still reorder them)."""
        votes, quota = self.votes, self.quota
        surplus = sum(votes[c] - quota for c in self.elected)
        low = min(votes[c] for c in hopeful)
        return self.pick([c for c in hopeful if votes[c] <= low + surplus], True, "exclusion")

    def iterate(self, hopeful: list[int]) -> tuple[list[int], int]:
        """Steps 2-5: distribute and adjust keep values until a hopeful reaches the quota or
        the surplus settles.  Returns the newly elected (most votes first) and the iterations."""
        groups = list(self.by_prefix.items())
        keep, elected, seats, tolerance = self.keep, self.elected, self.seats, self.tolerance
        last_surplus = None
        iterations = 0
        newly: list[int] = []
        while True:
            iterations += 1
            votes, excess = self.distribute(groups)
            quota = sum(votes) // (seats + 1) + 1
            reached = [c for c in hopeful if votes[c] >= quota]
            if reached:
                newly = sorted(reached, key=lambda c: -votes[c])
                break
            surplus = sum(votes[c] - quota for c in elected)
            if surplus < tolerance or (last_surplus is not None and surplus >= last_surplus):
                break
            last_surplus = surplus
            for c in elected:
                k = -(-keep[c] * quota // ONE)
                if votes[c] > 0:
                    keep[c] = min(ONE, -(-k * ONE // votes[c]))
        self.votes, self.excess, self.quota = votes, excess, quota
        return newly, iterations

    def distribute(self, groups: list[tuple[tuple[int, ...], int]]) -> tuple[list[int], int]:
        """Each prefix's weight shared down its candidates by keep value: the votes, and the
        excess (what is left after the last preference)."""
        keep = self.keep
        votes = [0] * len(keep)
        excess = 0
        for prefix, n in groups:
            w = ONE
            for c in prefix:
                k = keep[c]
                if k == ONE:
                    votes[c] += w * n
                    w = 0
                    break
                kept = -(-w * k // ONE)  # rounded up
                votes[c] += kept * n
                w -= kept
                if w <= 0:
                    w = 0
                    break
            excess += w * n
        return votes, excess

    def changed(self, c: int) -> None:
        """Candidate ``c`` was just elected or excluded: re-route its ballots."""
        by_prefix, firsts = self.by_prefix, self.firsts[c]
        entries = self.frontier[c]
        self.frontier[c] = []
        if firsts:
            entries.append((sum(map(itemgetter(0), firsts)), (), 0, ()))  # un-count only
        for w, _, _, pre in entries:
            key = (*pre, c)
            left = by_prefix[key] - w
            if left:
                by_prefix[key] = left
            else:
                del by_prefix[key]
        if firsts:
            entries.pop()
        if self.status[c] == ELECTED:
            entries = [(w, r, j, (*pre, c)) for w, r, j, pre in entries]
        entries += [(w, r, 0, ()) for w, r in firsts]
        self.firsts[c] = []
        self.route(entries)

    def route(self, entries: list[Waiting]) -> None:
        """File each ballot under its next hopeful candidate (or as exhausted), noting the
        elected candidates it passes."""
        by_prefix, frontier, status = self.by_prefix, self.frontier, self.status
        get = by_prefix.get
        for w, ranking, j, pre in entries:
            end = len(ranking)
            while j < end:
                c = ranking[j]
                j += 1
                s = status[c]
                if s == HOPEFUL:
                    frontier[c].append((w, ranking, j, pre))
                    key = (*pre, c)
                    by_prefix[key] = get(key, 0) + w
                    break
                if s == ELECTED:
                    pre = (*pre, c)
            else:
                by_prefix[pre] = get(pre, 0) + w

    def order_remaining(self, hopeful: list[int]) -> list[int]:
        """By the last round's votes; with no round yet, in ballot order, and the first
        preferences are reported as round 1 (nothing was ever contested)."""
        votes = self.votes
        order = sorted(hopeful, key=lambda c: -votes[c])
        if not self.rounds:
            votes, excess = self.distribute(list(self.by_prefix.items()))
            self.quota = sum(votes) // (self.seats + 1) + 1
            self.rounds.append(
                self.row(votes, exhausted=self.num(excess), quota=self.num(self.quota), action={})
            )
        return order
