"""Event reminders: one group's event never stops another group's reminders (issue 13, #4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from node import clock, scheduler
from node.extensions import db

NOW = datetime(2030, 6, 10, 9, 0, tzinfo=UTC)


def _event(group: Any, actor: Any, title: str = "Branch meeting") -> Any:
    from node.events import operations as ops

    event = ops.create_event(
        group,
        {
            "title": title,
            "starts_at": datetime(2030, 6, 11, 8, 0),
            "ends_at": datetime(2030, 6, 11, 9, 0),
            "tz": "UTC",
        },
        actor,
    )
    db.session.commit()
    return event


def test_a_poisoned_event_never_stops_another_groups_reminders(
    app: Any, group: Any, officer: Any, make_group: Any, make_member: Any, smtp_sink: Any
) -> None:
    """Old code: the Subject header raised on the first event and the loop stopped there."""
    from node.events import operations as ops
    from node.events.models import Event

    other = make_group("Bootle", slug="bootle")
    other_officer = make_member(other, "officer")
    with clock.frozen(NOW):
        poisoned = _event(group, officer)
        fine = _event(other, other_officer)
        ops.rsvp(poisoned, officer)
        ops.rsvp(fine, other_officer)
        db.session.execute(  # stored before forms refused it, or by a path that bypasses them
            update(Event).where(Event.id == poisoned.id).values(title="Social\nBcc: x@example.org")
        )
        db.session.commit()
    with clock.frozen(NOW + timedelta(hours=1)):
        assert scheduler.run_due_tasks()["events.reminders"] == 2
    assert sorted(smtp_sink.recipients()) == sorted([officer.email, other_officer.email])
    assert smtp_sink.to(officer.email)[0]["Subject"] == "Reminder: Social Bcc: x@example.org"


def test_a_failing_reminder_is_recorded_and_retried_while_others_go_out(
    app: Any,
    group: Any,
    officer: Any,
    make_group: Any,
    make_member: Any,
    smtp_sink: Any,
    monkeypatch: Any,
) -> None:
    from node.events import operations as ops
    from node.scheduler.models import TaskFailure

    other = make_group("Bootle", slug="bootle")
    other_officer = make_member(other, "officer")
    with clock.frozen(NOW):
        broken = _event(group, officer)
        fine = _event(other, other_officer)
        ops.rsvp(broken, officer)
        ops.rsvp(fine, other_officer)
        db.session.commit()
    broken_id = broken.id
    from node.events.models import Event

    # Sending to the first group's members raises (a fault nobody foresaw) until it is mended.
    real_send, mended = ops.message_members, []

    def send_or_fail(to_group: Any, *args: Any, **kwargs: Any) -> Any:
        if to_group.id == group.id and not mended:
            raise RuntimeError("the mail step broke")
        return real_send(to_group, *args, **kwargs)

    monkeypatch.setattr(ops, "message_members", send_or_fail)
    at = NOW.replace(tzinfo=None) + timedelta(hours=1)
    with clock.frozen(NOW + timedelta(hours=1)):
        assert ops.send_due_reminders() == 1
    assert smtp_sink.recipients() == [other_officer.email]
    failure = db.session.scalar(select(TaskFailure))
    assert failure is not None and failure.key == f"event-{broken_id}-reminder"
    assert (failure.group_id, failure.attempts, failure.next_attempt_at) == (
        group.id,
        1,
        at + timedelta(minutes=1),
    )
    assert db.session.get(Event, broken_id).reminder_sent_at is None  # the claim was undone
    mended.append(True)
    with clock.frozen(NOW + timedelta(hours=1, minutes=1)):
        assert ops.send_due_reminders() == 1
    assert sorted(smtp_sink.recipients()) == sorted([officer.email, other_officer.email])
    assert db.session.scalar(select(TaskFailure)) is None


@pytest.mark.parametrize("title", ["Social\nnight", "Social\x00", "Social\u2028night"])
def test_operations_refuse_a_title_that_is_not_one_line(
    app: Any, group: Any, officer: Any, title: str
) -> None:
    from node.errors import Invalid

    with clock.frozen(NOW), pytest.raises(Invalid, match="one line|control character"):
        _event(group, officer, title=title)
