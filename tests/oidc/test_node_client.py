"""The node's side, against the hub served on a real loopback socket (same app, two groups)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from tests.oidc.conftest import NODE_WALTON as NODE
from tests.oidc.conftest import national_sign_in


def test_signin_page_offers_national_account(client, world):
    body = client.get("/signin", base_url=NODE).get_data(as_text=True)
    assert "Sign in with your national account" in body
    assert "Sign in with your national account" not in client.get(
        "/signin", base_url=world["hub_url"]
    ).get_data(as_text=True)


def test_first_sign_in_links_member_by_verified_email(client, world):
    response = national_sign_in(client, world["hub_url"], "gita@example.org")
    assert response.status_code == 302
    home = client.get("/", base_url=NODE)
    assert home.status_code == 200 and "Gita Good" in home.get_data(as_text=True)
    # Logout at the node.
    client.post_form("/signout", {}, page="/", base_url=NODE)
    assert client.get("/profile", base_url=NODE).status_code == 302


def test_state_is_checked(client, world):
    def swap_state(url):  # type: ignore[no-untyped-def]
        return url.replace("state=", "state=forged")

    response = national_sign_in(client, world["hub_url"], "gita@example.org", swap_state)
    assert response.status_code == 302 and response.location.endswith("/signin")
    assert client.get("/profile", base_url=NODE).status_code == 302  # not signed in


def test_officer_sees_national_status_and_ballot_rule(client, world):
    from node.oidc.client import national_good_standing, national_good_standing_ids

    national_sign_in(client, world["hub_url"], "gita@example.org")
    client.post_form("/signout", {}, page="/", base_url=NODE)
    national_sign_in(client, world["hub_url"], "larry@example.org")
    client.post_form("/signout", {}, page="/", base_url=NODE)
    client.sign_in(world["officer"].email, base_url=NODE)
    page = client.get(f"/members/{world['gita'].id}", base_url=NODE).get_data(as_text=True)
    assert "National membership" in page and "in good standing" in page
    page = client.get(f"/members/{world['larry'].id}", base_url=NODE).get_data(as_text=True)
    assert "lapsed" in page
    freeze = date(2024, 1, 1)
    assert national_good_standing(world["gita"], freeze)
    assert not national_good_standing(world["larry"], freeze)
    assert not national_good_standing(world["officer"], freeze)  # never vouched for
    assert national_good_standing_ids(world["node"].id, freeze) == [world["gita"].id]


def test_ballot_electorate_excludes_lapsed_member(client, world):
    """A ballot whose electorate rule requires national good standing leaves out the member the
    hub reports as lapsed (and anyone it never vouched for); without the rule both are in."""
    from node.ballots import operations as ballots
    from node.extensions import db

    national_sign_in(client, world["hub_url"], "gita@example.org")
    national_sign_in(client, world["hub_url"], "larry@example.org")
    for m in (world["gita"], world["larry"]):
        m.joined_on = date(2020, 1, 1)
    db.session.commit()
    rule = {"group_id": world["node"].id, "freeze_on": date(2024, 1, 1), "min_days": 0}
    everyone = {m.id for m in db.session.scalars(ballots.electorate_query(SimpleNamespace(**rule)))}
    assert {world["gita"].id, world["larry"].id} <= everyone
    national = SimpleNamespace(**rule, requires_national_good_standing=True)
    assert [m.id for m in db.session.scalars(ballots.electorate_query(national))] == [
        world["gita"].id
    ]


def test_unknown_national_member_is_refused_or_asks_to_join(client, world, make_member):
    from node.extensions import db
    from node.members.models import Member

    world["gita"].email = "gita.local@example.org"
    db.session.commit()
    refused = national_sign_in(client, world["hub_url"], "gita@example.org")
    assert refused.status_code == 302 and refused.location.endswith("/signin")
    world["conn"].allow_join_requests = True
    db.session.commit()
    asked = national_sign_in(client, world["hub_url"], "gita@example.org")
    assert asked.status_code == 302
    assert client.get("/", base_url=NODE).status_code == 403  # signed in, not yet a member
    officer = client.application.test_client()
    officer.sign_in(world["officer"].email, base_url=NODE)
    listing = officer.get("/national/requests", base_url=NODE).get_data(as_text=True)
    assert "gita@example.org" in listing
    import re

    request_id = re.search(r"/national/requests/(\d+)", listing).group(1)
    officer.post_form(
        f"/national/requests/{request_id}",
        {"decision": "approve"},
        page="/national/requests",
        base_url=NODE,
    )
    assert db.session.query(Member).filter_by(email="gita@example.org").one().status == "active"
    assert client.get("/", base_url=NODE).status_code == 200


def test_back_channel_refuses_private_addresses_unless_allowed(client, world):
    """The hub here is on loopback: with COMMONGROUND_ALLOW_PRIVATE_PEERS off (the default),
    the node's discovery/JWKS/token requests are refused like any federation request."""
    from federation.errors import UnsafeURL
    from node.oidc.client import FencedSession

    client.application.config["ALLOW_PRIVATE_PEERS"] = False
    start = client.get("/signin/national", base_url=NODE)
    assert start.status_code == 302 and start.location.endswith("/signin")
    page = client.get("/signin", base_url=NODE).get_data(as_text=True)
    assert "cannot be reached (UnsafeURL)" in page
    with FencedSession() as session, pytest.raises(UnsafeURL, match="not a public address"):
        session.get(world["hub_url"] + "/oidc/jwks.json", withhold_token=True)
    client.application.config["ALLOW_PRIVATE_PEERS"] = True
    start = client.get("/signin/national", base_url=NODE)
    assert start.location.startswith(world["hub_url"] + "/oidc/authorize")
