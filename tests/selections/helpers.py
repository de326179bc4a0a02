"""Shared set-up for the selections tests: a timetable relative to now, and signed-in sites."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from node import clock

DAY = timedelta(days=1)


def spec(**overrides: Any):  # type: ignore[no-untyped-def]
    from node.selections.timetable import SelectionSpec

    now = clock.utcnow_naive().replace(microsecond=0)
    values: dict[str, Any] = {
        "office": "Surrey County Council",
        "area": "Walton South",
        "election_date": date(now.year + 1, 5, 6),
        "places": 2,
        "nominations_open_at": now - timedelta(minutes=1),
        "nominations_close_at": now + 2 * DAY,
        "questions_close_at": now + 3 * DAY,
        "answers_due_at": now + 4 * DAY,
        "ballot_opens_at": now + 4 * DAY,
        "ballot_closes_at": now + 7 * DAY,
        "self_nomination": True,
        "seconders_needed": 2,
        "min_days": 0,
    }
    values.update(overrides)
    return SelectionSpec(**values)


def make_selection(group, officer, **overrides: Any):  # type: ignore[no-untyped-def]
    from node.extensions import db
    from node.selections import operations as ops

    selection = ops.open_selection(group, spec(**overrides), officer)
    db.session.commit()
    return selection


class Site:
    """One signed-in browser on a group's site (Host tenancy: every request goes to ``base``)."""

    def __init__(self, app, email: str, base: str = "http://localhost") -> None:  # type: ignore[no-untyped-def]
        self.base = base
        self.client = app.test_client()
        self.client.sign_in(email, base_url=base)

    def get(self, path: str):  # type: ignore[no-untyped-def]
        return self.client.get(path, base_url=self.base)

    def post(self, path: str, data: dict | None = None, page: str | None = None):  # type: ignore[no-untyped-def]
        return self.client.post_form(path, data or {}, page=page or path, base_url=self.base)
