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
    from node.ballots.scheduling import run_due
    from node.ballots.voting import cast_vote

    voter, idle = make_member(group), make_member(group)
    now = clock.utcnow_naive()
    ballot = make_ballot(
        group, officer, opens_at=now + timedelta(hours=2), closes_at=now + timedelta(days=3)
    )
    assert run_due() == 0  # an unscheduled draft never opens by itself
    with clock.frozen(ballot.opens_at + timedelta(minutes=1)):
        assert run_due() == 0
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
        assert run_due() == 0  # nothing more is due

    smtp_sink.clear()
    with clock.frozen(ballot.closes_at - timedelta(hours=23)):
        result = runner.invoke(args=["ballots", "run-due"])
        assert result.exit_code == 0, result.output
        db.session.refresh(ballot)
        assert ballot.reminded_at is not None
        assert sorted(smtp_sink.recipients()) == sorted(
            [officer.email, idle.email]
        )  # not the voter
        assert run_due() == 0  # reminded once only

    with clock.frozen(ballot.closes_at):
        assert run_due() == 1
        db.session.refresh(ballot)
        assert ballot.state == "closed" and ballot.result["elected"] == ["Ann"]
        assert run_due() == 0


def test_lazy_trigger_opens_and_closes_without_a_worker(client, group, officer, make_member):
    member = make_member(group)
    now = clock.utcnow_naive()
    ballot = make_ballot(group, officer, opens_at=now + timedelta(hours=1))
    from node.ballots import operations as ops

    ops.schedule_ballot(ballot, officer)
    db.session.commit()
    client.sign_in(member.email)
    with clock.frozen(ballot.opens_at + timedelta(seconds=5)):
        assert "Check my vote" in client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    with clock.frozen(ballot.closes_at + timedelta(seconds=5)):
        assert "the result will be published" in client.get(f"/ballots/{ballot.id}").get_data(
            as_text=True
        )
    db.session.refresh(ballot)
    assert ballot.state == "closed"


def test_a_scheduled_ballot_whose_electorate_emptied_is_held_back(group, officer, smtp_sink):
    from node.audit import AuditEntry
    from node.ballots import operations as ops
    from node.ballots.scheduling import run_due

    now = clock.utcnow_naive()
    ballot = make_ballot(group, officer, opens_at=now + timedelta(hours=1))
    ops.schedule_ballot(ballot, officer)
    officer.status = "lapsed"
    db.session.commit()
    with clock.frozen(ballot.opens_at):
        assert run_due() == 0
    db.session.refresh(ballot)
    assert ballot.state == "draft" and not ballot.scheduled
    assert db.session.query(AuditEntry).filter_by(action="ballot-not-opened").count() == 1
    assert smtp_sink.recipients() == []


def test_mail_failures_are_visible_in_the_send_log(officer_client, group, officer, app):
    app.config["SMTP_PORT"] = 1  # nothing listens there
    ballot = make_ballot(group, officer, open_it=True)
    page = officer_client.get(f"/ballots/{ballot.id}/mail").get_data(as_text=True)
    assert ">failed<" in page and "cannot connect" in page


def _poison_title(ballot, title: str) -> None:  # type: ignore[no-untyped-def]
    """Store a title the forms now refuse, as data from before the fix (or a bypassing path)."""
    from sqlalchemy import update

    from node.ballots.models import Ballot

    db.session.execute(update(Ballot).where(Ballot.id == ballot.id).values(title=title))
    db.session.commit()
    db.session.refresh(ballot)


def test_one_groups_ballot_title_never_stops_another_groups_ballots(
    group, officer, make_group, make_member, smtp_sink
):
    """Issue 13, finding 4: a title with a line break made the Subject header raise inside
    run_due, and the loop died for the whole install (here with real mail through the sink)."""
    from node.ballots import operations as ops

    other = make_group("Bootle", slug="bootle")
    other_officer = make_member(other, "officer")
    now = clock.utcnow_naive()
    poisoned = make_ballot(group, officer, opens_at=now + timedelta(hours=1))
    fine = make_ballot(other, other_officer, opens_at=now + timedelta(hours=1))
    _poison_title(poisoned, "Budget\r\nBcc: everyone@example.org")
    for ballot, actor in ((poisoned, officer), (fine, other_officer)):
        ops.schedule_ballot(ballot, actor)
    db.session.commit()

    with clock.frozen(poisoned.opens_at):
        assert scheduler.run_due_tasks()["ballots"] == 2
    db.session.refresh(fine)
    db.session.refresh(poisoned)
    assert fine.state == "open" and poisoned.state == "open"
    assert smtp_sink.to(other_officer.email)[0]["Subject"] == f"Ballot open: {fine.title}"
    (mail,) = smtp_sink.to(officer.email)
    assert mail["Subject"] == "Ballot open: Budget Bcc: everyone@example.org"
    assert mail["Bcc"] is None and "everyone@example.org" not in smtp_sink.recipients()


def test_a_ballot_that_fails_is_recorded_retried_and_shown_to_its_own_officers_only(
    client, group, officer, make_group, make_member
):
    """A ballot whose closing raises is rolled back, counted, retried with back-off and shown on
    its page and its group's dashboard; another group's ballot closes on time regardless."""
    from sqlalchemy import select, update

    from node.ballots.models import Ballot
    from node.ballots.scheduling import run_due
    from node.ballots.voting import cast_vote
    from node.scheduler.models import TaskFailure

    other = make_group("Bootle", slug="bootle")
    other_officer = make_member(other, "officer")
    member = make_member(group)
    broken = make_ballot(group, officer, open_it=True)
    fine = make_ballot(other, other_officer, open_it=True, closes_at=broken.closes_at)
    cast_vote(broken, member, [0])
    # A stored counting method nobody can count (a corrupt row): closing raises, not a refusal.
    db.session.execute(update(Ballot).where(Ballot.id == broken.id).values(method="borda"))
    db.session.commit()

    with clock.frozen(broken.closes_at):
        assert run_due() == 1
        failure = db.session.scalar(select(TaskFailure))
        assert failure is not None and failure.key == f"ballot-{broken.id}-close"
        assert (failure.group_id, failure.attempts) == (group.id, 1)
        assert failure.next_attempt_at == broken.closes_at + timedelta(minutes=1)
        assert run_due() == 0  # in back-off: not retried yet, not counted again
        db.session.refresh(failure)
        assert failure.attempts == 1
    db.session.refresh(fine)
    db.session.refresh(broken)
    assert fine.state == "closed" and broken.state == "open"

    with clock.frozen(broken.closes_at + timedelta(minutes=1)):
        assert run_due() == 0
        db.session.refresh(failure)
        assert failure.attempts == 2
        assert failure.next_attempt_at == broken.closes_at + timedelta(minutes=3)

        client.sign_in(officer.email)
        page = client.get(f"/ballots/{broken.id}").get_data(as_text=True)
        assert "failed at" in page and "(attempt 2), will retry at" in page
        assert "Background work that failed" in client.get("/").get_data(as_text=True)
        client.get("/signout")
        client.sign_in(member.email)
        assert "failed at" not in client.get(f"/ballots/{broken.id}").get_data(as_text=True)
        assert "Background work" not in client.get("/").get_data(as_text=True)
        client.sign_in(other_officer.email, base_url="http://bootle.test")
        home = client.get("/", base_url="http://bootle.test")
        assert home.status_code == 200
        assert "Background work" not in home.get_data(as_text=True)

    db.session.execute(update(Ballot).where(Ballot.id == broken.id).values(method="irv"))
    db.session.commit()
    with clock.frozen(broken.closes_at + timedelta(minutes=3)):
        assert run_due() == 1
    db.session.refresh(broken)
    assert broken.state == "closed"
    assert db.session.scalar(select(TaskFailure)) is None  # a success clears the failure
