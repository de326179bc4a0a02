"""Voting by link on a phone (390×844) with JavaScript switched off, in a real browser against a
real server: the link from the real SMTP sink opens the ballot paper without an account, the
numbered selects work, the receipt is shown, and opening the link again says it has been used.
(The existing browser tests use no axe-core, so neither does this one.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from node.extensions import db
from tests.ballots.helpers import make_ballot
from tests.support.server import Install

pytestmark = [pytest.mark.slow, pytest.mark.browser]
PHONE = {"width": 390, "height": 844}


def test_voting_by_link_on_a_phone_without_javascript(
    browser, app, app_config, group, officer, make_member, smtp_sink, tmp_path
):
    from node.ballots.models import Participation

    member = make_member(group, email="phone@walton.example.org", name="Pat Phone", account=False)
    make_ballot(group, officer, open_it=True, method="scottish-stv", seats=1)
    body = smtp_sink.body(smtp_sink.to(member.email)[0])
    path = re.search(r"http://localhost(/vote/[A-Za-z0-9_-]+)", body).group(1)
    env = {"COMMONGROUND_DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"]}
    with Install(tmp_path / "node", env=env).start() as node:
        context = browser.new_context(viewport=PHONE, java_script_enabled=False, is_mobile=True)
        context.set_default_timeout(120_000)
        page = context.new_page()
        page.goto(node.url + path)
        expect(page.get_by_role("heading", name="Delegates")).to_be_visible()
        assert page.get_by_role("link", name="Sign in").count() == 0  # no account needed
        page.get_by_label("Cat", exact=True).select_option("1")
        page.get_by_label("Ann", exact=True).select_option("2")
        page.get_by_role("button", name="Check my vote").click()
        expect(page.get_by_role("heading", name="Check your vote")).to_be_visible()
        assert page.locator("#review-choices").inner_text().split("\n") == ["1 Cat", "2 Ann"]
        page.get_by_role("button", name="Change my vote").click()  # back, choices kept
        expect(page.get_by_label("Cat", exact=True)).to_have_value("1")
        page.get_by_role("button", name="Check my vote").click()
        button = page.get_by_role("button", name="Cast my vote")
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        button.click()
        expect(page.get_by_role("heading", name="Your vote is in")).to_be_visible()
        assert page.locator("#receipt-choices").inner_text() == "Cat > Ann"
        assert re.fullmatch(
            r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", page.locator("#receipt-code").inner_text()
        )

        page.goto(node.url + path)
        expect(
            page.get_by_role("heading", name="This voting link has already been used to vote")
        ).to_be_visible()
        context.close()
    db.session.expire_all()
    assert db.session.scalar(select(Participation.method)) == "link"
