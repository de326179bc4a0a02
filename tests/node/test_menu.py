"""The menu: at most six top-level entries for every role, on a group and on the hub; a section
with several links is a page of them plus a second row; the current page is marked; hub staff
land on the national dashboard."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from node.rooms import SECTIONS, Rooms, rooms_of

ROLES = ("member", "organiser", "officer")


def _main_nav(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
    assert nav, "no main menu on the page"
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(1))


def _current(html: str) -> list[tuple[str, str]]:
    """(aria-current value, link text) of every marked link on the page."""
    return re.findall(r'<a [^>]*aria-current="(\w+)"[^>]*>([^<]+)</a>', html)


@pytest.mark.parametrize("where", ["node", "hub"])
def test_every_role_sees_at_most_six_entries(app, make_group, make_member, where):
    group = make_group("Alpha", slug="alpha", role=where)
    for role in ROLES:
        member = make_member(group, role, email=f"{role}@alpha.example.org")
        client = app.test_client()
        client.sign_in(member.email, base_url=group.url)
        page = client.get("/menu/you", base_url=group.url).get_data(as_text=True)
        entries = _main_nav(page)
        assert 2 <= len(entries) <= 6, (where, role, entries)
        assert entries[0] == "Home" and set(entries) <= set(SECTIONS.values()), entries


def test_registry_never_offers_more_than_six_sections(app: Flask) -> None:
    assert len(SECTIONS) <= 6
    assert {link.section for link in rooms_of(app).nav_links} <= set(SECTIONS)


def test_a_link_must_name_a_known_section() -> None:
    with pytest.raises(ValueError, match="not one of"):
        Rooms().nav("Motions", "motions.index", section="votes")
    with pytest.raises(TypeError):
        Rooms().nav("Motions", "motions.index")  # type: ignore[call-arg]


def test_the_current_section_and_page_are_marked(app, make_group, make_member):
    group = make_group("Alpha", slug="alpha")
    officer = make_member(group, "officer", email="officer@alpha.example.org")
    client = app.test_client()
    client.sign_in(officer.email, base_url=group.url)
    roster = client.get("/members", base_url=group.url).get_data(as_text=True)
    # The section in the menu ("true": one of its pages), the page in the section's row.
    assert _current(roster) == [("true", "Members"), ("page", "All members")]
    assert '<nav class="subnav" aria-label="Members">' in roster
    section = client.get("/menu/members", base_url=group.url)
    html = section.get_data(as_text=True)
    assert section.status_code == 200 and ("page", "Members") in _current(html)
    assert ">All members</a>" in html and ">Development</a>" in html
    assert client.get("/", base_url=group.url).get_data(as_text=True).count("aria-current") == 1
    assert client.get("/menu/nowhere", base_url=group.url).status_code == 404


def test_a_plain_member_sees_no_officer_links(app, make_group, make_member):
    group = make_group("Alpha", slug="alpha")
    member = make_member(group, "member", email="m@alpha.example.org")
    client = app.test_client()
    client.sign_in(member.email, base_url=group.url)
    page = client.get("/menu/you", base_url=group.url).get_data(as_text=True)
    assert "Members" not in _main_nav(page) and "Group" not in _main_nav(page)
    assert client.get("/menu/group", base_url=group.url).status_code == 404


def test_hub_staff_land_on_the_national_dashboard(app, make_group, make_member):
    hub = make_group("National Hub", slug="hub", role="hub")
    staff = make_member(hub, "officer", email="staff@hub.example.org")
    client = app.test_client()
    client.sign_in(staff.email, base_url=hub.url)
    landing = client.get("/", base_url=hub.url)
    assert landing.status_code == 302 and landing.headers["Location"].endswith("/hub/")
    page = client.get("/hub/", base_url=hub.url).get_data(as_text=True)
    assert ("page", "Home") in _current(page)
    assert "active members" not in page and ">Ballots<" not in page and ">Unions<" not in page
    assert "Enrolled groups" in client.get("/menu/members", base_url=hub.url).get_data(as_text=True)
