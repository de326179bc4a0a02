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

from .blt import Election
from .result import CountResult, TieBreaker, scaled_to_number

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~2 ms at start-up)
if TYPE_CHECKING:
    from typing import Any

SCALE = 100_000
CONTINUING, ELECTED, EXCLUDED = 0, 1, 2

Entry = tuple[int, tuple[int, ...], int]


def count_scottish_stv(election: Election, seats: int | None = None, seed: int = 0) -> CountResult:
    """Count ``election`` by the Scottish STV rules; see the module docstring."""
    names = election.candidates
    ncand = len(names)
    seats = election.seats if seats is None else seats
    if not 1 <= seats <= ncand:
        raise ValueError(f"seats must be 1..{ncand}")
    status = [CONTINUING] * ncand
    for c in election.withdrawn:
        status[c] = EXCLUDED
    shown = [c for c in range(ncand) if c not in election.withdrawn]

    # Rule 45: first stage.  ``firsts[c]`` holds c's first-preference ballots
    # as given (weight, ranking) - no copying; later parcels live in
    # ``piles[c] = {value: [(count, ranking, index of next preference), ...]}``.
    # A paper is routed by scanning its ranking for the next *continuing*
    # candidate, which skips withdrawn, excluded, elected and the source alike.
    firsts: list[list[tuple[int, tuple[int, ...]]]] = [[] for _ in range(ncand)]
    piles: list[dict[int, list[Entry]]] = [{} for _ in range(ncand)]
    if election.withdrawn:
        for ballot in election.ballots:
            for c in ballot[1]:
                if status[c] == CONTINUING:
                    firsts[c].append(ballot)
                    break
    else:
        for ballot in election.ballots:
            if ballot[1]:
                firsts[ballot[1][0]].append(ballot)
    votes = [sum(map(itemgetter(0), firsts[c])) for c in range(ncand)]
    valid = sum(votes)
    votes = [v * SCALE for v in votes]
    quota_votes = valid // (seats + 1) + 1  # Rule 46
    quota = quota_votes * SCALE

    ties = TieBreaker(seed, names)
    elected: list[int] = []
    pending: list[int] = []  # elected, surplus not yet transferred
    history: list[list[int]] = []
    rounds: list[dict[str, Any]] = []
    exhausted = 0
    loss = 0

    def num(v: int) -> int | float:
        return scaled_to_number(v, SCALE)

    def record(action: dict[str, Any], before: list[int] | None, tiebreaks: list) -> None:
        row: dict[str, Any] = {
            "round": len(rounds) + 1,
            "votes": {names[c]: num(votes[c]) for c in shown},
            "transfers": {}
            if before is None
            else {names[c]: num(votes[c] - before[c]) for c in shown if votes[c] != before[c]},
            "exhausted": num(exhausted),
            "loss": num(loss),
            "quota": quota_votes,
            "action": action,
        }
        if tiebreaks:
            row["tiebreaks"] = tiebreaks
        rounds.append(row)
        history.append(list(votes))

    def order_by_votes(cands: list[int], tiebreaks: list) -> list[int]:
        """Highest votes first; exact ties by look-back, then lot."""
        out: list[int] = []
        rest = sorted(cands, key=lambda c: -votes[c])
        while rest:
            top = [c for c in rest if votes[c] == votes[rest[0]]]
            chosen, tb = ties.pick(top, history, lowest=False, purpose="order of election")
            if tb:
                tiebreaks.append(tb)
            out.append(chosen)
            rest.remove(chosen)
        return out

    def elect_reaching_quota(tiebreaks: list) -> list[int]:
        """Rule 47; returns the newly elected in order."""
        reached = [c for c in range(ncand) if status[c] == CONTINUING and votes[c] >= quota]
        new = order_by_votes(reached, tiebreaks)
        for c in new:
            status[c] = ELECTED
            elected.append(c)
            if votes[c] > quota:
                pending.append(c)
        return new

    def move(source: int, factor: tuple[int, int] | None) -> tuple[int, list[int | float]]:
        """Move every paper of ``source`` to its next continuing preference.

        ``factor`` = (surplus, total) for a surplus transfer, None for an
        exclusion (papers keep their value).  Returns (value moved to candidates
        or non-transferable, distinct transfer values used).
        """
        nonlocal exhausted
        moved = 0
        tvs: list[int] = []
        parcels: list[tuple[int, list, bool]] = [(SCALE, firsts[source], True)]
        parcels += [(value, entries, False) for value, entries in piles[source].items()]
        for value, entries, first in parcels:
            if not entries:
                continue
            if factor is not None:
                value = factor[0] * value // factor[1]  # 5 d.p., remainder ignored
                tvs.append(value)
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
                    if status[t] == CONTINUING:
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
            exhausted += dead * value
            moved += dead * value
        piles[source] = {}
        firsts[source] = []
        return moved, [num(v) for v in sorted(set(tvs), reverse=True)]

    tiebreaks: list = []
    first = elect_reaching_quota(tiebreaks)
    record({"first_preferences": True, "elected": [names[c] for c in first]}, None, tiebreaks)

    while len(elected) < seats:
        continuing = [c for c in range(ncand) if status[c] == CONTINUING]
        remaining = seats - len(elected)
        if len(continuing) <= remaining:  # Rule 52
            tiebreaks = rounds[-1].setdefault("tiebreaks", [])
            last = order_by_votes(continuing, tiebreaks)
            if not tiebreaks:
                del rounds[-1]["tiebreaks"]
            for c in last:
                status[c] = ELECTED
                elected.append(c)
            action = rounds[-1]["action"]
            action["elected"] = action.get("elected", []) + [names[c] for c in last]
            action["elected_remaining"] = [names[c] for c in last]
            break
        before = list(votes)
        tiebreaks = []
        if pending:  # Rules 48-49
            top = max(votes[c] for c in pending)
            source, tb = ties.pick(
                [c for c in pending if votes[c] == top], history, lowest=False, purpose="surplus"
            )
            if tb:
                tiebreaks.append(tb)
            pending.remove(source)
            surplus = votes[source] - quota
            moved, tvs = move(source, (surplus, votes[source]))
            votes[source] = quota
            loss += surplus - moved
            action: dict[str, Any] = {"surplus_of": names[source], "surplus": num(surplus)}
            action["transfer_values"] = tvs
        else:  # Rules 50-51
            low = min(votes[c] for c in continuing)
            source, tb = ties.pick(
                [c for c in continuing if votes[c] == low],
                history,
                lowest=True,
                purpose="exclusion",
            )
            if tb:
                tiebreaks.append(tb)
            status[source] = EXCLUDED
            moved, _ = move(source, None)
            votes[source] = 0
            action = {"excluded": names[source]}
        new = elect_reaching_quota(tiebreaks)
        if new:
            action["elected"] = [names[c] for c in new]
        record(action, before, tiebreaks)

    return CountResult(
        method="scottish-stv",
        seats=seats,
        candidates=list(names),
        elected=[names[c] for c in elected],
        rounds=rounds,
        quota=quota_votes,
        seed=seed,
    )
