"""Fixtures of the single sign-on tests: a hub and a node group on one install, the node
registered as a client, helpers that play the browser and the node's back channel."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from joserfc import jwt

from node import clock

HUB = "http://hub.test"
NODE = "http://node.test"
CALLBACK = NODE + "/signin/national/callback"
NODE_WALTON = "http://walton.test"  # the node of the back-channel tests (``world``)
NATIONAL_CSV = (
    b"name,email,member_since,status,paid_until,groups\n"
    b"Gita Good,gita@example.org,2019-05-01,good-standing,,Walton;Everton\n"
    b"Larry Lapsed,larry@example.org,2015-01-01,lapsed,2020-12-31,Walton\n"
)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


@dataclass
class Flow:
    """One authorization: what the node keeps between the redirect and the callback."""

    verifier: str
    challenge: str
    nonce: str
    state: str

    @classmethod
    def new(cls) -> Flow:
        verifier, challenge = pkce()
        return cls(verifier, challenge, secrets.token_urlsafe(12), secrets.token_urlsafe(12))

    def query(self, **overrides: Any) -> str:
        params = {
            "response_type": "code",
            "client_id": NODE,
            "redirect_uri": CALLBACK,
            "scope": "openid email profile membership",
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
        }
        params.update(overrides)
        return urlencode({k: v for k, v in params.items() if v is not None})


@pytest.fixture
def sso(app, make_group, make_member):  # type: ignore[no-untyped-def]
    """Hub (http://hub.test) with national records; node (http://node.test) registered."""
    from node.extensions import db
    from node.oidc.keys import group_public_jwks
    from node.oidc.operations import connect_to_hub, register_node_client
    from node.oidc.records import import_national_members

    hub = make_group("National Hub", slug="hub", url=HUB, role="hub")
    node = make_group("Walton Momentum", slug="walton", url=NODE)
    hub_officer = make_member(hub, "officer", email="office@hub.example.org")
    report = import_national_members(hub, NATIONAL_CSV, None)
    assert report.ok, report.errors
    register_node_client(hub, NODE, CALLBACK, jwks=group_public_jwks(node), name="Walton")
    connect_to_hub(node, HUB)
    db.session.commit()
    return {"hub": hub, "node": node, "hub_officer": hub_officer}


def set_password(email: str, verified: bool = True) -> None:
    """As a national member does after import: choose a password with a mailed reset link,
    which also proves the address (``verified=False``: a password without that proof)."""
    from sqlalchemy import select

    from node import clock
    from node.extensions import db
    from node.members.models import Account
    from tests.support.fixtures import _HASH

    account = db.session.scalar(select(Account).where(Account.email == email))
    account.password_hash = _HASH
    account.email_verified_at = clock.utcnow_naive() if verified else None
    db.session.commit()


def assertion(group: Any, aud: str = HUB + "/oidc/token", key: Any = None, **claims: Any) -> str:
    """A ``private_key_jwt`` client assertion, signed with the node group's key by default."""
    from node.oidc.keys import group_client_jwk

    key = key or group_client_jwk(group)
    now = int(clock.now().timestamp())
    payload = {
        "iss": NODE,
        "sub": NODE,
        "aud": aud,
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_urlsafe(16),
    }
    payload.update(claims)
    return jwt.encode({"alg": "Ed25519", "kid": key.kid}, payload, key, algorithms=["Ed25519"])


def client_auth(group: Any, **kwargs: Any) -> dict[str, str]:
    return {
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion(group, **kwargs),
    }


def get_code(client: Any, flow: Flow, email: str = "gita@example.org", **overrides: Any) -> str:
    """Play the member's browser on the hub: sign in, open authorize, allow; return the code."""
    set_password(email)
    client.sign_in(email, base_url=HUB)
    url = "/oidc/authorize?" + flow.query(**overrides)
    response = client.get(url, base_url=HUB)
    if response.status_code == 200:
        response = client.post_form(url, {"decision": "allow"}, base_url=HUB)
    assert response.status_code == 302, response.get_data(as_text=True)[-900:]
    params = parse_qs(urlsplit(response.location).query)
    assert params["state"] == [flow.state]
    return params["code"][0]


def exchange(client: Any, group: Any, code: str, flow: Flow, **overrides: Any):  # type: ignore[no-untyped-def]
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": flow.verifier,
        **client_auth(group),
    }
    data.update(overrides)
    return client.post(
        "/oidc/token", data={k: v for k, v in data.items() if v is not None}, base_url=HUB
    )


@pytest.fixture
def live_app(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Serve the test app on a loopback port (for the node's real back-channel HTTP)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(autouse=True)
def _plain_http_test_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Authlib refuses http:// except on loopback; the test hosts (hub.test) are plain http."""
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def world(app, live_app, make_group, make_member):  # type: ignore[no-untyped-def]
    """The node's side against the hub on a real loopback socket: a hub (at ``live_app``) with
    national records and a node at NODE_WALTON with officer Sam and members Gita and Larry."""
    from node.extensions import db
    from node.oidc.client import callback_url
    from node.oidc.keys import group_public_jwks
    from node.oidc.operations import connect_to_hub, register_node_client
    from node.oidc.records import import_national_members

    app.config["ALLOW_PRIVATE_PEERS"] = True  # the hub is on loopback here
    hub = make_group("National Hub", slug="hub", url=live_app, role="hub")
    node = make_group("Walton Momentum", slug="walton", url=NODE_WALTON)
    officer = make_member(node, "officer", email="sam@walton.example.org")
    gita = make_member(node, "member", email="gita@example.org", name="Gita Good", account=False)
    larry = make_member(node, "member", email="larry@example.org", name="Larry L", account=False)
    assert import_national_members(hub, NATIONAL_CSV, None).ok
    register_node_client(hub, NODE_WALTON, callback_url(node), jwks=group_public_jwks(node))
    conn = connect_to_hub(node, live_app)
    db.session.commit()
    for email in ("gita@example.org", "larry@example.org"):
        set_password(email)
    return {
        "hub": hub,
        "node": node,
        "officer": officer,
        "gita": gita,
        "larry": larry,
        "conn": conn,
        "hub_url": live_app,
    }


def national_sign_in(client, hub_url, email, tamper=None):  # type: ignore[no-untyped-def]
    start = client.get("/signin/national", base_url=NODE_WALTON)
    assert start.status_code == 302 and start.location.startswith(hub_url + "/oidc/authorize")
    query = parse_qs(urlsplit(start.location).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    client.sign_in(email, base_url=hub_url)
    path = start.location[len(hub_url) :]
    page = client.get(path, base_url=hub_url)
    back = (
        client.post_form(path, {"decision": "allow"}, base_url=hub_url)
        if page.status_code == 200
        else page
    )
    assert back.status_code == 302 and back.location.startswith(NODE_WALTON)
    url = back.location if tamper is None else tamper(back.location)
    return client.get(url[len(NODE_WALTON) :], base_url=NODE_WALTON)
