"""National membership import (page and CLI): all or nothing, line-numbered report."""

from __future__ import annotations

import io

from tests.oidc.conftest import HUB, NATIONAL_CSV

BAD = (
    b"name,email,member_since,status\n"
    b"Ok Person,ok@example.org,2020-01-01,good-standing\n"
    b",bad-email,01/02/2020,paid\n"
)


def test_cli_import_and_register_client(runner, sso, tmp_path):
    from node.extensions import db
    from node.oidc.models import NationalMember, OidcClient

    good = tmp_path / "good.csv"
    good.write_bytes(NATIONAL_CSV + b"New Person,new@example.org,2024-02-02,,,\n")
    result = runner.invoke(args=["oidc", "import-members", str(good), "--group", "hub"])
    assert result.exit_code == 0, result.output
    assert "1 new, 0 updated, 2 unchanged" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD)
    result = runner.invoke(args=["oidc", "import-members", str(bad), "--group", "hub"])
    assert (
        result.exit_code != 0 and "line 3" in result.output and "nothing imported" in result.output
    )
    assert db.session.query(NationalMember).filter_by(email="ok@example.org").count() == 0
    jwks = tmp_path / "jwks.json"
    jwks.write_text(
        '{"keys": [{"kty": "OKP", "crv": "Ed25519", '
        '"x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}'
    )
    result = runner.invoke(
        args=[
            "oidc",
            "register-client",
            "--group",
            "hub",
            "--client-id",
            "http://everton.test",
            "--redirect-uri",
            "http://everton.test/signin/national/callback",
            "--jwks-file",
            str(jwks),
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.query(OidcClient).filter_by(client_id="http://everton.test").one()
    result = runner.invoke(
        args=[
            "oidc",
            "register-client",
            "--group",
            "walton",
            "--client-id",
            "http://x.test",
            "--redirect-uri",
            "http://x.test/cb",
            "--jwks-file",
            str(jwks),
        ]
    )
    assert result.exit_code != 0 and "not the national hub" in result.output


def test_import_page_for_hub_officers_only(client, sso, make_member):
    client.sign_in(sso["hub_officer"].email, base_url=HUB)
    ok = client.post_form(
        "/oidc/members/import",
        {
            "file": (
                io.BytesIO(b"name,email,member_since\nA B,ab@example.org,2021-03-04\n"),
                "n.csv",
            )
        },
        base_url=HUB,
        content_type="multipart/form-data",
    )
    assert ok.status_code == 200 and "1 new" in ok.get_data(as_text=True)
    bad = client.post_form(
        "/oidc/members/import",
        {"file": (io.BytesIO(BAD), "b.csv")},
        base_url=HUB,
        content_type="multipart/form-data",
    )
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Line 3" in body and "Nothing was imported" in body
    listing = client.get("/oidc/members", base_url=HUB).get_data(as_text=True)
    assert "ab@example.org" in listing and "ok@example.org" not in listing
    plain = make_member(sso["hub"], "member", email="plain@hub.example.org")
    other = client.application.test_client()
    other.sign_in(plain.email, base_url=HUB)
    assert other.get("/oidc/members/import", base_url=HUB).status_code == 403


def test_paid_until_in_the_past_means_lapsed(sso):
    from node.extensions import db
    from node.oidc.models import NationalMember
    from node.oidc.records import membership_claim

    larry = db.session.query(NationalMember).filter_by(email="larry@example.org").one()
    assert membership_claim(larry)["status"] == "lapsed"
    larry.status = "good-standing"
    assert membership_claim(larry)["status"] == "lapsed"  # dues ran out 2020-12-31
