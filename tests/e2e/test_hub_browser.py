"""The local federation of ``make run`` (``commonground demo-federation``): its seeding, run for
real (three gunicorn installs, enrolment and delivery over HTTP), and the national dashboard in
a real browser: a candidate's page lists the groups that endorsed them."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
import requests

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _free_ports(n: int) -> tuple[int, ...]:
    socks = []
    for _ in range(n):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        socks.append(sock)
    ports = tuple(s.getsockname()[1] for s in socks)
    for sock in socks:
        sock.close()
    return ports


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Any]]:
    from node.demo import federation as demo

    sites = demo.sites(tmp_path_factory.mktemp("var"), ports=_free_ports(3))  # type: ignore[arg-type]
    assert demo.state(sites) == "empty"
    demo.create_sites(sites)
    try:
        demo.start_servers(sites)
        demo.seed_federation(sites)
        yield sites
    finally:
        demo.stop(sites)


def test_demo_seeds_an_enrolled_federation_with_endorsements(federation):
    from node.demo import federation as demo

    hub, walton, anfield = federation
    assert demo.state(federation) == "seeded"
    groups = requests.get(hub.url + "/api/v1/groups", timeout=60).json()["items"]
    assert {(g["name"], g["url"], g["status"]) for g in groups} == {
        ("Walton Momentum", walton.url, "active"),
        ("Anfield Momentum", anfield.url, "active"),
    }
    items = requests.get(hub.url + "/api/v1/candidates", timeout=60).json()["items"]
    assert {c["name"]: c["endorsements"] for c in items} == {
        "Sam Ortiz": 2,
        "Aisha Byrne": 1,
        "Declan Walsh": 1,
    }
    campaigns = requests.get(hub.url + "/api/v1/campaigns", timeout=60).json()["items"]
    assert [(c["title"], c["endorsements"]) for c in campaigns] == [("Homes for All", 2)]
    for site in (walton, anfield):  # each group pinned the hub (joined) and has its members
        with sqlite3.connect(site.folder / "commonground.db") as conn:
            assert conn.execute("SELECT hub_url FROM hub_links").fetchall() == [(hub.url,)]
            assert conn.execute("SELECT count(*) FROM members").fetchone()[0] > 30
    assert "sign in as officer@hub.example.org" in demo.banner(federation)


def test_candidate_page_shows_the_endorsing_groups(federation, browser):
    hub = federation[0]
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.set_default_timeout(60_000)
    page.goto(hub.url + "/hub/")
    assert page.locator("h1").first.inner_text()
    page.get_by_role("link", name="Sam Ortiz").first.click()
    page.wait_for_url("**/hub/candidates/*")
    assert page.locator("h1").inner_text() == "Sam Ortiz"
    assert page.locator("#endorsement-count").inner_text() == "2"
    rows = page.locator("tr.endorsement")
    assert rows.count() == 2
    names = {rows.nth(i).locator("td").first.inner_text() for i in range(2)}
    assert names == {"Walton Momentum", "Anfield Momentum"}
    assert all("counted" in rows.nth(i).inner_text() for i in range(2))
    # The group link leads to the group's page at the hub.
    page.get_by_role("link", name="Walton Momentum").click()
    assert "Walton Momentum" in page.locator("h1").inner_text()
    # Search on the candidates page (works without JavaScript: a GET form).
    page.goto(hub.url + "/hub/candidates?q=Declan")
    assert page.get_by_role("link", name="Declan Walsh").count() == 1
    assert page.get_by_role("link", name="Sam Ortiz").count() == 0
    page.close()
