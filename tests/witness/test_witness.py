"""The witness against a fake hub log (tests/witness/conftest.py): what it keeps, verifies,
cosigns and refuses to cosign. Each hostile case is caught in one run of the task."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from federation.tlog import CosignatureVerifier, open_checkpoint
from node import clock
from node.extensions import db
from node.peering.models import LogPosition
from node.witness.models import Evidence, WitnessState
from tests.witness.conftest import deliver, evidence_kinds, publish, witness


def positions(group):
    return {
        p.statement.statement_id: p
        for p in db.session.scalars(select(LogPosition).where(LogPosition.group_id == group.id))
    }


def state(group):
    return db.session.scalar(select(WitnessState).where(WitnessState.group_id == group.id))


def test_leaf_indices_from_the_hubs_answer_are_kept(walton, hub):
    first, second = publish(walton), publish(walton, "Jo Rahman")
    assert deliver() == 2
    placed = positions(walton)
    assert {k: p.leaf_index for k, p in placed.items()} == {
        first.statement_id: 0,
        second.statement_id: 1,
    }
    assert {p.log for p in placed.values()} == {"http://hub.test"}


def test_a_bogus_log_answer_is_ignored(walton, hub):
    from node.peering import log_positions
    from node.peering.models import Delivery

    row = publish(walton)

    delivery = db.session.scalar(select(Delivery).where(Delivery.statement_pk == row.id))
    bad = [{"log": "x"}, {"log": {row.statement_id: -1}}, {"log": {row.statement_id: "3"}},
           {"log": {row.statement_id: True}}, {"log": {"someone-else": 4}}]  # fmt: skip
    for body in bad:
        assert log_positions.record(delivery.destination, [delivery], body) == 0
    assert log_positions.record(delivery.destination, [delivery], {"log": {row.statement_id: 7}})
    assert positions(walton)[row.statement_id].leaf_index == 7


def test_an_honest_log_is_verified_and_cosigned(walton, hub):
    from federation.tlog.names import witness_name
    from node.peering import keystore

    publish(walton), publish(walton, "Jo Rahman")
    deliver()
    assert witness() == 0
    seen = state(walton)
    assert seen.size == 2 and seen.log_key == hub.signer.verifier.key
    assert all(p.verified_size == 2 for p in positions(walton).values())
    assert len(hub.cosignatures) == 1
    # The cosignature is a C2SP cosignature/v1 line by the group's key over this checkpoint.
    jwk = keystore.current_key(walton).public_jwk
    from federation.keys import load_public_jwk

    witness_key = CosignatureVerifier(witness_name(walton.url), load_public_jwk(jwk))
    cosigned = hub.checkpoint() + hub.cosignatures[0]
    opened = open_checkpoint(cosigned, hub.signer.verifier, [witness_key])
    assert [c.name for c in opened.cosignatures] == ["walton.test"]
    # Nothing new: no second cosignature; the log grows: checked for consistency and cosigned.
    witness()
    assert len(hub.cosignatures) == 1
    publish(walton, "Ann Lee")
    deliver()
    assert witness() == 0
    assert state(walton).size == 3 and len(hub.cosignatures) == 2
    assert evidence_kinds(walton) == []


def test_a_dropped_statement_is_caught(walton, hub):
    rows = [publish(walton, n) for n in ("A", "B", "C")]
    deliver()
    witness()
    hub.view = [c for c in hub.entries if c != rows[1].compact]  # drops B, keeps growing
    hub.entries.append(publish(walton, "D").compact)
    hub.view.append(hub.entries[-1])
    hub.view.append(hub.entries[-1])  # the same size as the honest log
    assert witness() == 1
    assert evidence_kinds(walton) == ["inconsistent"]
    row = db.session.scalar(select(Evidence))
    assert row.checkpoint and row.other_checkpoint and row.proof["hashes"]
    assert len(hub.cosignatures) == 1  # the bad checkpoint was not cosigned


def test_a_statement_left_out_of_the_first_log_seen_is_caught(walton, hub):
    rows = [publish(walton, n) for n in ("A", "B")]
    deliver()
    hub.view = [rows[0].compact, rows[0].compact]  # B's place holds something else
    assert witness() == 1
    assert evidence_kinds(walton) == ["not-included"]
    row = db.session.scalar(select(Evidence))
    assert row.statement_id == rows[1].statement_id
    assert hub.cosignatures == []


def test_reordered_and_rewritten_logs_are_caught(walton, hub):
    rows = [publish(walton, n) for n in ("A", "B", "C")]
    deliver()
    hub.view = [rows[1].compact, rows[0].compact, rows[2].compact]
    assert witness() == 2  # A and B are not where the hub said
    assert evidence_kinds(walton) == ["not-included", "not-included"]
    hub.view = None
    assert witness() == 0  # the honest log again: verified, cosigned; the evidence stays
    assert len(hub.cosignatures) == 1 and len(evidence_kinds(walton)) == 2
    head, payload, sig = rows[2].compact.split(".")
    hub.view = [*hub.entries[:2], f"{head}.{payload[:-2]}AA.{sig}"]
    assert witness() == 1
    assert evidence_kinds(walton)[0] == "inconsistent"


def test_the_same_finding_is_kept_once_and_never_retried_away(walton, hub):
    rows = [publish(walton, n) for n in ("A", "B")]
    deliver()
    hub.view = [rows[1].compact, rows[0].compact]
    witness()
    witness()
    assert len(evidence_kinds(walton)) == 2


def test_a_changed_key_and_a_bad_signature_are_evidence(walton, hub):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from federation.tlog import Ed25519Signer

    publish(walton)
    deliver()
    witness()
    impostor = Ed25519Signer("hub.test/log", Ed25519PrivateKey.generate())
    hub.served_key = impostor.verifier.key
    hub.signer_override = impostor
    assert witness() == 2
    assert evidence_kinds(walton) == ["bad-signature", "key-changed"]
    assert state(walton).log_key == hub.signer.verifier.key  # the pin stays


def test_a_statement_the_hub_never_logs_is_missing_after_the_grace_period(walton, hub):
    logged = publish(walton, "First")
    deliver()  # the hub answers with its leaf index: from now on it logs what it accepts
    rows = [publish(walton, n) for n in ("A", "B")]
    hub.log_answers = False
    deliver()
    hub.view = [logged.compact, rows[0].compact]  # accepted both, logs one
    assert witness() == 0  # within the grace period: found A, B may still come
    assert set(positions(walton)) == {logged.statement_id, rows[0].statement_id}
    assert positions(walton)[rows[0].statement_id].source == "found"
    with clock.frozen(clock.now() + timedelta(minutes=61)):
        assert witness() == 1
    assert evidence_kinds(walton) == ["missing"]
    assert db.session.scalar(select(Evidence)).statement_id == rows[1].statement_id


def test_a_leaf_index_beyond_the_log_is_missing_after_the_grace_period(walton, hub):
    publish(walton)
    deliver()
    hub.view = []
    assert witness() == 0
    with clock.frozen(clock.now() + timedelta(minutes=61)):
        assert witness() == 1
    assert evidence_kinds(walton) == ["missing"]


def test_an_unreachable_hub_is_a_failure_backed_off_not_evidence(walton, hub, network):
    publish(walton)
    deliver()
    network.down.add("hub.test")
    assert witness() == 0
    seen = state(walton)
    assert seen.failures == 1 and seen.last_error == "connection failed: ConnectionError"
    assert seen.next_check_at > clock.utcnow_naive()
    assert evidence_kinds(walton) == []
    network.down.clear()
    assert witness() == 0 and state(walton).failures == 1  # backed off: not asked yet
    with clock.frozen(clock.now() + timedelta(hours=1)):
        assert witness() == 0
    seen = state(walton)
    assert seen.failures == 0 and seen.last_error is None and seen.size == 1


def test_checks_wait_for_the_interval(walton, hub, app):
    app.config["WITNESS_INTERVAL_SECONDS"] = 60
    publish(walton)
    deliver()
    witness()
    publish(walton, "Later")
    deliver()
    witness()
    assert state(walton).size == 1  # not checked again yet
    with clock.frozen(clock.now() + timedelta(seconds=61)):
        witness()
    assert state(walton).size == 2


def test_a_log_key_not_named_after_the_hubs_log_is_not_pinned(walton, hub):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from federation.tlog import Ed25519Signer

    hub.signer = Ed25519Signer("elsewhere.test/log", Ed25519PrivateKey.generate())
    publish(walton)
    deliver()
    assert witness() == 0
    seen = state(walton)
    assert seen.log_key is None and "not after its log" in seen.last_error
    assert hub.cosignatures == [] and evidence_kinds(walton) == []


def test_a_delivery_to_another_group_on_the_hubs_server_is_not_the_hubs(walton, hub):
    from node.peering.models import Delivery

    first = publish(walton, "First")
    deliver()  # the hub logs what it accepts
    row = publish(walton)
    hub.log_answers = False
    deliver()
    held = db.session.scalar(select(Delivery).where(Delivery.statement_pk == row.id))
    held.destination = "http://hub.test/g/neighbour/federation/inbox"  # path tenancy
    db.session.commit()
    hub.view = [first.compact]
    with clock.frozen(clock.now() + timedelta(minutes=61)):
        assert witness() == 0
    assert evidence_kinds(walton) == []


def test_statements_accepted_before_the_hub_kept_a_log_are_not_expected_in_it(walton, hub):
    hub.log_answers = False  # a hub before its log: no leaf indices
    publish(walton, "Old")
    deliver()
    hub.view = []
    with clock.frozen(clock.now() + timedelta(minutes=61)):
        assert witness() == 0
    assert evidence_kinds(walton) == []
