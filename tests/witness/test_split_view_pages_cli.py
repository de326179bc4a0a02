"""Split views between two groups, the officers' panel and evidence page, the public checkpoint
list, ``commonground doctor``'s line and ``commonground log prove``."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from node.extensions import db
from node.witness.models import Evidence
from tests.peering.conftest import trust
from tests.witness.conftest import HUB, deliver, enrol, evidence_kinds, publish


def run_for(group):
    from node.witness import worker

    return worker.witness((group.id, HUB))


@pytest.fixture
def pair(walton, make_group):
    from node.peering import keystore

    shepperton = make_group("Shepperton", slug="shepperton", url="http://shepperton.test")
    enrol(shepperton)
    trust(walton, shepperton.url, keystore.current_key(shepperton).public_jwk, "Shepperton")
    return walton, shepperton


@pytest.mark.parametrize("their_extra", [1, 2], ids=["same-size", "larger"])
def test_two_trees_shown_to_two_groups_are_a_split_view(pair, hub, their_extra):
    walton, shepperton = pair
    w, s = publish(walton, "W"), publish(shepperton, "S")
    deliver()
    y, x, z = publish(walton, "Y"), publish(walton, "X"), publish(walton, "Z")
    hub.view = [w.compact, s.compact, y.compact]  # what Walton is shown
    assert run_for(walton) == 0
    hub.view = [w.compact, s.compact, x.compact, z.compact][: 2 + their_extra]  # Shepperton's
    assert run_for(shepperton) == 0
    assert evidence_kinds(shepperton) == []
    hub.view = [w.compact, s.compact, y.compact]
    assert run_for(walton) == 1
    assert evidence_kinds(walton) == ["split-view"]
    row = db.session.scalar(select(Evidence).where(Evidence.group_id == walton.id))
    assert row.other_source == shepperton.url and row.other_checkpoint and row.checkpoint
    # Shown Walton's tree now, Shepperton catches it too: not the tree it verified before.
    assert run_for(shepperton) == 1 and evidence_kinds(shepperton) == ["inconsistent"]


def test_the_same_log_seen_by_a_peer_is_no_finding(pair, hub):
    walton, shepperton = pair
    publish(walton), publish(shepperton)
    deliver()
    run_for(shepperton)
    publish(walton, "Later")
    deliver()
    assert run_for(walton) == 0  # ours is larger and extends theirs
    assert evidence_kinds(walton) == []


def test_a_peers_checkpoint_not_signed_by_the_hub_proves_nothing(pair, hub, network):
    walton, shepperton = pair
    publish(walton)
    deliver()
    network.answers["http://shepperton.test/federation/witness/checkpoints"] = (
        200,
        {"checkpoints": ["hub.test/log\n1\nAAAA\n\n— hub.test/log AAAAAAAA\n", "junk"]},
    )
    assert run_for(walton) == 0 and evidence_kinds(walton) == []


def test_the_public_checkpoint_list(pair, hub, client):
    walton, shepperton = pair
    assert client.get("/federation/witness/checkpoints", base_url=walton.url).json == {
        "checkpoints": []
    }
    publish(walton)
    deliver()
    run_for(walton)
    served = client.get("/federation/witness/checkpoints", base_url=walton.url).json
    assert served["checkpoints"] == [hub.checkpoint()]
    other = client.get("/federation/witness/checkpoints", base_url=shepperton.url).json
    assert other == {"checkpoints": []}


@pytest.fixture
def caught(walton, hub):
    """Walton's witness has caught the hub leaving out its decision of 3 May 2026."""
    from datetime import datetime

    rows = [publish(walton, n) for n in ("A", "B")]
    rows[1].issued_at = datetime(2026, 5, 3, 12, 0)
    db.session.commit()
    deliver()
    hub.view = [rows[0].compact, rows[0].compact]
    run_for(walton)
    return db.session.scalar(select(Evidence).where(Evidence.group_id == walton.id))


def test_officers_see_it_in_plain_words_and_mark_it_read(caught, walton, make_member, client):
    officer = make_member(walton, "officer", email="o@walton.example.org", name="Olive")
    member = make_member(walton, "member", email="m@walton.example.org")
    base = {"base_url": walton.url}
    client.sign_in(member.email, **base)
    assert "leaves out" not in client.get("/", **base).get_data(as_text=True)
    assert client.get("/federation/witness/", **base).status_code == 403
    client.get("/signout", **base)
    client.sign_in(officer.email, **base)
    home = client.get("/", **base).get_data(as_text=True)
    wording = "The national hub showed us a log that leaves out our decision of 3 May 2026."
    assert wording in home
    page = client.get("/federation/witness/", **base).get_data(as_text=True)
    assert wording in page and "hub.test/log" in page and "Mark as read" in page
    url = f"/federation/witness/evidence/{caught.id}/acknowledge"
    assert client.post(url, **base).status_code == 400  # no CSRF token: refused
    response = client.post_form(url, page="/federation/witness/", **base)
    assert response.status_code == 302
    db.session.refresh(caught)
    assert caught.acknowledged_at is not None and caught.acknowledged_by == "Olive"
    audit_page = client.get("/audit", **base).get_data(as_text=True)
    assert "marked as read the evidence against the hub" in audit_page  # in the officers' log
    assert wording not in client.get("/", **base).get_data(as_text=True)
    page = client.get("/federation/witness/", **base).get_data(as_text=True)
    assert wording in page and "read by Olive" in page  # kept for ever
    assert client.post_form(url, page="/federation/witness/", **base).status_code == 409


def test_doctor_reports_unread_evidence(caught, walton):
    from node.ops.database_checks import check_witness_evidence

    (finding,) = check_witness_evidence()
    assert finding.level == "WARN" and finding.message.startswith("walton: 1 piece(s)")
    caught.acknowledged_at = caught.found_at
    db.session.commit()
    (finding,) = check_witness_evidence()
    assert finding.level == "OK"


def test_log_prove(walton, hub, runner):
    row = publish(walton)
    publish(walton, "Other")
    deliver()
    result = runner.invoke(args=["log", "prove", row.statement_id, "--group", "walton"])
    assert result.exit_code == 0, result.output
    assert f"Statement {row.statement_id} is entry 0 of the log hub.test/log (2 entries)." in (
        result.output
    )
    assert "inclusion proof of 1 hash(es) verified" in result.output
    hub.view = list(reversed(hub.entries))
    result = runner.invoke(args=["log", "prove", row.statement_id, "--group", "walton"])
    assert result.exit_code == 1
    assert "The hub's proof does not show statement" in result.output
    assert len(result.output.strip().splitlines()) == 1
    result = runner.invoke(args=["log", "prove", "nope", "--group", "walton"])
    assert result.exit_code == 1 and "no statement of its own with id nope" in result.output


def test_more_peers_than_a_run_compares_are_each_compared_in_turn(
    pair, hub, make_group, monkeypatch
):  # type: ignore[no-untyped-def]
    """A run compares at most MAX_PEERS peers (one here) and the next run goes on from there:
    a split view shown to Walton's second peer is found by Walton's second run, where the
    first peer alone would be compared again and again without it."""
    from node.peering import keystore
    from node.witness import peers
    from node.witness.models import WitnessState

    walton, _shepperton = pair
    crosby = make_group("Crosby", slug="crosby", url="http://crosby.test")
    enrol(crosby)
    trust(walton, crosby.url, keystore.current_key(crosby).public_jwk, "Crosby")
    monkeypatch.setattr(peers, "MAX_PEERS", 1)
    w, c = publish(walton, "W"), publish(crosby, "C")
    deliver()
    y, x = publish(walton, "Y"), publish(walton, "X")
    hub.view = [w.compact, c.compact, x.compact]  # what Crosby is shown
    assert run_for(crosby) == 0
    hub.view = [w.compact, c.compact, y.compact]  # what Walton is shown
    assert run_for(walton) == 0  # Shepperton's turn: it has verified nothing
    assert run_for(walton) == 1  # Crosby's turn
    row = db.session.scalar(select(Evidence).where(Evidence.group_id == walton.id))
    assert row.kind == "split-view" and row.other_source == crosby.url
    state = db.session.scalar(select(WitnessState).where(WitnessState.group_id == walton.id))
    assert state.peers_from == _peer_id(walton, crosby.url)
    assert run_for(walton) == 0  # round to Shepperton again; the finding is kept once
    assert state.peers_from == _peer_id(walton, _shepperton.url)


def _peer_id(group, issuer: str) -> int:  # type: ignore[no-untyped-def]
    from node.peering.models import Peer

    return db.session.scalar(
        select(Peer.id).where(Peer.group_id == group.id, Peer.issuer == issuer)
    )
