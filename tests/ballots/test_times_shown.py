"""One clock on every ballot page and mail: local UK time, named "(UK time)", inside
``<time datetime>`` with the exact UTC instant; and the pages say only what the mail will do."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from node import clock
from node.extensions import db
from tests.ballots.helpers import make_ballot

SUMMER = datetime(2030, 6, 10, 9, 0, tzinfo=UTC)  # London is UTC+1
CLOSES = "Thu 13 Jun 2030, 10:00 (UK time)"  # make_ballot closes three days on, 09:00 UTC
CLOSES_TAG = '<time datetime="2030-06-13T09:00Z">' + CLOSES + "</time>"
OLD_FORMATS = re.compile(r"\bUTC\b|\d{4}-\d\d-\d\d \d\d:\d\d|Europe/London")


def _text_of(page: str) -> str:
    """What a person reads: the page without its tags (and so without machine attributes)."""
    return re.sub(r"<[^>]+>", " ", page)


def test_every_ballot_page_shows_the_close_the_same_way(client, group, officer, smtp_sink):  # type: ignore[no-untyped-def]
    with clock.frozen(SUMMER):
        ballot = make_ballot(group, officer, open_it=True, title="Summer motion")
        client.sign_in(officer.email)
        pages = {
            path: client.get(path).get_data(as_text=True)
            for path in ("/", "/ballots", f"/ballots/{ballot.id}", f"/ballots/{ballot.id}/mail")
        }
        link = re.search(
            r"http://localhost(/vote/[A-Za-z0-9_-]+)",
            smtp_sink.body(smtp_sink.to(officer.email)[0]),
        )
        assert link is not None
        pages["vote link"] = (
            client.application.test_client().get(link.group(1)).get_data(as_text=True)
        )
    for where, page in pages.items():
        if where != f"/ballots/{ballot.id}/mail":
            assert CLOSES_TAG in page, where
        assert not OLD_FORMATS.search(_text_of(page)), (where, OLD_FORMATS.search(_text_of(page)))
    # The send log gives each mail's time the same way (the opening mail went at 10:00 UK time).
    assert "Mon 10 Jun 2030, 10:00 (UK time)" in pages[f"/ballots/{ballot.id}/mail"]
    assert (
        "Opens" in pages[f"/ballots/{ballot.id}"]
        and "Mon 10 Jun 2030, 09:59 (UK time)" in (pages[f"/ballots/{ballot.id}"])
    )


def test_the_mails_name_the_close_as_the_pages_do(group, officer, smtp_sink):  # type: ignore[no-untyped-def]
    from node.ballots import operations as ops

    with clock.frozen(SUMMER):
        ballot = make_ballot(group, officer, open_it=True)
        opening = smtp_sink.body(smtp_sink.to(officer.email)[0])
        assert f"Voting closes on {CLOSES}." in opening
        ops.send_reminders(ballot)
        db.session.commit()
    reminder = smtp_sink.to(officer.email)[1]
    assert reminder["Subject"] == f"Reminder: Delegates closes {CLOSES}"


def test_the_electorate_page_states_the_reminder_rule(app, officer_client, group, officer):  # type: ignore[no-untyped-def]
    with clock.frozen(SUMMER):
        ballot = make_ballot(
            group, officer, opens_at=SUMMER.replace(tzinfo=None) + timedelta(days=1)
        )
        page = officer_client.get(f"/ballots/{ballot.id}/electorate").get_data(as_text=True)
        assert "reminded a day before it closes (halfway through the voting time" in page
        assert 'joined on or before <strong><time datetime="2030-06-10">10 Jun 2030</time>' in page
        app.config["MAIL_ENABLED"] = False
        page = officer_client.get(f"/ballots/{ballot.id}/electorate").get_data(as_text=True)
    assert "Nobody will be e-mailed: mail is switched off" in page
    assert "is mailed a voting link" not in page


def test_with_mail_off_no_page_claims_a_mail_went(app, officer_client, group, officer, make_member):  # type: ignore[no-untyped-def]
    elector = make_member(group, email="elector@walton.example.org", account=False)
    app.config["MAIL_ENABLED"] = False
    with clock.frozen(SUMMER):
        draft = make_ballot(
            group, officer, opens_at=SUMMER.replace(tzinfo=None) + timedelta(days=1)
        )
        done = officer_client.post_form(
            f"/ballots/{draft.id}/schedule", {}, page=f"/ballots/{draft.id}/electorate"
        )
        said = officer_client.get(done.location).get_data(as_text=True)
        assert "Scheduled: the ballot opens on time. Nobody will be e-mailed" in said
        assert "e-mailed then" not in said

        ballot = make_ballot(group, officer, open_it=True, title="Open one")
        done = officer_client.post_form(
            f"/ballots/{ballot.id}/turnout/{elector.id}/link",
            {},
            page=f"/ballots/{ballot.id}/turnout",
        )
        said = officer_client.get(done.location).get_data(as_text=True)
    assert "The new voting link was not e-mailed to" in said and "switched off" in said
    assert "was e-mailed to" not in said
