"""Issue 17's acceptance journeys, in a real browser on a phone (390×844) against a real server:

* an officer creates each kind of ballot (motion, candidate selection, endorsement of a campaign,
  choice between options) and the form shows only that kind's fields;
* an officer withdraws an open ballot, after a confirmation page saying what it does;
* a member, with JavaScript switched off, checks and casts a vote, and then finds their paper
  by its receipt code on the published papers list, its preferences visible on the phone.

The server shares the test's database, so the test makes the ballots and closes them (with its
clock moved on) through the operations, and the browser does what a person does.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from node import clock
from node.extensions import db
from tests.ballots.helpers import make_ballot
from tests.support.fixtures import PASSWORD
from tests.support.server import Install

pytestmark = [pytest.mark.slow, pytest.mark.browser]
PHONE = {"width": 390, "height": 844}
EVERY_BALLOT = {
    "title",
    "question",
    "opens_at",
    "closes_at",
    "freeze_on",
    "min_days",
    "requires_national_good_standing",
    "quorum",
    "quorum_percent",
}
KIND_FIELDS = {
    "A motion": {"threshold"},
    "A candidate selection": {"options", "seats", "method", "office", "area", "election_date"},
    "An endorsement": {
        "threshold",
        "campaign_id",
        "campaign_title",
        "campaign_summary",
        "campaign_url",
    },
    "A choice between options": {"options", "method"},
}


def _server(app_config: dict[str, Any], tmp_path: Any) -> Install:
    return Install(
        tmp_path / "node", env={"COMMONGROUND_DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"]}
    )


def _phone(browser: Any, url: str, email: str, javascript: bool = True) -> Any:
    context = browser.new_context(
        base_url=url, viewport=PHONE, is_mobile=True, java_script_enabled=javascript
    )
    context.set_default_timeout(120_000)  # a loaded CI machine starts gunicorn slowly
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))
    return page


def _shown_fields(page: Any) -> set[str]:
    """The names of the form's controls a person can see and fill in (not hidden inputs)."""
    return set(
        page.locator("form[method=post] [name]:visible").evaluate_all(
            "els => els.filter(e => e.type !== 'hidden').map(e => e.name)"
        )
    )


def _on_screen(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_an_officer_creates_each_kind_seeing_only_its_fields(
    browser, app, app_config, group, officer, tmp_path
):
    from node.ballots.models import Ballot

    with _server(app_config, tmp_path).start() as node:
        page = _phone(browser, node.url, officer.email)
        for question, fields in KIND_FIELDS.items():
            page.goto("/ballots/new")
            page.get_by_role("heading", name="What are you deciding?").wait_for()
            page.get_by_label(question).check()
            page.get_by_role("button", name="Continue").click()
            page.get_by_role("button", name="Save draft").wait_for()
            assert _shown_fields(page) == EVERY_BALLOT | fields, question
            page.get_by_label("Title").fill(f"{question}: our ballot")
            page.get_by_label("Question put to members").fill("What do we decide?")
            if "options" in fields:
                page.locator("#options").fill("Ann\nBob\nCat")
            save = page.get_by_role("button", name="Save draft")
            assert _on_screen(page, save), question
            save.click()
            page.get_by_role("heading", name=re.compile("^Electorate:")).wait_for()
            assert "Draft saved" in page.locator("main").inner_text(), question
        page.context.close()
    db.session.expire_all()
    saved = db.session.execute(select(Ballot.kind, Ballot.method).order_by(Ballot.id)).all()
    assert [tuple(row) for row in saved] == [
        ("motion", "motion"),
        ("candidate-selection", "irv"),
        ("endorsement", "motion"),
        ("choice", "irv"),
    ]


def test_an_officer_withdraws_an_open_ballot_after_a_confirmation_page(
    browser, app, app_config, group, officer, make_member, tmp_path
):
    from node.ballots.models import Ballot
    from node.ballots.voting import cast_vote

    voter = make_member(group)
    ballot = make_ballot(group, officer, open_it=True, title="Delegates to conference")
    cast_vote(ballot, voter, [0, 1])
    db.session.commit()
    with _server(app_config, tmp_path).start() as node:
        page = _phone(browser, node.url, officer.email)
        page.goto(f"/ballots/{ballot.id}")
        page.get_by_role("link", name="Cancel this ballot…").click()
        page.get_by_role("heading", name="Cancel “Delegates to conference”?").wait_for()
        consequences = page.locator("#consequences").inner_text()
        assert "1 paper already cast is destroyed without being counted" in consequences
        assert "This cannot be undone" in consequences
        db.session.refresh(ballot)
        assert ballot.state == "open"  # the page only asked
        page.get_by_role("button", name="Cancel the ballot for good").click()
        page.locator("#reason-error").wait_for()  # a reason is required, and said so
        page.get_by_label("Why is it cancelled?").fill("The candidates were not all nominated.")
        page.get_by_role("button", name="Cancel the ballot for good").click()
        page.get_by_text("The ballot is cancelled.").wait_for()
        page.context.close()
    db.session.expire_all()
    withdrawn = db.session.get(Ballot, ballot.id)
    assert withdrawn.state == "cancelled"


def test_a_member_checks_casts_and_finds_their_paper_without_javascript(
    browser, app, app_config, group, officer, make_member, tmp_path
):
    from node.ballots import operations as ops

    member = make_member(group, email="pat@walton.example.org", name="Pat Phone")
    ballot = make_ballot(group, officer, open_it=True, title="Delegates to conference")
    with _server(app_config, tmp_path).start() as node:
        page = _phone(browser, node.url, member.email, javascript=False)
        page.goto(f"/ballots/{ballot.id}")
        page.get_by_label("Cat", exact=True).select_option("1")
        page.get_by_label("Ann", exact=True).select_option("2")
        page.get_by_role("button", name="Check my vote").click()
        page.get_by_role("heading", name="Check your vote").wait_for()
        assert page.locator("#review-choices").inner_text().split("\n") == ["1 Cat", "2 Ann"]
        cast = page.get_by_role("button", name="Cast my vote")
        assert _on_screen(page, cast)
        cast.click()
        page.get_by_role("heading", name="Your vote is in").wait_for()
        code = page.locator("#receipt-code").inner_text()
        assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code)

        db.session.refresh(ballot)
        with clock.frozen(clock.now() + timedelta(days=4)):
            ops.close_ballot(ballot, officer)
            ops.publish_result(ballot, officer)
        db.session.commit()

        page.goto(f"/ballots/{ballot.id}/papers")
        preferences = page.locator("table.papers td").first
        preferences.wait_for()
        assert preferences.inner_text().endswith("Cat > Ann")
        assert _on_screen(page, preferences)  # the choices stay on screen on a phone
        page.get_by_label("Find my paper: your receipt code").fill(code.lower().replace("-", ""))
        page.get_by_role("button", name="Find my paper").click()
        page.locator("#paper-found").wait_for()
        assert page.locator("#found-preferences").inner_text() == "Cat > Ann"
        assert code in page.locator("#paper-found").inner_text()
        page.context.close()
