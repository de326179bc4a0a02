"""In a real browser against a real server (gunicorn): an organiser creates a campaign with an
action and an event of capacity 1; one member takes the place, another joins the waiting list and
is promoted when the first withdraws; the organiser records attendance and turn-out; the member's
organiser record shows both."""

from __future__ import annotations

import re

import pytest

from tests.support.server import Install

pytestmark = [pytest.mark.slow, pytest.mark.browser]
PASSWORD = "a-long-test-password"
SEED = f"""
from werkzeug.security import generate_password_hash
from node.extensions import db
from node.groups.operations import get_group
from node.members.models import Account, Member
group = get_group("walton")
digest = generate_password_hash({PASSWORD!r}, method="pbkdf2:sha256:1000")
for email, name, role in [("orla@example.org", "Orla Organiser", "organiser"),
                          ("ade@example.org", "Ade First", "member"),
                          ("bea@example.org", "Bea Waiting", "member")]:
    account = Account(email=email, password_hash=digest)
    db.session.add(account)
    db.session.flush()
    member = Member(group_id=group.id, account_id=account.id, email=email, name=name, role=role)
    db.session.add(member)
    db.session.flush()
    print(email, member.id)
db.session.commit()
"""


@pytest.fixture
def node(tmp_path):
    with Install(tmp_path / "node") as install:
        install.init("Walton Momentum", slug="walton")
        out = install.python(SEED)
        install.ids = {line.split()[0]: int(line.split()[1]) for line in out.splitlines()}
        install.start()
        yield install


def _session(browser, node, email):  # type: ignore[no-untyped-def]
    page = browser.new_context(base_url=node.url).new_page()
    page.goto("/signin")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))
    return page


def test_campaign_action_event_waitlist_attendance_record(browser, node):  # type: ignore[no-untyped-def]
    org = _session(browser, node, "orla@example.org")
    org.goto("/campaigns/new")
    org.get_by_label("Title", exact=True).fill("Save Everton Library")
    org.get_by_label("Summary").fill("Keep it open five days a week.")
    org.get_by_role("button", name="Save").click()
    org.get_by_role("link", name="Add an action").click()
    org.get_by_label("What to do").fill("Leaflet Heyworth Street")
    org.get_by_label("Date and time").fill("2030-05-01T10:00")
    org.get_by_label("Target number of people").fill("10")
    org.get_by_role("button", name="Add action").click()
    action_url = org.url
    org.get_by_role("link", name=re.compile("Save Everton Library")).click()
    org.get_by_role("link", name="Add an event").click()
    org.get_by_label("Title", exact=True).fill("Library public meeting")
    org.get_by_label("Starts").fill("2030-05-02T19:00")
    org.get_by_label("Ends").fill("2030-05-02T21:00")
    org.get_by_label("Capacity").fill("1")
    org.get_by_role("button", name="Save").click()
    event_url = org.url
    assert re.search(r"/events/\d+$", event_url)

    bea = _session(browser, node, "bea@example.org")
    bea.goto("/campaigns")
    bea.get_by_role("link", name="Save Everton Library").click()
    bea.get_by_role("link", name="Leaflet Heyworth Street").click()
    bea.get_by_role("button", name="Sign up").click()
    bea.locator("text=You're signed up.").first.wait_for()

    ade = _session(browser, node, "ade@example.org")
    ade.goto(event_url)
    ade.get_by_role("button", name="I'm going").click()
    assert "You're going." in ade.locator("#my-rsvp").inner_text()

    bea.goto(event_url)
    bea.get_by_role("button", name="Join the waiting list").click()
    assert "waiting list (number 1)" in bea.locator("#my-rsvp").inner_text()

    ade.get_by_role("button", name="I can't come").click()
    bea.goto(event_url)
    assert "You're going." in bea.locator("#my-rsvp").inner_text()

    bea_id = node.ids["bea@example.org"]
    org.goto(event_url)
    org.check(f'input[name="attended"][value="{bea_id}"]')
    org.get_by_role("button", name="Record attendance").click()
    org.goto(action_url)
    org.check(f'input[name="attended"][value="{bea_id}"]')
    org.get_by_label("What happened").fill("300 leaflets delivered")
    org.get_by_role("button", name="Record who turned up and what happened").click()
    org.locator("text=300 leaflets delivered").first.wait_for()

    bea.goto("/organising/me")
    record = bea.locator("main").inner_text()
    assert "Library public meeting" in record and "Leaflet Heyworth Street" in record
    assert re.search(r"1\s*actions taken", record) and re.search(r"1\s*events attended", record)
