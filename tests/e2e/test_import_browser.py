"""In a real browser: an officer imports a Windows-1252 semicolon CSV saved by Excel and a
NationBuilder-style export through the preview, changing one column in its select, and finds the
members on the roster. The preview is a plain form (no JavaScript needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import accept_invitation
from tests.support.server import Install

pytestmark = [pytest.mark.slow, pytest.mark.browser]
DATA = Path(__file__).resolve().parents[1] / "data" / "csv"


@pytest.fixture
def node(tmp_path):
    with Install(tmp_path / "node") as server:
        server.officer_link = server.init_with_invitation("Walton Momentum", "sam@example.org")
        server.start()
        yield server


def test_officer_imports_excel_and_nationbuilder_files_through_the_preview(browser, node):
    context = browser.new_context()
    page = context.new_page()
    accept_invitation(page, node.officer_link, "Sam Officer", "a-long-officer-password")

    # Excel, Windows-1252, semicolons: the preview names the encoding and shows the text right.
    page.get_by_role("link", name="Members", exact=True).click()
    page.get_by_role("link", name="All members").click()  # the section's page
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(str(DATA / "excel-windows-1252-semicolon.csv"))
    page.get_by_role("button", name="Check the file").click()
    assert page.locator("#import-encoding").inner_text() == "Windows-1252"
    expect(page.get_by_text("semicolon-separated").first).to_be_visible()
    expect(page.locator(".import-sample").get_by_role("cell", name="Siân O’Brien")).to_be_visible()
    assert page.get_by_label("Telephone").input_value() == "phone"
    assert page.locator("#import-counts").inner_text().startswith("3 new, 0 updated, 0 unchanged")
    page.get_by_role("button", name="Import 3 members").click()
    expect(page.get_by_text("3 new, 0 updated, 0 unchanged")).to_be_visible()
    for name in ("Siân O’Brien", "René Dupré", "Zoë Ahmed"):
        expect(page.get_by_role("link", name=name)).to_be_visible()

    # A NationBuilder-style export: given, middle and family names make the name; the officer
    # decides the middle name is not wanted, checks again, and imports.
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(str(DATA / "nationbuilder-export.csv"))
    page.get_by_role("button", name="Check the file").click()
    assert page.get_by_label("email_address").input_value() == "email"
    assert page.get_by_label("phone_number").input_value() == "phone"
    expect(
        page.locator(".import-sample").get_by_role("cell", name="Jack Thomas Lee")
    ).to_be_visible()
    page.get_by_label("middle_name").select_option(label="Don't import")
    page.get_by_role("button", name="Check again with these columns").click()
    assert page.get_by_label("middle_name").input_value() == ""
    expect(
        page.locator(".import-sample").get_by_role("cell", name="Jack Lee", exact=True)
    ).to_be_visible()
    page.get_by_role("button", name="Import 3 members").click()
    expect(page.get_by_text("3 new, 0 updated, 0 unchanged")).to_be_visible()
    page.get_by_label("Search").fill("Jack")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Jack Lee", exact=True).click()
    expect(page.get_by_role("heading", name="Jack Lee")).to_be_visible()
    expect(page.get_by_text("jack@example.org")).to_be_visible()
    context.close()
