"""Opening, reminding and closing happen when time passes: via the worker task or lazily."""

from __future__ import annotations

from datetime import timedelta

from node import clock, scheduler
from node.extensions import db
from tests.ballots.helpers import make_ballot


def test_scheduled_ballot_opens_reminds_and_closes_on_time(
    group, officer, make_member, smtp_sink, runner
):
    from node.ballots import operations as ops
    from node.ballots.voting import cast_vote

    voter, idle = make_member(group), make_member(group)
    now = clock.utcnow_naive()
    ballot = make_ballot(
        group, officer, opens_at=now + timedelta(hours=2), closes_at=now + timedelta(days=3)
    )
    assert ops.run_due() == 0  # an unscheduled draft never opens by itself
    with clock.frozen(ballot.opens_at + timedelta(minutes=1)):
        assert ops.run_due() == 0
    ops.schedule_ballot(ballot, officer)
    db.session.commit()
    assert ballot.state == "draft" and smtp_sink.recipients() == []

    with clock.frozen(ballot.opens_at):
        assert scheduler.run_due_tasks()["ballots"] == 1
        db.session.refresh(ballot)
        assert ballot.state == "open" and ballot.electorate_size == 3
        assert sorted(smtp_sink.recipients()) == sorted([officer.email, voter.email, idle.email])
        cast_vote(ballot, voter, [0])
        db.session.commit()
        assert ops.run_due() == 0  # nothing more is due

    smtp_sink.clear()
    with clock.frozen(ballot.closes_at - timedelta(hours=23)):
        result = runner.invoke(args=["ballots", "run-due"])
        assert result.exit_code == 0, result.output
        db.session.refresh(ballot)
        assert ballot.reminded_at is not None
        assert sorted(smtp_sink.recipients()) == sorted(
            [officer.email, idle.email]
        )  # not the voter
        assert ops.run_due() == 0  # reminded once only

    with clock.frozen(ballot.closes_at):
        assert ops.run_due() == 1
        db.session.refresh(ballot)
        assert ballot.state == "closed" and ballot.result["elected"] == ["Ann"]
        assert ops.run_due() == 0


def test_lazy_trigger_opens_and_closes_without_a_worker(client, group, officer, make_member):
    member = make_member(group)
    now = clock.utcnow_naive()
    ballot = make_ballot(group, officer, opens_at=now + timedelta(hours=1))
    from node.ballots import operations as ops

    ops.schedule_ballot(ballot, officer)
    db.session.commit()
    client.sign_in(member.email)
    with clock.frozen(ballot.opens_at + timedelta(seconds=5)):
        assert "Cast my vote" in client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    with clock.frozen(ballot.closes_at + timedelta(seconds=5)):
        assert "the result will be published" in client.get(f"/ballots/{ballot.id}").get_data(
            as_text=True
        )
    db.session.refresh(ballot)
    assert ballot.state == "closed"


def test_a_scheduled_ballot_whose_electorate_emptied_is_held_back(group, officer, smtp_sink):
    from node.ballots import operations as ops
    from node.members.models import AuditEntry

    now = clock.utcnow_naive()
    ballot = make_ballot(group, officer, opens_at=now + timedelta(hours=1))
    ops.schedule_ballot(ballot, officer)
    officer.status = "lapsed"
    db.session.commit()
    with clock.frozen(ballot.opens_at):
        assert ops.run_due() == 0
    db.session.refresh(ballot)
    assert ballot.state == "draft" and not ballot.scheduled
    assert db.session.query(AuditEntry).filter_by(action="ballot-not-opened").count() == 1
    assert smtp_sink.recipients() == []


def test_mail_failures_are_visible_in_the_send_log(officer_client, group, officer, app):
    app.config["SMTP_PORT"] = 1  # nothing listens there
    ballot = make_ballot(group, officer, open_it=True)
    page = officer_client.get(f"/ballots/{ballot.id}/mail").get_data(as_text=True)
    assert ">failed<" in page and "cannot connect" in page
