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

from typing import Any

from .blt import Election
from .result import CountResult, TieBreaker


def _rank_top(
    totals: list[int], eligible: list[int], seats: int, ties: TieBreaker
) -> tuple[list[int], list[dict[str, Any]]]:
    """Top ``seats`` of ``eligible`` by ``totals``; lot only where it matters."""
    order = sorted(eligible, key=lambda c: (-totals[c], c))
    if len(order) <= seats:
        return order, []
    cutoff = totals[order[seats - 1]]
    sure = [c for c in order if totals[c] > cutoff]
    level = [c for c in order if totals[c] == cutoff]
    chosen = list(sure)
    tiebreaks = []
    while len(chosen) < seats:
        pick, record = ties.pick(level, [], lowest=False, purpose="last seat")
        if record:
            tiebreaks.append(record)
        chosen.append(pick)
        level.remove(pick)
    return chosen, tiebreaks


def _simple(election: Election, seats: int | None, seed: int, approval: bool) -> CountResult:
    names = election.candidates
    seats = election.seats if seats is None else seats
    if not 1 <= seats <= len(names):
        raise ValueError(f"seats must be 1..{len(names)}")
    withdrawn = election.withdrawn
    totals = [0] * len(names)
    for weight, ranking in election.ballots:
        for c in ranking:
            if c not in withdrawn:
                totals[c] += weight
                if not approval:
                    break
    eligible = [c for c in range(len(names)) if c not in withdrawn]
    ties = TieBreaker(seed, names)
    winners, tiebreaks = _rank_top(totals, eligible, seats, ties)
    row: dict[str, Any] = {
        "round": 1,
        "votes": {names[c]: totals[c] for c in eligible},
        "transfers": {},
        "exhausted": 0,
        "quota": None,
        "action": {"elected": [names[c] for c in winners]},
    }
    if tiebreaks:
        row["tiebreaks"] = tiebreaks
    return CountResult(
        method="approval" if approval else "fptp",
        seats=seats,
        candidates=list(names),
        elected=[names[c] for c in winners],
        rounds=[row],
        seed=seed,
    )


def count_fptp(election: Election, seats: int | None = None, seed: int = 0) -> CountResult:
    """First preferences, top ``seats``."""
    return _simple(election, seats, seed, approval=False)


def count_approval(election: Election, seats: int | None = None, seed: int = 0) -> CountResult:
    """Every listed candidate approved, top ``seats``."""
    return _simple(election, seats, seed, approval=True)


def count_irv(election: Election, seats: int | None = None, seed: int = 0) -> CountResult:
    """Instant-runoff for a single seat; see the module docstring."""
    names = election.candidates
    if (election.seats if seats is None else seats) != 1:
        raise ValueError(
            "IRV elects exactly one candidate; use --seats 1, or scottish-stv/meek-stv for more"
        )
    continuing = {c for c in range(len(names)) if c not in election.withdrawn}
    shown = sorted(continuing)
    ties = TieBreaker(seed, names)
    history: list[list[int]] = []
    rounds: list[dict[str, Any]] = []
    total = sum(w for w, r in election.ballots if any(c in continuing for c in r))
    # Ballots are regrouped by their remaining (continuing) preferences each
    # round, so later rounds only walk the distinct live rankings.
    live: dict[tuple[int, ...], int] = {}
    for weight, ranking in election.ballots:
        key = tuple(c for c in ranking if c in continuing)
        if key:
            live[key] = live.get(key, 0) + weight
    winner = None
    while winner is None:
        tally = [0] * len(names)
        for key, weight in live.items():
            tally[key[0]] += weight
        active = sum(tally)
        row: dict[str, Any] = {
            "round": len(rounds) + 1,
            "votes": {names[c]: tally[c] for c in shown if c in continuing},
            "transfers": {}
            if not history
            else {names[c]: tally[c] - history[-1][c] for c in shown if tally[c] != history[-1][c]},
            "exhausted": total - active,
            "quota": active // 2 + 1,
        }
        top = max(continuing, key=lambda c: tally[c])
        if 2 * tally[top] > active or len(continuing) == 1:
            winner = top
            row["action"] = {"elected": [names[top]]}
        else:
            low = min(tally[c] for c in continuing)
            loser, record = ties.pick(
                [c for c in continuing if tally[c] == low],
                history,
                lowest=True,
                purpose="elimination",
            )
            if record:
                row["tiebreaks"] = [record]
            row["action"] = {"excluded": names[loser]}
            continuing.discard(loser)
            regrouped: dict[tuple[int, ...], int] = {}
            for key, weight in live.items():
                if loser in key:
                    key = tuple(c for c in key if c != loser)
                    if not key:
                        continue
                regrouped[key] = regrouped.get(key, 0) + weight
            live = regrouped
        history.append(tally)
        rounds.append(row)
        if not continuing:  # pragma: no cover - guarded by len == 1 above
            break
    return CountResult(
        method="irv",
        seats=1,
        candidates=list(names),
        elected=[names[winner]] if winner is not None else [],
        rounds=rounds,
        seed=seed,
    )
