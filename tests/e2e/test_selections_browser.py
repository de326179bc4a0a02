"""Selections in a real browser at phone size (390×844), with and without JavaScript, against a
real server: a member nominates another, who accepts; a member puts a hustings question. Each
page fits the phone's width."""

from __future__ import annotations

import re

import pytest

from tests.support.server import Install

pytestmark = [pytest.mark.slow, pytest.mark.browser]
PASSWORD = "a-long-test-password"
PHONE = {"width": 390, "height": 844}
PEOPLE = ("Olu Officer", "Ann Able", "Bea Bold", "Cy Calm", "Dot Deft")
SEED = f"""
from datetime import date, timedelta
from werkzeug.security import generate_password_hash
from node import clock
from node.extensions import db
from node.groups.operations import get_group
from node.members.models import Account, Member
from node.selections.operations import open_selection
from node.selections.timetable import SelectionSpec
group = get_group("walton")
hashed = generate_password_hash({PASSWORD!r}, method="pbkdf2:sha256:1000")
for n, name in enumerate({PEOPLE!r}):
    email = name.split()[0].lower() + "@example.org"
    account = Account(email=email, password_hash=hashed)
    db.session.add(account)
    db.session.flush()
    db.session.add(Member(group_id=group.id, account_id=account.id, email=email, name=name,
                          role="officer" if n == 0 else "member",
                          joined_on=clock.today() - timedelta(days=400)))
db.session.flush()
officer = db.session.query(Member).filter_by(role="officer").one()
now = clock.utcnow_naive()
day = timedelta(days=1)
selection = open_selection(group, SelectionSpec(
    office="Walton Town Council", area="Ashley ward", election_date=date(now.year + 1, 5, 6),
    places=1, nominations_open_at=now - day, nominations_close_at=now + 5 * day,
    questions_close_at=now + 6 * day, answers_due_at=now + 8 * day,
    ballot_opens_at=now + 8 * day, ballot_closes_at=now + 12 * day), officer)
db.session.commit()
print(selection.id)
"""


@pytest.fixture(scope="module")
def node(tmp_path_factory):  # type: ignore[no-untyped-def]
    with Install(tmp_path_factory.mktemp("selections") / "node") as install:
        install.init("Walton Tenants", slug="walton")
        selection_id = install.python(SEED).strip().splitlines()[-1]
        install.start()
        install.selection = f"/selections/{selection_id}"  # type: ignore[attr-defined]
        yield install


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _signed_in(browser, node, name: str, js: bool):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=node.url, viewport=PHONE, java_script_enabled=js)
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("E-mail").first.fill(name.split()[0].lower() + "@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1).first.wait_for()
    return page


@pytest.mark.parametrize(
    ("js", "nominator", "nominee"), [(True, "Ann Able", "Bea Bold"), (False, "Cy Calm", "Dot Deft")]
)
def test_nominating_on_a_phone(browser, node, js, nominator, nominee):  # type: ignore[no-untyped-def]
    page = _signed_in(browser, node, nominator, js)
    page.goto(node.selection)
    page.get_by_role("heading", name=re.compile("Walton Town Council")).wait_for()
    assert _fits(page)
    page.get_by_label("Member to nominate").select_option(label=nominee)
    page.get_by_role("button", name="Nominate this member").click()
    page.get_by_text(f"You have nominated {nominee}").wait_for()
    assert _fits(page)

    them = _signed_in(browser, node, nominee, js)
    them.goto(node.selection)
    them.get_by_role("heading", name="You have been nominated").wait_for()
    assert _fits(them)
    them.get_by_role("button", name="Accept the nomination").click()
    them.get_by_text("You have accepted the nomination.").wait_for()
    them.get_by_role("link", name="Write your statement").click()
    them.get_by_label("Your statement").fill("I will **fight** for Ashley ward.")
    them.get_by_role("button", name="Save my statement").click()
    them.get_by_text("Your statement is saved.").wait_for()
    assert _fits(them)
    # Once accepted, the nomination is listed for members to second (not by its nominator).
    page.reload()
    page.locator("#nominate li", has_text=nominee).wait_for()
    assert page.get_by_role("button", name=f"Second {nominee}").count() == 0


@pytest.mark.parametrize("js", [True, False])
def test_asking_a_hustings_question_on_a_phone(browser, node, js):  # type: ignore[no-untyped-def]
    page = _signed_in(browser, node, "Ann Able", js)
    page.goto(node.selection)
    page.get_by_role("link", name="Hustings questions").click()
    page.get_by_role("heading", name=re.compile("^Hustings:")).wait_for()
    assert _fits(page)
    page.get_by_role("button", name="Send my question").click()  # empty: refused, said why
    page.locator(".error").first.wait_for()
    page.get_by_label("Your question").fill(f"Will you back rent controls? (js={js})")
    page.get_by_role("button", name="Send my question").click()
    page.get_by_text("your question goes to the officers").wait_for()
    assert _fits(page)
