"""Issue 13, finding 2: the hub claims ``email_verified`` (and hands out a national ``sub``) only
for an account whose address was proven by mail.

The chain: the officer of another group on the hub's install invites an address that has no
account yet, joins with the link the invite page shows them (an unproven account at someone
else's address); then that address is imported as a national member. The hub must not vouch
for the officer's account as that national member.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import select

from node.extensions import db
from node.members.models import Account
from tests.oidc.conftest import HUB, Flow, exchange

NEWBIE = "nina@example.org"
NATIONAL = (
    b"name,email,member_since,status,paid_until,groups\n"
    b"Nina New,nina@example.org,2021-03-01,good-standing,,Walton\n"
)
BRAVO = "http://bravo.test"


@pytest.fixture
def squatter(app, sso, make_group, make_member):  # type: ignore[no-untyped-def]
    """Bravo's officer made an account at NEWBIE's address from a shown invitation link; then
    the hub imported NEWBIE as a national member. Returns the officer's signed-in client."""
    from node.oidc.records import import_national_members

    bravo = make_group("Bravo", slug="bravo", url=BRAVO)
    make_member(bravo, "officer", email="boss@bravo.example.org")
    browser = app.test_client()
    browser.sign_in("boss@bravo.example.org", base_url=BRAVO)
    page = browser.post_form(
        "/members/invite", {"email": NEWBIE, "role": "member"}, base_url=BRAVO
    ).get_data(as_text=True)
    path = re.search(r'value="http://bravo\.test(/invite/[^"]+)"', page).group(1)
    browser.post_form("/signout", {}, page="/", base_url=BRAVO)
    password = "bravo-boss-knows-this"
    joined = browser.post_form(
        path, {"name": "Nina?", "password": password, "confirm": password}, base_url=BRAVO
    )
    assert joined.status_code == 302  # a new account at an address nobody proved
    assert import_national_members(sso["hub"], NATIONAL, None).ok
    db.session.commit()
    return browser, password


def authorize(browser, flow):  # type: ignore[no-untyped-def]
    url = "/oidc/authorize?" + flow.query()
    page = browser.get(url, base_url=HUB)
    if page.status_code == 200:
        return browser.post_form(url, {"decision": "allow"}, base_url=HUB)
    return page


def test_hub_does_not_vouch_for_an_unproven_address(app, sso, squatter):
    browser, password = squatter
    browser.sign_in(NEWBIE, password, base_url=HUB)
    flow = Flow.new()
    page = browser.get("/oidc/authorize?" + flow.query(), base_url=HUB).get_data(as_text=True)
    assert "is not confirmed yet" in page
    response = authorize(browser, flow)
    query = parse_qs(urlsplit(response.location).query)
    assert "code" not in query and query["error"] == ["access_denied"]


def test_after_a_mailed_reset_the_owner_is_vouched_for(app, client, sso, squatter, smtp_sink):
    from node.oidc.issuing import user_info

    browser, password = squatter
    client.post_form("/reset", {"email": NEWBIE}, base_url=HUB)
    [mail] = [m for m in smtp_sink.to(NEWBIE) if "/reset/" in smtp_sink.body(m)]
    path = re.search(r"http://hub\.test(/reset/\S+)", smtp_sink.body(mail)).group(1)
    new = "ninas-own-password"
    assert client.post_form(path, {"password": new, "confirm": new}, base_url=HUB).status_code == (
        302
    )
    # The squatter's password and sessions are gone; the owner is vouched for.
    assert browser.get("/profile", base_url=BRAVO).status_code == 302
    refused = browser.post_form("/signin", {"email": NEWBIE, "password": password}, base_url=HUB)
    assert refused.status_code == 401
    flow = Flow.new()
    code = parse_qs(urlsplit(authorize(client, flow).location).query)["code"][0]
    tokens = exchange(client, sso["node"], code, flow).get_json()
    keyset = KeySet.import_key_set(client.get("/oidc/jwks.json", base_url=HUB).get_json())
    claims = jwt.decode(tokens["id_token"], keyset, algorithms=["RS256"]).claims
    assert claims["email"] == NEWBIE and claims["email_verified"] is True
    account = db.session.scalar(select(Account).where(Account.email == NEWBIE))
    assert user_info(sso["hub"], account, "openid email")["email_verified"] is True
