"""At phone width (390×844) in a real browser: the main tables reflow into one card per row,
each value labelled by its column, so the page never scrolls sideways; at desktop width they
stay tables. Hub staff land on the national dashboard, with the hub's own menu. The menu has at
most six entries and a section's links are reached without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.server import Install

pytestmark = [pytest.mark.slow, pytest.mark.browser]
PASSWORD = "a-long-test-password"
PHONE, DESKTOP = (390, 844), (1280, 900)
# An officer with a password, and members whose long names and unions would widen a table.
PEOPLE = f"""
from werkzeug.security import generate_password_hash
from node.extensions import db
from node.groups.models import Group
from node.members.models import Account, Member
group = db.session.query(Group).one()
digest = generate_password_hash({PASSWORD!r}, method="pbkdf2:sha256:1000")
account = Account(email="staff@example.org", password_hash=digest)
db.session.add(account)
db.session.flush()
db.session.add(Member(group_id=group.id, account_id=account.id, email=account.email,
                      name="Sam Officer", role="officer"))
for n in range(8):
    db.session.add(Member(group_id=group.id, email=f"m{{n}}@example.org",
                          name=f"Bartholomew-Featherstonehaugh Member {{n}}",
                          union="Public and Commercial Services Union", ward="Kirkdale and Everton"))
db.session.commit()
"""


def _install(folder: Any, name: str, role: str) -> Iterator[Any]:
    with Install(folder) as install:
        install.cli(
            "init",
            "--group",
            name.title(),
            "--slug",
            name,
            "--role",
            role,
            "--url",
            install.url,
            "--admin",
            "first@example.org",
        )
        install.python(PEOPLE)
        install.start()
        yield install


@pytest.fixture(scope="module")
def group(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from _install(tmp_path_factory.mktemp("walton"), "walton", "node")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from _install(tmp_path_factory.mktemp("national"), "national", "hub")


def _signed_in(browser: Any, install: Any, size: tuple[int, int]) -> Any:
    context = browser.new_context(
        base_url=install.url, viewport={"width": size[0], "height": size[1]}
    )
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("E-mail").fill("staff@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/(hub/)?$"))
    return page


def _sideways(page: Any) -> tuple[int, int]:
    return page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")


def test_tables_reflow_into_cards_on_a_phone(browser: Any, group: Any) -> None:
    page = _signed_in(browser, group, PHONE)
    for path in ("/members", "/audit"):
        page.goto(path)
        wide, window = _sideways(page)
        assert wide <= window, f"{path} is {wide}px wide in a {window}px window"
    page.goto("/members")
    table = page.locator("table.reflow")
    # Each row is a card; its cells say which column they are; the table scrolls nowhere.
    shape = table.evaluate(
        """t => { const row = t.tBodies[0].rows[0], cell = row.cells[3];
          const region = t.closest('[role=region]');
          return [getComputedStyle(row).display, getComputedStyle(cell, '::before').content,
                  region.scrollWidth <= region.clientWidth, t.tHead.getBoundingClientRect().height,
                  t.rows.length]; }"""
    )
    assert shape[0] == "block" and shape[1] == '"Union"', shape
    assert shape[2] is True and shape[3] <= 1, shape  # no sideways scroll, header out of sight
    # Still a table to assistive technology: its column headers are there to be read.
    assert page.get_by_role("columnheader", name="Union").count() == 1
    page.context.close()

    desktop = _signed_in(browser, group, DESKTOP)
    desktop.goto("/members")
    row = desktop.locator("table.reflow tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "table-row"
    desktop.context.close()


def test_menu_has_at_most_six_entries_and_sections_work_without_javascript(
    browser: Any, group: Any
) -> None:
    context = browser.new_context(
        base_url=group.url,
        viewport={"width": PHONE[0], "height": PHONE[1]},
        java_script_enabled=False,
    )
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("E-mail").fill("staff@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    menu = page.get_by_role("navigation", name="Main").get_by_role("link")
    assert 1 < menu.count() <= 6, menu.all_inner_texts()
    menu.filter(has_text="Members").click()
    page.get_by_role("heading", name="Members").wait_for()
    page.get_by_role("link", name="All members").click()
    page.get_by_role("heading", name=re.compile("Members")).first.wait_for()
    row = page.get_by_role("navigation", name="Members")
    assert row.locator('[aria-current="page"]').inner_text() == "All members"
    assert _sideways(page)[0] <= PHONE[0]
    context.close()


def test_hub_staff_land_on_the_national_dashboard(browser: Any, hub: Any) -> None:
    page = _signed_in(browser, hub, PHONE)
    assert page.url.endswith("/hub/")
    page.get_by_role("heading", name="National hub", exact=True).wait_for()
    body = page.locator("main").inner_text()
    assert "active members" not in body
    menu = page.get_by_role("navigation", name="Main").get_by_role("link")
    texts = menu.all_inner_texts()
    assert texts[0] == "Home" and len(texts) <= 6, texts
    assert "Ballots" not in body and "Unions" not in page.content()
    assert (
        page.get_by_role("navigation", name="Main").locator('[aria-current="page"]').inner_text()
        == "Home"
    )
    wide, window = _sideways(page)
    assert wide <= window, f"the hub dashboard is {wide}px wide in a {window}px window"
    page.context.close()
