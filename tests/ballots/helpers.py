"""Shared set-up for the ballots tests: a ballot spec with sensible times, and voting helpers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from node import clock


def spec(**overrides: Any):  # type: ignore[no-untyped-def]
    from node.ballots.operations import BallotSpec

    now = clock.utcnow_naive().replace(microsecond=0)
    values: dict[str, Any] = {
        "title": "Delegates",
        "question": "Who should represent us?",
        "kind": "candidate-selection",
        "method": "irv",
        "options": ["Ann", "Bob", "Cat"],
        "seats": 1,
        "opens_at": now - timedelta(minutes=1),
        "closes_at": now + timedelta(days=3),
        "freeze_on": clock.today(),
    }
    values.update(overrides)
    return BallotSpec(**values)


def make_ballot(group, officer=None, open_it: bool = False, **overrides: Any):  # type: ignore[no-untyped-def]
    from node.ballots import operations as ops
    from node.extensions import db

    ballot = ops.create_ballot(group, spec(**overrides), officer)
    if open_it:
        ops.schedule_ballot(ballot, officer, open_now=True)
    db.session.commit()
    return ballot


def option_ids(ballot) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {o.name: o.id for o in ballot.options}


def ranked_form(ballot, *names: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    ids = option_ids(ballot)
    form = {f"rank-{i}": "" for i in ids.values()}
    for n, name in enumerate(names, 1):
        form[f"rank-{ids[name]}"] = str(n)
    return form
