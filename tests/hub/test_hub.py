"""The hub: enrolment tokens, the signed registry, aggregates (push, retraction, suspension,
rebuild), the sweep catching up a group whose pushes failed, and audit finding tampering."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from node import clock
from node.errors import Invalid
from node.extensions import db
from tests.hub.conftest import HUB, deliver, endorse, enrol


def _candidate(hub, name="Sam Ortiz"):  # type: ignore[no-untyped-def]
    from node.hub.models import HubCandidate

    db.session.expire_all()
    return db.session.scalar(
        select(HubCandidate).where(HubCandidate.group_id == hub.id, HubCandidate.name == name)
    )


def test_token_is_single_use_and_expires(app, wsgi, hub, nodes):  # type: ignore[no-untyped-def]
    from node.hub import joining, operations

    token, _ = operations.issue_token(hub, "Walton", "North West")
    db.session.commit()
    joining.join(nodes["walton"], HUB, token)
    db.session.commit()
    with pytest.raises(Invalid, match="already been used"):
        joining.join(nodes["shepperton"], HUB, token)
    db.session.rollback()
    late, _ = operations.issue_token(hub, "Shepperton", "South East")
    db.session.commit()
    clock.advance(timedelta(days=15))
    with pytest.raises(Invalid, match="expired"):
        joining.join(nodes["shepperton"], HUB, late)
    db.session.rollback()
    with pytest.raises(Invalid, match="unknown enrolment token"):
        joining.join(nodes["shepperton"], HUB, "cgt_made-up")


def test_enrolment_pins_keys_and_the_registry_vouches(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    from node.hub import registry
    from node.hub.models import EnrolledGroup, HubLink
    from node.peering import keystore, net

    walton = enrolled["walton"]
    row = db.session.scalar(select(EnrolledGroup).where(EnrolledGroup.url == walton.url))
    assert row.thumbprints == [keystore.current_key(walton).kid]
    assert row.region == "North West" and row.status == "active"
    latest = registry.latest(hub)
    assert latest.type == "registry"
    assert {g["id"] for g in latest.payload["body"]["groups"]} == {g.url for g in enrolled.values()}
    link = db.session.scalar(select(HubLink).where(HubLink.group_id == walton.id))
    assert link.keys[0]["kid"] == keystore.current_key(hub).kid
    # Crosby's link (fetched last) vouches for Walton's key; no one vouches for a made-up key.
    crosby = enrolled["crosby"]
    assert net.trusted_via_registry(crosby.id, walton.url, keystore.current_key(walton).kid)
    assert not net.trusted_via_registry(crosby.id, walton.url, "A" * 43)
    # The registry is served verbatim at a stable URL.
    response = app.test_client().get(
        "/hub/registry", base_url=HUB, headers={"Accept": "application/jose"}
    )
    assert response.get_data(as_text=True) == latest.compact


def test_peers_follow_without_fingerprint_when_the_registry_vouches(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    from node.hub.registry import REFRESH_AFTER
    from node.peering.following import follow_peer

    # Walton's own registry (fetched when it joined, before Crosby enrolled) is re-fetched once
    # it is REFRESH_AFTER old; another group's fresher registry does not count (trust is per group).
    clock.advance(REFRESH_AFTER)
    preview = follow_peer(enrolled["walton"], enrolled["crosby"].url)
    db.session.commit()
    assert preview.pinned


def test_pushed_endorsements_are_counted_retracted_and_suspended(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    from node.hub import operations
    from node.hub.audit import rebuild
    from node.hub.models import EnrolledGroup
    from node.peering.operations import retract

    walton, shepperton, crosby = (enrolled[s] for s in ("walton", "shepperton", "crosby"))
    first = endorse(walton)
    endorse(shepperton)
    endorse(crosby)
    assert deliver() >= 3
    assert _candidate(hub).endorsements == 3
    retract(walton, first.statement_id, "Candidate withdrew")
    db.session.commit()
    deliver()
    assert _candidate(hub).endorsements == 2
    row = db.session.scalar(select(EnrolledGroup).where(EnrolledGroup.url == shepperton.url))
    operations.suspend(hub, row)
    db.session.commit()
    assert _candidate(hub).endorsements == 1
    page = app.test_client().get(f"/hub/candidates/{_candidate(hub).id}", base_url=HUB)
    body = page.get_data(as_text=True)
    assert "Walton" in body and "retracted" in body and "not counted (suspended)" in body
    done, problems = rebuild(hub)
    db.session.commit()
    assert problems == [] and done > 3
    assert _candidate(hub).endorsements == 1
    operations.reinstate(hub, db.session.get(EnrolledGroup, row.id))
    db.session.commit()
    assert _candidate(hub).endorsements == 2


def test_sweep_catches_up_a_group_whose_pushes_failed(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    from node.hub.sweep import run_sweep

    wsgi.down.add("hub.test")
    for i in range(3):
        endorse(enrolled["walton"], name=f"Candidate {i}")
    deliver()
    assert _candidate(hub, "Candidate 0") is None
    wsgi.down.clear()
    assert run_sweep(force=True) == 3
    assert [_candidate(hub, f"Candidate {i}").endorsements for i in range(3)] == [1, 1, 1]
    assert run_sweep() == 0  # not due again yet


def test_audit_finds_a_statement_tampered_in_the_database(app, wsgi, hub, enrolled, runner):  # type: ignore[no-untyped-def]
    from node.peering.models import Statement

    endorse(enrolled["walton"])
    deliver()
    result = runner.invoke(args=["hub", "audit"])
    assert result.exit_code == 0, result.output
    row = db.session.scalar(
        select(Statement).where(
            Statement.group_id == hub.id, Statement.type == "candidate-endorsement"
        )
    )
    original = row.compact
    # 1. One byte of the verbatim statement (inside the signed payload).
    head, payload, sig = original.split(".")
    flipped = payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:]
    db.session.execute(
        text("UPDATE federation_statements SET compact = :c WHERE id = :i"),
        {"c": f"{head}.{flipped}.{sig}", "i": row.id},
    )
    db.session.commit()
    result = runner.invoke(args=["hub", "audit"])
    assert result.exit_code == 1 and f"row {row.id} " in result.output, result.output
    # 2. The parsed fields beside an intact compact.
    db.session.execute(
        text("UPDATE federation_statements SET compact = :c WHERE id = :i"),
        {"c": original, "i": row.id},
    )
    db.session.commit()
    payload_doc = dict(row.payload)
    payload_doc["body"] = dict(payload_doc["body"], candidate="Someone Else")
    db.session.expire_all()
    row = db.session.get(Statement, row.id)
    row.payload = payload_doc
    db.session.commit()
    result = runner.invoke(args=["hub", "audit"])
    assert (
        result.exit_code == 1 and "field-mismatch" in result.output and "payload" in result.output
    )


def test_hub_pages_are_404_on_an_ordinary_group(app, nodes):  # type: ignore[no-untyped-def]
    client = app.test_client()
    for path in ("/hub/", "/hub/candidates", "/api/v1/candidates", "/hub/registry"):
        assert client.get(path, base_url="http://walton.test").status_code == 404


def test_cli_enrol_token_and_suspend(app, wsgi, hub, nodes, runner):  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["hub", "enrol-token", "--name", "Walton", "--region", "NW"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[0]
    assert token.startswith("cgt_")
    result = runner.invoke(args=["hub", "join", HUB, "--token", token, "--group", "walton"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["hub", "suspend", "Walton"])
    assert result.exit_code == 0 and "suspended" in result.output
    result = runner.invoke(args=["hub", "suspend", "Walton"])
    assert result.exit_code != 0 and "already suspended" in result.output
    assert enrol  # the helper is shared with the API tests
