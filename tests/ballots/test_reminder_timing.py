"""The "closes soon" reminder goes a day before the close, but never before a ballot has run half
its time: a ballot shorter than a day does not remind in the minute it opened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from node import clock
from node.extensions import db
from tests.ballots.helpers import make_ballot

START = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)


def _reminders(smtp_sink) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for _, m in smtp_sink.messages if m["Subject"].startswith("Reminder:"))


def test_a_three_hour_ballot_reminds_only_after_half_its_time(group, officer, smtp_sink):  # type: ignore[no-untyped-def]
    from node.ballots.scheduling import run_due

    with clock.frozen(START):
        ballot = make_ballot(
            group,
            officer,
            open_it=True,
            opens_at=START.replace(tzinfo=None),
            closes_at=(START + timedelta(hours=3)).replace(tzinfo=None),
        )
        assert ballot.state == "open" and _reminders(smtp_sink) == 0
        assert run_due() == 0  # inside the last day, but it opened just now
        db.session.refresh(ballot)
        assert ballot.reminded_at is None
    with clock.frozen(START + timedelta(hours=1, minutes=29)):
        assert run_due() == 0
    with clock.frozen(START + timedelta(hours=1, minutes=30)):
        assert run_due() == 1
        assert _reminders(smtp_sink) == 1  # the officer is the one elector
        assert run_due() == 0  # once only


def test_a_week_long_ballot_still_reminds_a_day_before(group, officer, smtp_sink):  # type: ignore[no-untyped-def]
    from node.ballots.scheduling import run_due

    closes = START + timedelta(days=7)
    with clock.frozen(START):
        make_ballot(
            group,
            officer,
            open_it=True,
            opens_at=START.replace(tzinfo=None),
            closes_at=closes.replace(tzinfo=None),
        )
    with clock.frozen(closes - timedelta(days=1, minutes=1)):
        assert run_due() == 0
    with clock.frozen(closes - timedelta(days=1)):
        assert run_due() == 1 and _reminders(smtp_sink) == 1


def test_the_rule() -> None:
    from node.ballots.operations import reminder_due

    opened = START.replace(tzinfo=None)
    closes = opened + timedelta(hours=30)
    assert not reminder_due(opened, closes, opened + timedelta(hours=6))  # 24h left, 20% run
    assert reminder_due(opened, closes, opened + timedelta(hours=15))  # half run, 15h left
    assert not reminder_due(opened, closes, closes)  # closed: nothing to remind of
    assert reminder_due(None, closes, closes - timedelta(hours=1))
