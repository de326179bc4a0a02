"""``/hub/log/…`` over HTTP (the contract of docs/protocol.md §14.8): the leaf index in the
inbox's answer, checkpoints signed with the log key and their cadence, entries, proofs checked
with the library's verifiers, witnesses' cosignatures, and every refusal as a JSON 4xx."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from federation.tlog import checkpoint as tcp
from federation.tlog import merkle, note
from federation.tlog.names import log_origin, witness_name
from node import clock
from node.extensions import db
from tests.hub.conftest import HUB, deliver, endorse


def _get(app: Any, path: str) -> Any:
    return app.test_client().get(path, base_url=HUB)


def _log_key(app: Any) -> note.Ed25519Verifier:
    response = _get(app, "/hub/log/key")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return note.Ed25519Verifier.from_key(response.get_data(as_text=True).strip())


def _checkpoint(app: Any, query: str = "", witnesses: Any = ()) -> tcp.SignedCheckpoint:
    response = _get(app, "/hub/log/checkpoint" + query)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return tcp.open_checkpoint(response.get_data(as_text=True), _log_key(app), witnesses)


def _signer(group: Any) -> tcp.CosignatureSigner:
    from node.peering import keystore

    key = keystore.private_key(group, keystore.current_key(group))
    return tcp.CosignatureSigner(witness_name(group.url), key)


def _published(enrolled: dict[str, Any], count: int = 3) -> list[Any]:
    rows = [
        endorse(enrolled[slug], name=f"Candidate {n}")
        for n, slug in enumerate(["walton", "shepperton", "crosby", "walton", "crosby"][:count])
    ]
    deliver()
    return rows


def test_the_log_holds_what_the_hub_accepted_and_proves_it(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    rows = _published(enrolled)
    key = _log_key(app)
    assert key.name == log_origin(HUB) == "hub.test/log"
    signed = _checkpoint(app)
    assert signed.checkpoint.origin == "hub.test/log" and signed.checkpoint.size == 3
    entries = _get(app, "/hub/log/entries?start=0&limit=10").json
    assert entries["next"] is None
    assert sorted(e["compact"] for e in entries["entries"]) == sorted(r.compact for r in rows)
    assert [e["index"] for e in entries["entries"]] == [0, 1, 2]
    assert merkle.root([merkle.leaf_hash(e["compact"].encode()) for e in entries["entries"]]) == (
        signed.checkpoint.root
    )
    for entry in entries["entries"]:
        proof = _get(app, f"/hub/log/proof/inclusion?index={entry['index']}&tree_size=3").json
        assert proof["leaf_index"] == entry["index"] and proof["tree_size"] == 3
        merkle.verify_inclusion(
            entry["index"],
            3,
            merkle.leaf_hash(entry["compact"].encode()),
            [note.b64decode(h) for h in proof["hashes"]],
            signed.checkpoint.root,
        )
    where = _get(app, f"/hub/log/index?statement={rows[0].statement_id}").json
    assert where["leaves"][0]["issuer"] == enrolled["walton"].url
    assert entries["entries"][where["leaves"][0]["index"]]["compact"] == rows[0].compact


def test_the_inbox_answers_with_leaf_indexes_on_the_hub_only(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    rows = _published(enrolled, 1)
    walton = enrolled["walton"]
    again = app.test_client().post(
        "/federation/inbox",
        base_url=HUB,
        data=json.dumps({"statements": [rows[0].compact]}),
        content_type="application/json",
    )
    assert again.status_code == 202
    assert again.json == {"accepted": 0, "duplicates": 1, "log": {rows[0].statement_id: 0}}
    fresh = endorse(walton, name="Someone New")
    posted = app.test_client().post(
        "/federation/inbox", base_url=HUB, data=fresh.compact, content_type="application/jose"
    )
    assert posted.status_code == 202
    assert posted.json["log"] == {fresh.statement_id: 1}
    # An ordinary node keeps no log: its inbox never mentions one.
    refused = app.test_client().post(
        "/federation/inbox",
        base_url=walton.url,
        data=fresh.compact,
        content_type="application/jose",
    )
    assert refused.status_code == 403 and "log" not in refused.json


def test_checkpoints_are_signed_at_most_every_few_seconds_and_kept(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    from node.hub.log.signing import CHECKPOINT_INTERVAL

    _published(enrolled, 1)
    first = _checkpoint(app).checkpoint
    assert first.size == 1
    endorse(enrolled["crosby"], name="Late")
    deliver()
    assert _checkpoint(app).checkpoint == first  # the tree grew, but the newest is too recent
    clock.advance(CHECKPOINT_INTERVAL)
    second = _checkpoint(app).checkpoint
    assert second.size == 2
    assert _checkpoint(app, "?size=1").checkpoint == first  # old checkpoints are kept
    proof = _get(app, "/hub/log/proof/consistency?first=1&second=2").json
    assert proof["first"] == 1 and proof["second"] == 2
    merkle.verify_consistency(
        1, 2, first.root, second.root, [note.b64decode(h) for h in proof["hashes"]]
    )
    clock.advance(timedelta(hours=1))
    assert _checkpoint(app).checkpoint == second  # nothing new: no new checkpoint


def test_the_checkpoint_task_signs_when_due(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    from node.hub.log.models import LogCheckpoint
    from node.hub.log.signing import sign_due_checkpoints

    assert sign_due_checkpoints() == 1  # the empty log's first checkpoint
    _published(enrolled, 2)
    assert sign_due_checkpoints() == 0  # too soon
    clock.advance(timedelta(seconds=5))
    assert sign_due_checkpoints() == 1
    sizes = sorted(c.size for c in db.session.query(LogCheckpoint))
    assert sizes == [0, 2]


def test_a_witness_cosigns_and_the_checkpoint_carries_it(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    _published(enrolled, 2)
    walton, crosby = enrolled["walton"], enrolled["crosby"]
    signed = _checkpoint(app)
    text = signed.checkpoint.text()
    line = tcp.cosign(signed.checkpoint, _signer(walton), 1764892800).line()
    posted = app.test_client().post(
        "/hub/log/cosignature",
        base_url=HUB,
        json={"checkpoint": text, "cosignature": line},
    )
    assert posted.status_code == 202, posted.json
    assert posted.json == {"size": 2, "witness": "walton.test", "timestamp": 1764892800}
    # The other form: the checkpoint note with the witness's line among its signatures.
    crosby_line = tcp.cosign(signed.checkpoint, _signer(crosby), 1764892900).line()
    served = _get(app, "/hub/log/checkpoint").get_data(as_text=True)
    as_note = app.test_client().post(
        "/hub/log/cosignature",
        base_url=HUB,
        data=served + crosby_line,
        content_type="text/plain",
    )
    assert as_note.status_code == 202, as_note.json
    # The third: the bare line (the hub finds the checkpoint it verifies with).
    shepperton = enrolled["shepperton"]
    bare = tcp.cosign(signed.checkpoint, _signer(shepperton), 1764892950).line()
    as_line = app.test_client().post(
        "/hub/log/cosignature", base_url=HUB, data=bare, content_type="text/plain"
    )
    assert as_line.status_code == 202, as_line.json
    witnesses = [_signer(g).verifier for g in (walton, crosby, shepperton)]
    again = _checkpoint(app, "?size=2", witnesses)
    assert {(c.name, c.timestamp) for c in again.cosignatures} == {
        ("walton.test", 1764892800),
        ("crosby.test", 1764892900),
        ("shepperton.test", 1764892950),
    }
    # A later cosignature of the same checkpoint replaces the earlier one.
    newer = tcp.cosign(signed.checkpoint, _signer(walton), 1764893000).line()
    app.test_client().post(
        "/hub/log/cosignature", base_url=HUB, json={"checkpoint": text, "cosignature": newer}
    )
    assert ("walton.test", 1764893000) in {
        (c.name, c.timestamp) for c in _checkpoint(app, "?size=2", witnesses).cosignatures
    }


def _cosign_body(checkpoint: tcp.Checkpoint, signer: tcp.CosignatureSigner) -> dict[str, str]:
    return {
        "checkpoint": checkpoint.text(),
        "cosignature": tcp.cosign(checkpoint, signer, 1764892800).line(),
    }


def test_cosignatures_that_do_not_hold_are_refused(app, wsgi, hub, enrolled, make_group):  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from node.hub.log.models import LogCosignature

    _published(enrolled, 1)
    walton = enrolled["walton"]
    signed = _checkpoint(app).checkpoint
    stranger = make_group("Stranger", slug="stranger", url="http://stranger.test")
    forged = tcp.CosignatureSigner("walton.test", Ed25519PrivateKey.generate())
    other_root = tcp.Checkpoint(signed.origin, signed.size, merkle.leaf_hash(b"x"))
    cases = {
        "a key that is not the group's": (_cosign_body(signed, forged), 403),
        "a group not enrolled": (_cosign_body(signed, _signer(stranger)), 403),
        "a checkpoint the log never signed": (_cosign_body(other_root, _signer(walton)), 400),
        "a size the log never signed": (
            _cosign_body(tcp.Checkpoint(signed.origin, 7, signed.root), _signer(walton)),
            404,
        ),
        "not a cosignature line": ({"checkpoint": signed.text(), "cosignature": "hello"}, 400),
        "no checkpoint": ({"cosignature": "— walton.test AAAA"}, 400),
    }
    for what, (body, status) in cases.items():
        response = app.test_client().post("/hub/log/cosignature", base_url=HUB, json=body)
        assert response.status_code == status, (what, response.json)
        assert response.json["error"] and response.json["detail"], what
    tampered = _cosign_body(signed, _signer(walton))
    tampered["cosignature"] = tampered["cosignature"][:-6] + "AAAA=\n"
    response = app.test_client().post("/hub/log/cosignature", base_url=HUB, json=tampered)
    assert response.status_code in (400, 403)
    bare_forgery = app.test_client().post(
        "/hub/log/cosignature",
        base_url=HUB,
        data=tcp.cosign(signed, forged, 1764892800).line(),
        content_type="text/plain",
    )
    assert bare_forgery.status_code == 403
    not_json = app.test_client().post(
        "/hub/log/cosignature", base_url=HUB, data="{", content_type="application/json"
    )
    assert not_json.status_code == 400
    huge = app.test_client().post(
        "/hub/log/cosignature", base_url=HUB, data="x" * 70000, content_type="text/plain"
    )
    assert huge.status_code == 400
    assert db.session.query(LogCosignature).count() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/hub/log/entries?start=9",
        "/hub/log/entries?limit=0",
        "/hub/log/entries?start=-1",
        "/hub/log/entries?start=abc",
        "/hub/log/entries?start=99999999999999999999",
        "/hub/log/proof/inclusion?index=0",
        "/hub/log/proof/inclusion?index=2&tree_size=2",
        "/hub/log/proof/inclusion?index=0&tree_size=3",
        "/hub/log/proof/consistency?first=2&second=1",
        "/hub/log/proof/consistency?first=1&second=3",
        "/hub/log/proof/consistency?first=x&second=1",
        "/hub/log/index",
        "/hub/log/checkpoint?size=x",
    ],
)
def test_bad_parameters_are_a_400_with_a_message(app, wsgi, hub, enrolled, path):  # type: ignore[no-untyped-def]
    _published(enrolled, 2)
    response = _get(app, path)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"] == "invalid" and response.json["detail"]


def test_entries_are_paged_and_capped(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    from node.hub.log.api import ENTRIES_MAX

    _published(enrolled, 3)
    page = _get(app, "/hub/log/entries?start=0&limit=2").json
    assert [e["index"] for e in page["entries"]] == [0, 1]
    assert page["next"] == f"{HUB}/hub/log/entries?start=2&limit=2"
    rest = _get(app, page["next"].removeprefix(HUB)).json
    assert [e["index"] for e in rest["entries"]] == [2] and rest["next"] is None
    assert _get(app, "/hub/log/entries?start=3").json == {"entries": [], "next": None}
    capped = _get(app, "/hub/log/entries?limit=5000").json
    assert len(capped["entries"]) == 3 and ENTRIES_MAX == 1000
    assert _get(app, "/hub/log/index?statement=nothing-like-this").status_code == 404


def test_an_ordinary_group_has_no_log(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    walton = enrolled["walton"]
    for path in ("checkpoint", "key", "entries", "proof/inclusion?index=0&tree_size=1"):
        response = app.test_client().get(f"/hub/log/{path}", base_url=walton.url)
        assert response.status_code == 404 and response.json["error"] == "not-found"
    posted = app.test_client().post("/hub/log/cosignature", base_url=walton.url, json={})
    assert posted.status_code == 404


def test_the_log_key_is_its_own_and_survives_a_restart(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    from node.hub.log import signing
    from node.peering import keystore

    first = _log_key(app)
    signing._signers.clear()  # as after a restart: read back from the key file
    assert _log_key(app).key == first.key
    statement_key = keystore.private_key(hub, keystore.current_key(hub)).public_key()
    assert note.raw_public_key(statement_key) != note.raw_public_key(first.public_key)
    assert signing.key_path(hub).stat().st_mode & 0o777 == 0o600


def test_a_refused_statement_gets_no_leaf_index(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    """A batch that stops at a refused statement still says where the accepted ones are; the
    refused one is not in the log and has no entry."""
    from node.peering.models import Delivery

    walton = enrolled["walton"]
    first, second = endorse(walton, name="First"), endorse(walton, name="Second")
    db.session.query(Delivery).delete()  # posted by hand below, not by the worker
    db.session.commit()
    head, payload, signature = second.compact.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    posted = app.test_client().post(
        "/federation/inbox",
        base_url=HUB,
        data=json.dumps({"statements": [first.compact, forged]}),
        content_type="application/json",
    )
    assert posted.status_code == 401 and posted.json["index"] == 1
    assert posted.json["log"] == {first.statement_id: 0}
    assert _get(app, "/hub/log/entries").json["entries"] == [{"index": 0, "compact": first.compact}]
