"""Commenting on a motion in a real browser on a phone (390×844), with JavaScript on and off,
against a real server sharing the test's database: a member posts, replies to another's post
through its Reply link, and sees the reply under it; nothing scrolls sideways."""

from __future__ import annotations

import re
from typing import Any

import pytest

from node.extensions import db
from tests.support.fixtures import PASSWORD
from tests.support.server import Install

pytestmark = [pytest.mark.slow, pytest.mark.browser]
PHONE = {"width": 390, "height": 844}


def _phone(browser: Any, url: str, email: str, javascript: bool) -> Any:
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


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_member_comments_and_replies_on_a_phone(
    browser, app, app_config, group, officer, make_member, tmp_path, javascript
):  # type: ignore[no-untyped-def]
    from node.motions import operations as ops

    mover = make_member(group, email="mover@walton.example.org", name="Mo Mover")
    ann = make_member(group, email="ann@walton.example.org", name="Ann Member")
    motion = ops.propose(
        group, ops.Proposal("Back the library", "We back the **library** campaign."), mover
    )
    first = ops.post(motion, "Mover's opening words", mover)
    db.session.commit()

    server = Install(
        tmp_path / "node", env={"COMMONGROUND_DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"]}
    )
    with server.start() as node:
        page = _phone(browser, node.url, ann.email, javascript)
        page.goto(f"/motions/{motion.id}")
        page.get_by_role("heading", name="Back the library").wait_for()
        page.get_by_label("Your post").fill("I agree, and I will leaflet.")
        page.get_by_role("button", name="Post", exact=True).click()
        page.get_by_text("I agree, and I will leaflet.").wait_for()

        page.get_by_role("link", name="Reply to Mo Mover").click()
        page.get_by_label("Your reply to Mo Mover").fill("Count me in too, Mo.")
        page.get_by_role("button", name="Post the reply").click()
        reply = page.locator(".post.depth-1", has_text="Count me in too, Mo.")
        reply.wait_for()
        assert "Ann Member" in reply.inner_text()
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= PHONE["width"], f"the page scrolls sideways ({scroll}px)"

    from node.motions.models import Post

    db.session.expire_all()
    replies = db.session.scalars(db.select(Post).where(Post.parent_id == first.id)).all()
    assert [r.body for r in replies] == ["Count me in too, Mo."]
