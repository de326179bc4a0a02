"""The CLI contract and the officer pages, end to end through the app (no network)."""

from __future__ import annotations

import os
import stat

from sqlalchemy import select

from federation import statements as fst
from node.extensions import db
from node.peering import keystore
from node.peering.models import GroupKey, Statement


def test_group_creation_makes_a_private_key_file(app, group):
    row = db.session.scalar(select(GroupKey).where(GroupKey.group_id == group.id))
    path = keystore.key_path(group, row.kid)
    assert path.parent.name == group.slug and path.name == f"{row.kid}.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "d" not in row.public_jwk


def test_endorse_retract_list_verify_rotate(app, runner, group, client):
    result = runner.invoke(
        args=[
            "endorse",
            "candidate",
            "--group",
            "walton",
            "--name",
            "Sam Ortiz",
            "--office",
            "Surrey County Council",
            "--area",
            "Walton South",
            "--election-date",
            "2025-05-01",
            "--meeting-date",
            "2025-02-01",
            "--minute",
            "GM/4",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "endorse",
            "campaign",
            "--group",
            "walton",
            "--title",
            "Clean the Wey",
            "--summary",
            "No sewage",
            "--meeting-date",
            "2025-02-01",
            "--minute",
            "GM/5",
        ]
    )
    assert result.exit_code == 0, result.output
    first = db.session.scalar(select(Statement).where(Statement.seq == 1))
    result = runner.invoke(
        args=["retract", first.statement_id, "--group", "walton", "--reason", "Withdrew"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["retract", first.statement_id, "--group", "walton", "--reason", "Again"]
    )
    assert result.exit_code == 1 and "already retracted" in result.output
    result = runner.invoke(args=["keys", "rotate", "--group", "walton"])
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["statements", "list", "--group", "walton"]).output.splitlines()
    assert [line.split("\t")[3] for line in listing] == [
        "candidate-endorsement",
        "campaign-endorsement",
        "retraction",
        "key-rotation",
    ]
    assert listing[0].split("\t")[4] == "own retracted"
    result = runner.invoke(args=["statements", "verify", "--group", "walton"])
    assert result.exit_code == 0 and "4 statements, chain verified" in result.output
    # JWKS keeps both keys; the outbox serves the chain
    keys = client.get("/federation/jwks.json").json["keys"]
    assert len(keys) == 2
    page = client.get("/federation/outbox?after=1&limit=2")
    assert (
        page.json["next"].endswith("after=3&limit=2") and "max-age" in page.headers["Cache-Control"]
    )
    assert [fst.peek(c)[1]["seq"] for c in page.json["items"]] == [2, 3]
    last = client.get(page.json["next"].replace("http://localhost", ""))
    assert last.json["next"] is None and len(last.json["items"]) == 1
    assert client.get("/federation/outbox?limit=100000").status_code == 200
    assert client.get("/federation/outbox?after=-1").json["error"] == "malformed"
    discovery = client.get("/.well-known/commonground").json
    assert discovery["groups"][0]["jwks_uri"] == "http://localhost/federation/jwks.json"


def test_cli_refusals_are_one_line(app, runner, group):
    result = runner.invoke(args=["retract", "nope", "--group", "walton", "--reason", "x"])
    assert result.exit_code == 1 and "no statement" in result.output
    result = runner.invoke(args=["statements", "list", "--group", "nobody"])
    assert result.exit_code == 1 and "No group" in result.output


def test_worker_once(app, runner, group):
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0 and "federation=0" in result.output


def test_officer_records_and_confirms_a_meeting_decision(officer_client, group):
    data = {
        "name": "Sam Ortiz",
        "office": "County",
        "area": "Walton South",
        "election_date": "2025-05-01",
        "meeting_date": "2025-02-01",
        "minute": "GM/4",
        "summary": "Agreed",
    }
    preview = officer_client.post_form("/federation/publish/candidate", data)
    assert preview.status_code == 200 and "Confirm and publish" in preview.get_data(as_text=True)
    assert db.session.scalar(select(Statement)) is None
    done = officer_client.post_form("/federation/publish/candidate", {**data, "confirm": "yes"})
    assert done.status_code == 302
    row = db.session.scalar(select(Statement))
    assert row.body["candidate"] == "Sam Ortiz" and row.body["decision"]["minute"] == "GM/4"
    page = officer_client.get("/federation/").get_data(as_text=True)
    assert "Walton Momentum endorsed Sam Ortiz" in page
    retract = officer_client.post_form(
        f"/federation/statements/{row.id}/retract", {"reason": "Withdrew"}
    )
    assert retract.status_code == 302
    assert "Retracted" in officer_client.get("/federation/").get_data(as_text=True)
    assert officer_client.get("/federation/admin").status_code == 200
    assert officer_client.get("/federation/statements.csv").status_code == 200


def test_officer_follow_form_shows_the_fingerprint_first(officer_client, group, make_group, wsgi):
    other = make_group("Hersham", slug="hersham", url="http://hersham.test")
    kid = keystore.current_key(other).kid
    preview = officer_client.post_form("/federation/peers/follow", {"url": "http://hersham.test"})
    assert kid in preview.get_data(as_text=True)
    from node.peering.models import Peer

    assert db.session.scalar(select(Peer)) is None
    done = officer_client.post_form(
        "/federation/peers/follow",
        {"url": "http://hersham.test", "fingerprint": kid},
        page="/federation/peers/follow",
    )
    assert done.status_code == 302
    assert db.session.scalar(select(Peer)).thumbprints == [kid]
