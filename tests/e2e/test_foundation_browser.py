"""In a real browser: the officer signs in, invites a member, the member accepts the invitation
in a second browser context, and the officer sees them on the roster. Also takes the phone-sized
screenshot of the roster that docs/ shows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.browser import accept_invitation
from tests.support.server import Install

pytestmark = [pytest.mark.slow, pytest.mark.browser]
DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture
def node(tmp_path):
    with Install(tmp_path / "node") as server:
        server.officer_link = server.init_with_invitation("Walton Momentum", "sam@example.org")
        roster = tmp_path / "roster.csv"
        roster.write_text(
            "name,email,union,ward,workplace\n"
            + "".join(
                f"Member {n:02d},m{n:02d}@example.org,{u},{w},{wp}\n"
                for n, (u, w, wp) in enumerate(
                    [
                        ("Unite", "Anfield", "Merseyrail"),
                        ("UNISON", "County", "Walton Centre"),
                        ("GMB", "Everton", "Council depot"),
                        ("", "Kirkdale", ""),
                    ]
                    * 3
                )
            )
        )
        server.cli("members", "import", str(roster), "--group", "walton-momentum")
        server.start()
        yield server


def test_officer_invites_member_who_joins_and_appears_on_roster(browser, node):
    officer = browser.new_context()
    page = officer.new_page()
    # The first officer accepts the invitation printed by `commonground init`.
    accept_invitation(page, node.officer_link, "Sam Officer", "a-long-officer-password")
    page.get_by_role("heading", name="Walton Momentum").wait_for()

    # Sign out and in again with the password, as on any other day.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("E-mail").fill("sam@example.org")
    page.get_by_label("Password").fill("a-long-officer-password")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Members", exact=True).click()
    page.get_by_role("link", name="All members").click()  # the section's page
    page.get_by_role("link", name="Invite", exact=True).click()
    page.get_by_label("E-mail").fill("rosa@example.org")
    page.get_by_role("button", name="Send invitation").click()
    link = page.locator("#invitation-link").input_value()
    assert "/invite/" in link

    member = browser.new_context()
    mpage = member.new_page()
    accept_invitation(mpage, link, "Rosa Luxton", "rosa-strong-password")
    mpage.get_by_text("Welcome to Walton Momentum!").wait_for()
    # A plain member has no roster.
    assert mpage.get_by_role("link", name="Members", exact=True).count() == 0

    page.get_by_role("link", name="Members", exact=True).click()
    page.get_by_role("link", name="All members").click()  # the section's page
    page.get_by_label("Search").fill("Rosa")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Rosa Luxton").wait_for()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    phone.add_cookies(officer.cookies())
    ppage = phone.new_page()
    ppage.goto(node.url + "/members")
    ppage.get_by_role("link", name="Rosa Luxton").wait_for()
    shot = Path(node.instance) / "roster-phone.png"
    ppage.screenshot(path=str(shot), full_page=False)
    DOCS.mkdir(exist_ok=True)
    if not (DOCS / "roster-phone.png").exists():
        shutil.copy(shot, DOCS / "roster-phone.png")
    for ctx in (officer, member, phone):
        ctx.close()
