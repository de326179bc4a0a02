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
from typing import Any

from .blt import Election
from .result import CountResult, TieBreaker, scaled_to_number

ONE = 10**9
HOPEFUL, ELECTED, EXCLUDED = 0, 1, 2


def count_meek_stv(
    election: Election, seats: int | None = None, seed: int = 0, omega: str = "0.0001"
) -> CountResult:
    """Count ``election`` by Meek STV; see the module docstring."""
    names = election.candidates
    ncand = len(names)
    seats = election.seats if seats is None else seats
    if not 1 <= seats <= ncand:
        raise ValueError(f"seats must be 1..{ncand}")
    whole, _, frac = omega.partition(".")
    tolerance = int(whole or 0) * ONE + int((frac + "0" * 9)[:9] or 0)
    status = [HOPEFUL] * ncand
    keep = [ONE] * ncand
    for c in election.withdrawn:
        status[c] = EXCLUDED
        keep[c] = 0
    shown = [c for c in range(ncand) if c not in election.withdrawn]
    ties = TieBreaker(seed, names)
    elected: list[int] = []
    rounds: list[dict[str, Any]] = []
    history: list[list[int]] = []

    # Only a ballot's *prefix* matters for a distribution: the elected
    # candidates it reaches, up to its first hopeful one (which keeps all that
    # is left).  ``by_prefix`` holds the total weight per prefix (``()`` =
    # exhausted); ``frontier[h]`` holds the ballots whose prefix ends at hopeful
    # h as (weight, ranking, next index, elected before h), so a status change
    # re-routes only the ballots that were sitting on that candidate.
    by_prefix: dict[tuple[int, ...], int] = {}
    frontier: list[list[tuple[int, tuple[int, ...], int, tuple[int, ...]]]] = [
        [] for _ in range(ncand)
    ]

    def route(entries: list[tuple[int, tuple[int, ...], int, tuple[int, ...]]]) -> None:
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

    # First preferences: ballots are filed under their first valid candidate as
    # given (no copying); they are scanned from the start when that candidate
    # changes status, which skips withdrawn and excluded ones and records the
    # elected ones in the prefix.  A ballot naming no valid candidate is not a vote.
    firsts: list[list[tuple[int, tuple[int, ...]]]] = [[] for _ in range(ncand)]
    if election.withdrawn:
        for ballot in election.ballots:
            for c in ballot[1]:
                if status[c] == HOPEFUL:
                    firsts[c].append(ballot)
                    break
    else:
        for ballot in election.ballots:
            if ballot[1]:
                firsts[ballot[1][0]].append(ballot)
    for c in range(ncand):
        if firsts[c]:
            by_prefix[(c,)] = sum(map(itemgetter(0), firsts[c]))

    def changed(c: int) -> None:
        """Candidate ``c`` was just elected or excluded: re-route its ballots."""
        entries = frontier[c]
        frontier[c] = []
        if firsts[c]:
            entries.append((sum(map(itemgetter(0), firsts[c])), (), 0, ()))  # un-count only
        for w, _, _, pre in entries:
            key = (*pre, c)
            left = by_prefix[key] - w
            if left:
                by_prefix[key] = left
            else:
                del by_prefix[key]
        if firsts[c]:
            entries.pop()
        if status[c] == ELECTED:
            entries = [(w, r, j, (*pre, c)) for w, r, j, pre in entries]
        entries += [(w, r, 0, ()) for w, r in firsts[c]]
        firsts[c] = []
        route(entries)

    def prefixes() -> list[tuple[tuple[int, ...], int]]:
        return list(by_prefix.items())

    def distribute(groups: list[tuple[tuple[int, ...], int]]) -> tuple[list[int], int]:
        votes = [0] * ncand
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

    def num(v: int) -> int | float:
        return scaled_to_number(v, ONE)

    votes: list[int] = [0] * ncand
    quota = 0
    excess = 0
    while len(elected) < seats:
        hopeful = [c for c in range(ncand) if status[c] == HOPEFUL]
        if len(hopeful) + len(elected) <= seats:  # too few hopefuls left: all elected
            order = sorted(hopeful, key=lambda c: -votes[c])
            for c in order:
                status[c] = ELECTED
                elected.append(c)
            if not rounds:  # nothing was ever contested: still report the first preferences
                votes, excess = distribute(prefixes())
                quota = sum(votes) // (seats + 1) + 1
                rounds.append(
                    {
                        "round": 1,
                        "votes": {names[c]: num(votes[c]) for c in shown},
                        "transfers": {},
                        "exhausted": num(excess),
                        "quota": num(quota),
                        "action": {},
                    }
                )
            action = rounds[-1]["action"]
            action["elected"] = action.get("elected", []) + [names[c] for c in order]
            action["elected_remaining"] = [names[c] for c in order]
            break
        groups = prefixes()
        last_surplus = None
        iterations = 0
        newly: list[int] = []
        while True:
            iterations += 1
            votes, excess = distribute(groups)
            quota = (sum(votes)) // (seats + 1) + 1
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
        row: dict[str, Any] = {
            "round": len(rounds) + 1,
            "votes": {names[c]: num(votes[c]) for c in shown},
            "transfers": {}
            if not history
            else {
                names[c]: num(votes[c] - history[-1][c])
                for c in shown
                if votes[c] != history[-1][c]
            },
            "exhausted": num(excess),
            "quota": num(quota),
            "keep_values": {names[c]: num(keep[c]) for c in elected},
            "iterations": iterations,
        }
        if newly:
            for c in newly:
                status[c] = ELECTED
                elected.append(c)
                changed(c)
            row["action"] = {"elected": [names[c] for c in newly]}
        else:
            surplus = sum(votes[c] - quota for c in elected)
            low = min(votes[c] for c in hopeful)
            tied = [c for c in hopeful if votes[c] <= low + surplus]
            loser, record = ties.pick(tied, history, lowest=True, purpose="exclusion")
            if record:
                row["tiebreaks"] = [record]
            status[loser] = EXCLUDED
            keep[loser] = 0
            changed(loser)
            row["action"] = {"excluded": names[loser]}
        rounds.append(row)
        history.append(votes)

    return CountResult(
        method="meek-stv",
        seats=seats,
        candidates=list(names),
        elected=[names[c] for c in elected],
        rounds=rounds,
        quota=num(quota),
        seed=seed,
    )
