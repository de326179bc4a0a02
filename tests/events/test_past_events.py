"""An event that would start in the past is refused at save, on the start field, with nothing
stored; an event that has happened can still be edited as long as its times are left alone."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select

from node import clock

NOW = datetime(2030, 6, 10, 9, 0, tzinfo=UTC)  # 10:00 in London
FORM = {
    "title": "Branch meeting",
    "kind": "meeting",
    "tz": "Europe/London",
    "place": "Casa, Hope St",
    "programme_id": "0",
    "campaign_id": "0",
    "public": "y",
}


def _count() -> int:
    from node.events.models import Event
    from node.extensions import db

    return db.session.scalar(select(func.count()).select_from(Event)) or 0


def _post(client, path: str, start: str, end: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post_form(path, {**FORM, "starts_at": start, "ends_at": end, **extra})


def _start_error(body: str) -> bool:
    field = re.search(r'<input[^>]*name="starts_at"[^>]*>', body)
    return field is not None and 'aria-invalid="true"' in field.group(0)


def test_a_new_event_in_the_past_is_refused_on_its_start_field(app, officer_client):
    with clock.frozen(NOW):
        yesterday = _post(officer_client, "/events/new", "2030-06-09T19:00", "2030-06-09T21:00")
        body = yesterday.get_data(as_text=True)
        assert yesterday.status_code == 400
        assert "This start time has already passed" in body and _start_error(body)
        assert 'value="Casa, Hope St"' in body  # what was typed is kept
        assert _count() == 0
        # Starting a few minutes ago (the form took a while): accepted.
        just_now = _post(officer_client, "/events/new", "2030-06-10T09:55", "2030-06-10T11:00")
        assert just_now.status_code == 302


def test_a_past_event_can_be_edited_if_its_times_stay_the_same(app, officer_client):
    with clock.frozen(NOW):
        made = _post(officer_client, "/events/new", "2030-06-11T19:00", "2030-06-11T21:00")
        path = made.headers["Location"].removeprefix("http://walton.test") + "/edit"
    with clock.frozen(datetime(2030, 6, 20, 9, 0, tzinfo=UTC)):  # the meeting was last week
        kept = _post(
            officer_client, path, "2030-06-11T19:00", "2030-06-11T21:00", title="Branch AGM"
        )
        assert kept.status_code == 302, kept.get_data(as_text=True)
        moved = _post(officer_client, path, "2030-06-12T19:00", "2030-06-12T21:00")
        assert moved.status_code == 400
        assert _start_error(moved.get_data(as_text=True))
        again = _post(officer_client, path, "2030-06-27T19:00", "2030-06-27T21:00")
        assert again.status_code == 302  # moved to a future date: fine
