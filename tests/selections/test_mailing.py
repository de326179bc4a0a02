"""Each step of a selection mailed to its electorate once (issue 19): nominations open,
nominations closed (valid nominees with links to their statements), hustings answers published;
then the ballots room's own opening mail with each member's personal voting link. Mail is read
from the real SMTP sink; the clock is advanced through the timetable."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from node import clock
from node.ballots.scheduling import run_due as ballots_due
from node.extensions import db
from node.mail import MailLog
from node.selections import balloting
from node.selections import operations as ops
from node.selections.models import Mailing
from tests.selections.helpers import DAY, make_selection

VOTE_LINK = re.compile(r"http://localhost/vote/[A-Za-z0-9_-]+")


def _subjects(smtp_sink, address: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m["Subject"]) for m in smtp_sink.to(address)]


def _outcomes(selection) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rows = db.session.scalars(select(Mailing).where(Mailing.selection_id == selection.id))
    return {row.step: row.outcome for row in rows}


def test_each_step_reaches_each_consenting_member_once(app, group, officer, make_member, smtp_sink):
    voters = [make_member(group, name=f"Voter {i}") for i in range(2)]
    candidates = [make_member(group, name=f"Cand {i}") for i in range(3)]
    no_consent = make_member(group, name="Quiet", consent_email=False)
    lapsed = make_member(group, name="Lapsed", status="lapsed")
    broken = make_member(group, name="Broken", email="broken@@example.org")  # refused by node.mail
    electorate = [officer, *voters, *candidates]
    selection = make_selection(group, officer, places=1, seconders_needed=0)

    assert balloting.run_due() >= 1
    assert balloting.run_due() == 0  # a second run sends nothing
    for person in electorate:
        (subject,) = _subjects(smtp_sink, person.email)
        assert subject == "Nominations are open: Surrey County Council, Walton South"
        body = smtp_sink.body(smtp_sink.to(person.email)[0])
        assert f"http://localhost/selections/{selection.id}" in body
        assert "Nominations close" in body and "/unsubscribe/" in body
    failed = db.session.scalars(select(MailLog).where(MailLog.status == "failed")).all()
    assert [row.recipient for row in failed] == [broken.email]  # the others went all the same
    assert _outcomes(selection)["opened"] == (
        "6 members e-mailed; 1 could not be sent (see the send log); 1 not e-mailed "
        "(no address or no consent to e-mail): tell them another way."
    )

    for person in candidates:
        ops.nominate(selection, person, person.id)
    db.session.commit()
    clock.advance(2 * DAY + timedelta(minutes=1))
    balloting.run_due()
    balloting.run_due()
    for person in electorate:
        subjects = _subjects(smtp_sink, person.email)
        assert subjects.count("Nominations closed: Surrey County Council, Walton South") == 1
    body = smtp_sink.body(smtp_sink.to(voters[0].email)[-1]).replace("\r\n", "\n")
    for nomination in selection.nominations:
        link = f"http://localhost/selections/{selection.id}/candidates/{nomination.id}"
        assert f"- {nomination.nominee.name}\n  {link}" in body
    assert "A ballot of the valid nominees" in body

    clock.advance(2 * DAY)  # answers due; the ballot opens
    balloting.run_due()
    ballots_due()
    balloting.run_due()
    balloting.run_due()
    for person in electorate:
        subjects = _subjects(smtp_sink, person.email)
        assert (
            subjects.count("Hustings answers published: Surrey County Council, Walton South") == 1
        )
        ballot_mails = [m for m in smtp_sink.to(person.email) if "Ballot open" in m["Subject"]]
        assert len(ballot_mails) == 1  # the ballots room's own mail, with the voting link
        assert len(VOTE_LINK.findall(smtp_sink.body(ballot_mails[0]))) == 1
        assert len(subjects) == 4
    assert _subjects(smtp_sink, lapsed.email) == []
    # Consent covers the group's mail; a voter's own voting link is the ballots room's to send.
    assert _subjects(smtp_sink, no_consent.email) == [
        "Ballot open: Selection: Surrey County Council, Walton South"
    ]
    assert set(_outcomes(selection)) == {"opened", "closed", "answers"}


def test_a_step_due_while_mail_is_off_is_recorded_not_sent(app, group, officer, smtp_sink):
    selection = make_selection(group, officer, places=2)
    app.config["MAIL_ENABLED"] = False
    balloting.run_due()
    app.config["MAIL_ENABLED"] = True
    balloting.run_due()
    assert smtp_sink.messages == []
    assert _outcomes(selection) == {"opened": "not sent: mail is switched off on this server"}


def test_an_opening_overtaken_by_the_close_is_not_mailed_late(
    app, group, officer, make_member, smtp_sink
):
    """Nominations that closed before the first run: no "how to nominate" mail, and the close
    says the selection is uncontested."""
    selection = make_selection(group, officer, places=2, seconders_needed=0)
    ops.nominate(selection, officer, officer.id)
    db.session.commit()
    clock.advance(2 * DAY + timedelta(minutes=1))
    balloting.run_due()
    balloting.run_due()
    assert _subjects(smtp_sink, officer.email) == [
        "Nominations closed: Surrey County Council, Walton South"
    ]
    assert "Uncontested" in smtp_sink.body(smtp_sink.to(officer.email)[0])
    assert _outcomes(selection)["opened"] == "not sent: nominations had closed before it could go"
