"""The join journey in a real browser at phone size (390×844), against a real server and the real
SMTP sink: a visitor finds the group's public page, asks to join, confirms from the e-mail, and
an officer approves; the new member is on the roster with the consents given."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.server import Install

pytestmark = [pytest.mark.slow, pytest.mark.browser]
PASSWORD = "a-long-test-password"
PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"http://127\.0\.0\.1:\d+(/join/confirm/[A-Za-z0-9_-]+)")
SEED = f"""
from datetime import timedelta
from werkzeug.security import generate_password_hash
from node import clock
from node.events.models import Event
from node.extensions import db
from node.groups.operations import get_group
from node.members.models import Account, Member
from node.public.models import PublicProfile
group = get_group("walton")
account = Account(email="olu@example.org",
                  password_hash=generate_password_hash({PASSWORD!r}, method="pbkdf2:sha256:1000"))
db.session.add(account)
db.session.flush()
db.session.add(Member(group_id=group.id, account_id=account.id, email="olu@example.org",
                      name="Olu Officer", role="officer"))
db.session.add(PublicProfile(group_id=group.id,
                             description="Walton's tenants, organising for **fair rents**."))
start = clock.utcnow_naive() + timedelta(days=5)
db.session.add(Event(group_id=group.id, title="Open meeting on rents", starts_at=start,
                     ends_at=start + timedelta(hours=2), public=True, place="Walton Library"))
db.session.commit()
"""
ROSTER = """
from node.extensions import db
from node.members.models import Member
m = db.session.query(Member).filter_by(email="noor@example.org").one()
print(m.name, m.ward, m.union, m.consent_email, m.consent_phone, m.status)
"""


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.fixture
def node(tmp_path, smtp_sink):  # type: ignore[no-untyped-def]
    mail = {
        "COMMONGROUND_MAIL_ENABLED": "true",
        "COMMONGROUND_SMTP_HOST": "127.0.0.1",
        "COMMONGROUND_SMTP_PORT": str(smtp_sink.port),
    }
    with Install(tmp_path / "node", env=mail) as install:
        install.init("Walton Tenants", slug="walton")
        install.python(SEED)
        install.start()
        smtp_sink.clear()
        yield install


def test_a_visitor_joins_on_a_phone_and_an_officer_approves(browser, node, smtp_sink):  # type: ignore[no-untyped-def]
    visitor = browser.new_context(base_url=node.url, viewport=PHONE).new_page()
    visitor.goto("/")
    expect(visitor.get_by_role("heading", name="Walton Tenants")).to_be_visible()
    expect(visitor.get_by_text("Open meeting on rents", exact=True)).to_be_visible()
    expect(visitor.get_by_role("link", name=re.compile("Add to calendar"))).to_be_visible()
    expect(visitor.locator("strong", has_text="fair rents")).to_be_visible()
    assert _fits(visitor)
    visitor.get_by_role("link", name="Join us").click()
    assert _fits(visitor)
    visitor.get_by_label("Your name").fill("Noor Newcomer")
    visitor.get_by_label("E-mail", exact=True).fill("noor@example.org")
    visitor.get_by_label("Ward or postcode").fill("L4 0TH")
    visitor.get_by_label("Trade union (optional)").fill("Unison")
    visitor.get_by_label(re.compile("contacted by e-mail")).check()
    visitor.get_by_role("button", name="Ask to join").click()
    # Forgot the data statement: a clear message, nothing lost.
    expect(visitor.get_by_text("Please tick this box")).to_be_visible()
    assert visitor.get_by_label("Your name").input_value() == "Noor Newcomer"
    visitor.get_by_label(re.compile("I have read how my details are used")).check()
    visitor.get_by_role("button", name="Ask to join").click()
    expect(visitor.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    [message] = smtp_sink.to("noor@example.org")
    path = LINK.search(smtp_sink.body(message)).group(1)  # type: ignore[union-attr]
    visitor.goto(path)
    visitor.get_by_role("button", name="Confirm my request").click()
    expect(visitor.get_by_role("heading", name=re.compile("request is confirmed"))).to_be_visible()

    officer = browser.new_context(base_url=node.url, viewport=PHONE).new_page()
    officer.goto("/signin")
    officer.get_by_label("E-mail").first.fill("olu@example.org")
    officer.get_by_label("Password").fill(PASSWORD)
    officer.get_by_role("button", name="Sign in").click()
    officer.get_by_role("link", name=re.compile("1 join request waiting")).click()
    officer.get_by_role("link", name=re.compile("Review")).click()
    expect(officer.get_by_text("E-mail: yes · Phone: no")).to_be_visible()
    officer.get_by_role("button", name="Approve").click()
    expect(officer.get_by_text("the new member is on the roster")).to_be_visible()
    assert _fits(officer)
    assert node.python(ROSTER).split() == [
        "Noor",
        "Newcomer",
        "L4",
        "0TH",
        "Unison",
        "True",
        "False",
        "active",
    ]
    assert any("Welcome to" in m["Subject"] for m in smtp_sink.to("noor@example.org"))
