"""Protocol checks written from OpenID Connect Core 1.0 and RFCs 6749, 7009, 7523 and 7636."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, OKPKey

from node import clock
from tests.oidc.conftest import CALLBACK, HUB, NODE, Flow, client_auth, exchange, get_code


def _error(response):  # type: ignore[no-untyped-def]
    return response.get_json()["error"]


def test_discovery_and_jwks(client, sso):
    meta = client.get("/.well-known/openid-configuration", base_url=HUB).get_json()
    assert meta["issuer"] == HUB
    assert meta["token_endpoint"] == HUB + "/oidc/token"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert "RS256" in meta["id_token_signing_alg_values_supported"]
    keys = client.get("/oidc/jwks.json", base_url=HUB).get_json()["keys"]
    assert keys[0]["kty"] == "RSA" and "d" not in keys[0]
    # A node group is no provider.
    assert client.get("/.well-known/openid-configuration", base_url=NODE).status_code == 404


def test_code_flow_issues_verifiable_id_token_and_userinfo(client, sso):
    flow = Flow.new()
    response = exchange(client, sso["node"], get_code(client, flow), flow)
    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    tokens = response.get_json()
    assert tokens["refresh_token"] and tokens["token_type"].lower() == "bearer"
    keyset = KeySet.import_key_set(client.get("/oidc/jwks.json", base_url=HUB).get_json())
    claims = jwt.decode(tokens["id_token"], keyset, algorithms=["RS256"]).claims
    assert claims["iss"] == HUB and claims["aud"] == [NODE] and claims["nonce"] == flow.nonce
    assert claims["email"] == "gita@example.org" and claims["email_verified"] is True
    assert claims["membership"] == {
        "status": "good-standing",
        "member_since": "2019-05-01",
        "paid_until": None,
        "groups": ["Walton", "Everton"],
    }
    info = client.get(
        "/oidc/userinfo",
        base_url=HUB,
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert info.status_code == 200 and info.get_json()["sub"] == claims["sub"]


def test_wrong_redirect_uri_is_not_followed(client, sso):
    flow = Flow.new()
    from tests.oidc.conftest import set_password

    set_password("gita@example.org")
    client.sign_in("gita@example.org", base_url=HUB)
    for bad in ("http://evil.test/cb", CALLBACK + "/", CALLBACK + "?x=1", None):
        response = client.get("/oidc/authorize?" + flow.query(redirect_uri=bad), base_url=HUB)
        assert response.status_code == 400, bad
        assert "invalid_request" in response.get_data(as_text=True)


def test_token_request_with_other_redirect_uri_is_invalid_grant(client, sso):
    flow = Flow.new()
    code = get_code(client, flow)
    response = exchange(client, sso["node"], code, flow, redirect_uri=NODE + "/elsewhere")
    assert response.status_code == 400 and _error(response) == "invalid_grant"


def test_replayed_code_is_refused_and_revokes_its_tokens(client, sso):
    flow = Flow.new()
    code = get_code(client, flow)
    first = exchange(client, sso["node"], code, flow)
    assert first.status_code == 200
    again = exchange(client, sso["node"], code, flow)
    assert again.status_code == 400 and _error(again) == "invalid_grant"
    info = client.get(
        "/oidc/userinfo",
        base_url=HUB,
        headers={"Authorization": f"Bearer {first.get_json()['access_token']}"},
    )
    assert info.status_code == 401 and "invalid_token" in info.headers["WWW-Authenticate"]


def test_pkce_is_required(client, sso):
    flow = Flow.new()
    code = get_code(client, flow)
    response = exchange(client, sso["node"], code, flow, code_verifier=None)
    assert response.status_code == 400 and _error(response) == "invalid_request"
    wrong = exchange(client, sso["node"], code, flow, code_verifier="x" * 50)
    assert wrong.status_code == 400 and _error(wrong) == "invalid_grant"
    # No code_challenge at all: refused, back to the client with invalid_request.
    flow2 = Flow.new()
    response = client.get(
        "/oidc/authorize?" + flow2.query(code_challenge=None, code_challenge_method=None),
        base_url=HUB,
    )
    assert response.status_code == 302
    params = parse_qs(urlsplit(response.location).query)
    assert params["error"] == ["invalid_request"] and params["state"] == [flow2.state]


def test_nonce_is_required(client, sso):
    flow = Flow.new()
    get_code(client, flow)  # signs in
    response = client.get("/oidc/authorize?" + flow.query(nonce=None), base_url=HUB)
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.location).query)["error"] == ["invalid_request"]


def test_bad_client_assertions_are_invalid_client(client, sso):
    flow = Flow.new()
    code = get_code(client, flow)
    stranger = OKPKey.generate_key("Ed25519", auto_kid=True)
    cases = {
        "foreign key": client_auth(sso["node"], key=stranger),
        "wrong audience": client_auth(sso["node"], aud="http://other.test/token"),
        "expired": client_auth(sso["node"], exp=int(clock.now().timestamp()) - 3600),
        "too long-lived": client_auth(sso["node"], exp=int(clock.now().timestamp()) + 86400),
        "no assertion": {},
    }
    for label, auth in cases.items():
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": flow.verifier,
            "client_id": NODE,
            **auth,
        }
        response = client.post("/oidc/token", data=data, base_url=HUB)
        # RFC 6749 5.2: 400, or 401 when the client used the Authorization header.
        assert response.status_code in (400, 401), label
        assert _error(response) == "invalid_client", label
    # The same assertion twice (replayed jti) is refused too.
    auth = client_auth(sso["node"])
    assert exchange(client, sso["node"], code, flow, **auth).status_code == 200
    flow2 = Flow.new()
    code2 = get_code(client, flow2)
    replay = exchange(client, sso["node"], code2, flow2, **auth)
    assert replay.status_code in (400, 401) and _error(replay) == "invalid_client"


def test_expired_code_and_expired_token(client, sso):
    flow = Flow.new()
    code = get_code(client, flow)
    clock.advance(timedelta(seconds=61))
    late = exchange(client, sso["node"], code, flow)
    assert late.status_code == 400 and _error(late) == "invalid_grant"
    flow = Flow.new()
    tokens = exchange(client, sso["node"], get_code(client, flow), flow).get_json()
    clock.advance(timedelta(seconds=601))
    info = client.get(
        "/oidc/userinfo",
        base_url=HUB,
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert info.status_code == 401 and "invalid_token" in info.headers["WWW-Authenticate"]
    # The refresh token still works, and rotates.
    fresh = client.post(
        "/oidc/token",
        base_url=HUB,
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            **client_auth(sso["node"]),
        },
    )
    assert fresh.status_code == 200, fresh.get_json()
    reused = client.post(
        "/oidc/token",
        base_url=HUB,
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            **client_auth(sso["node"]),
        },
    )
    assert reused.status_code == 400 and _error(reused) == "invalid_grant"


def test_tokens_are_bound_to_their_client(client, sso, make_group):
    from node.extensions import db
    from node.oidc.keys import group_public_jwks
    from node.oidc.operations import register_node_client

    other = make_group("Everton", slug="everton", url="http://everton.test")
    register_node_client(
        sso["hub"],
        other.url,
        other.url + "/signin/national/callback",
        jwks=group_public_jwks(other),
    )
    db.session.commit()
    flow = Flow.new()
    code = get_code(client, flow)

    def as_other():  # type: ignore[no-untyped-def]
        return client_auth(other, iss=other.url, sub=other.url)

    stolen = exchange(client, sso["node"], code, flow, **as_other())
    assert stolen.status_code == 400 and _error(stolen) == "invalid_grant"
    tokens = exchange(client, sso["node"], code, flow).get_json()
    refresh = client.post(
        "/oidc/token",
        base_url=HUB,
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            **as_other(),
        },
    )
    assert refresh.status_code == 400 and _error(refresh) == "invalid_grant"


def test_revocation(client, sso):
    flow = Flow.new()
    tokens = exchange(client, sso["node"], get_code(client, flow), flow).get_json()
    response = client.post(
        "/oidc/revoke",
        base_url=HUB,
        data={
            "token": tokens["refresh_token"],
            "token_type_hint": "refresh_token",
            **client_auth(sso["node"], aud=HUB + "/oidc/revoke"),
        },
    )
    assert response.status_code == 200
    refused = client.post(
        "/oidc/token",
        base_url=HUB,
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            **client_auth(sso["node"]),
        },
    )
    assert refused.status_code == 400 and _error(refused) == "invalid_grant"
    unauthenticated = client.post(
        "/oidc/revoke", base_url=HUB, data={"token": tokens["access_token"]}
    )
    assert unauthenticated.status_code in (400, 401)
    assert _error(unauthenticated) == "invalid_client"


def test_deny_returns_access_denied_and_consent_is_remembered(client, sso):
    flow = Flow.new()
    from tests.oidc.conftest import set_password

    set_password("gita@example.org")
    client.sign_in("gita@example.org", base_url=HUB)
    url = "/oidc/authorize?" + flow.query()
    page = client.get(url, base_url=HUB)
    assert page.status_code == 200 and "Walton" in page.get_data(as_text=True)
    assert "form-action 'self' http://node.test" in page.headers["Content-Security-Policy"]
    denied = client.post_form(url, {"decision": "deny"}, base_url=HUB)
    assert parse_qs(urlsplit(denied.location).query)["error"] == ["access_denied"]
    get_code(client, Flow.new())  # allow once…
    again = client.get("/oidc/authorize?" + Flow.new().query(), base_url=HUB)
    assert again.status_code == 302 and "code=" in again.location  # …then no second question


def test_member_sees_and_revokes_signed_in_nodes(client, sso):
    flow = Flow.new()
    tokens = exchange(client, sso["node"], get_code(client, flow), flow).get_json()
    page = client.get("/oidc/connections", base_url=HUB)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Walton" in body
    import re

    consent_id = re.search(r"/oidc/connections/(\d+)/revoke", body).group(1)
    response = client.post_form(
        f"/oidc/connections/{consent_id}/revoke", {}, page="/oidc/connections", base_url=HUB
    )
    assert response.status_code == 302
    assert "not signed in to any node" in client.get("/oidc/connections", base_url=HUB).get_data(
        as_text=True
    )
    info = client.get(
        "/oidc/userinfo",
        base_url=HUB,
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert info.status_code == 401


def test_account_without_national_record_cannot_consent(client, sso):
    flow = Flow.new()
    client.sign_in(sso["hub_officer"].email, base_url=HUB)
    page = client.get("/oidc/authorize?" + flow.query(), base_url=HUB)
    assert page.status_code == 200 and "No national membership record" in page.get_data(
        as_text=True
    )
    response = client.post_form(
        "/oidc/authorize?" + flow.query(), {"decision": "allow"}, base_url=HUB
    )
    assert parse_qs(urlsplit(response.location).query)["error"] == ["access_denied"]
