"""``commonground log verify``'s checks (``node.hub.log.verify.check_log``) against the hub
in-process: a log that holds together verifies, with each cosignature reported; an entry
changed in the hub's store, a checkpoint signed by another key, a log key that is not the
pinned one, or a forged cosignature each fail with one sentence. A hostile hub that serves a
log of its own making, consistent with its own signed checkpoint, is caught by the entries'
signatures (an entry in a group's name the group never signed) and by each group's chain (a
group's statement left out); an entry whose group's node is gone is only reported unchecked.
A group that dropped an old key from its node is vouched for by its own later entries, and a
key its key-rotation entry introduces is trusted before its node publishes it; an entry signed
by a key nobody publishes, with nothing after it to vouch for it, fails.
The same command against real processes is in tests/e2e/test_log_verify_e2e.py."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import select, update

from federation.client import FederationClient
from federation.tlog import checkpoint as tcp
from federation.tlog.names import witness_name
from node.extensions import db
from tests.hub.conftest import HUB, deliver, endorse


@pytest.fixture
def client(wsgi: Any) -> FederationClient:  # type: ignore[override]
    session = requests.Session()
    session.mount("http://", wsgi)
    session.mount("https://", wsgi)  # the witness look-up tries https first: never the network
    return FederationClient(session=session)


def _facts(client: FederationClient, pinned: str | None = None) -> list[Any]:
    from node.hub.log.verify import check_log

    return list(check_log(client, HUB, pinned))


def _cosign(app: Any, group: Any, timestamp: int = 1764892800) -> None:
    from node.peering import keystore

    served = app.test_client().get("/hub/log/checkpoint", base_url=HUB).get_data(as_text=True)
    checkpoint = tcp.parse_checkpoint(served[: served.index("\n\n") + 1])
    key = keystore.private_key(group, keystore.current_key(group))
    signer = tcp.CosignatureSigner(witness_name(group.url), key)
    line = tcp.cosign(checkpoint, signer, timestamp).line()
    body = {"checkpoint": checkpoint.text(), "cosignature": line}
    assert (
        app.test_client().post("/hub/log/cosignature", base_url=HUB, json=body).status_code == 202
    )


def test_a_sound_log_verifies_with_its_cosignatures(app, hub, enrolled, client):  # type: ignore[no-untyped-def]
    for slug in ("walton", "crosby", "walton"):
        endorse(enrolled[slug], name=f"Candidate of {slug}")
    deliver()
    _cosign(app, enrolled["walton"])
    facts = _facts(client)
    assert all(f.ok for f in facts)
    texts = [f.text for f in facts]
    assert texts[0].startswith("log key: hub.test/log+") and texts[0].endswith(
        "(as served by the hub)"
    )
    assert texts[1].startswith("checkpoint: hub.test/log, size 3, root ")
    assert texts[2] == "entries: 3 fetched; the rebuilt tree has the checkpoint's root"
    assert texts[3] == (
        "signatures: 3 entries of 2 groups valid with the keys each group publishes; "
        "each group's entries form its chain"
    )
    assert texts[4] == "cosignature by walton.test at 2025-12-05T00:00:00+00:00: valid"
    pinned = _facts(client, texts[0].split()[2])
    assert pinned[0].text.endswith("(pinned)")


def test_a_changed_entry_or_key_is_caught(app, hub, enrolled, client):  # type: ignore[no-untyped-def]
    from node.hub.log.models import LogLeaf
    from node.hub.log.verify import LogFailure
    from node.peering.models import Statement

    endorse(enrolled["walton"])
    endorse(enrolled["crosby"])
    deliver()
    key = _facts(client)[0].text.split()[2]
    with pytest.raises(LogFailure, match="not the pinned"):
        _facts(client, key.replace("hub.test/log+", "hub.test/log+0"))
    first = db.session.scalar(
        select(Statement).join(LogLeaf, LogLeaf.statement_pk == Statement.id).limit(1)
    )
    db.session.execute(
        update(Statement).where(Statement.id == first.id).values(compact=first.compact + "x")
    )
    db.session.commit()
    with pytest.raises(LogFailure, match="not the checkpoint's"):
        _facts(client)


def test_a_forged_cosignature_fails_and_an_unknown_one_is_reported(app, hub, enrolled, client):  # type: ignore[no-untyped-def]
    """A hub that serves a cosignature nobody made (walton's name and key ID, another key's
    signature) fails the check; one by a witness whose keys cannot be found is only unknown."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from federation.tlog.note import b64decode, b64encode
    from node.hub.log.models import LogCosignature
    from node.hub.models import EnrolledGroup

    endorse(enrolled["walton"])
    deliver()
    _cosign(app, enrolled["walton"])
    row = db.session.scalar(select(LogCosignature))
    served = app.test_client().get("/hub/log/checkpoint", base_url=HUB).get_data(as_text=True)
    checkpoint = tcp.parse_checkpoint(served[: served.index("\n\n") + 1])
    forger = tcp.CosignatureSigner("walton.test", Ed25519PrivateKey.generate())
    forged = b64decode(tcp.cosign(checkpoint, forger, 1764892800).line().split()[2])
    walton_key_id = b64decode(row.line.split()[2])[:4]
    row.line = f"— walton.test {b64encode(walton_key_id + forged[4:])}"
    nobody = tcp.CosignatureSigner("nobody.test", Ed25519PrivateKey.generate())
    crosby = db.session.scalar(
        select(EnrolledGroup).where(EnrolledGroup.url == enrolled["crosby"].url)
    )
    db.session.add(
        LogCosignature(
            checkpoint_id=row.checkpoint_id,
            enrolled_id=crosby.id,
            line=tcp.cosign(checkpoint, nobody, 1764892801).line().rstrip("\n"),
            timestamp=1764892801,
        )
    )
    db.session.commit()
    facts = {f.text: f.ok for f in _facts(client)}
    assert (
        facts["cosignature by walton.test at 2025-12-05T00:00:00+00:00: INVALID signature"] is False
    )
    assert facts[
        "cosignature by nobody.test at 2025-12-05T00:00:01+00:00: unknown (its key is not found)"
    ]


def _served_entries(client: FederationClient) -> list[str]:
    doc = client.fetch_json(f"{HUB}/hub/log/entries?start=0&limit=100")
    return [item["compact"] for item in doc["entries"]]


def _serve_own_log(wsgi: Any, entries: list[str]) -> None:
    """Answer for the hub with a log of the test's making: its own log key, a checkpoint signed
    with it over exactly ``entries``, and those entries (as a hostile hub could)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from federation.tlog import merkle, note

    key, origin = Ed25519PrivateKey.generate(), "hub.test/log"
    frontier = merkle.Frontier()
    for compact in entries:
        frontier.append(merkle.leaf_hash(compact.encode("ascii")))
    checkpoint = tcp.Checkpoint(origin, len(entries), frontier.root())
    signed = tcp.sign_checkpoint(checkpoint, note.Ed25519Signer(origin, key))
    vkey = note.verifier_key(origin, note.ALG_ED25519, note.raw_public_key(key.public_key()))
    base = f"{HUB}/hub/log"
    wsgi.answers[f"{base}/key"] = (200, vkey.encode())
    wsgi.answers[f"{base}/checkpoint"] = (200, signed.encode())
    listed = [{"index": i, "compact": c} for i, c in enumerate(entries)]
    wsgi.answers[f"{base}/entries"] = (200, {"entries": listed})


def _with_payload(compact: str, **changes: Any) -> str:
    """``compact`` with its payload changed and its header and signature kept: a statement
    in its issuer's name, with the issuer's key ID, that the issuer never signed."""
    import base64
    import json

    header, payload, signature = compact.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body.update(changes)
    raw = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    return ".".join((header, base64.urlsafe_b64encode(raw).rstrip(b"=").decode(), signature))


def test_an_entry_its_group_never_signed_fails(app, hub, enrolled, client, wsgi):  # type: ignore[no-untyped-def]
    """The hub holds no group's key: an entry it makes up in a group's name fails on its
    signature, although the tree and the hub's own checkpoint agree with it."""
    from node.hub.log.verify import LogFailure

    endorse(enrolled["walton"])
    endorse(enrolled["crosby"])
    deliver()
    entries = _served_entries(client)
    walton = next(i for i, c in enumerate(entries) if "walton" in _issuer(c))
    entries[walton] = _with_payload(entries[walton], issued_at="2026-01-01T00:00:00Z")
    _serve_own_log(wsgi, entries)
    with pytest.raises(LogFailure, match=rf"entry {walton} \(http://walton.test, seq \d+\) is not"):
        _facts(client)


def _issuer(compact: str) -> str:
    from federation import statements

    return str(statements.peek(compact)[1]["issuer"])


def test_a_group_statement_left_out_breaks_its_chain(app, hub, enrolled, client, wsgi):  # type: ignore[no-untyped-def]
    """Every entry signed by its group, the tree matching the checkpoint, but one of walton's
    statements left out (the hub hiding a decision): the next one does not follow."""
    from node.hub.log.verify import LogFailure

    for name in ("First", "Second", "Third"):
        endorse(enrolled["walton"], name=name)
    deliver()
    entries = _served_entries(client)
    _serve_own_log(wsgi, entries)
    assert all(f.ok for f in _facts(client))  # the hostile log, untouched, holds together
    _serve_own_log(wsgi, [entries[0], entries[2]])
    with pytest.raises(LogFailure, match="entry 1 .* does not follow its group's entry before"):
        _facts(client)


def test_an_entry_of_a_group_whose_node_is_gone_is_unchecked(app, hub, enrolled, client, wsgi):  # type: ignore[no-untyped-def]
    endorse(enrolled["walton"])
    endorse(enrolled["crosby"])
    deliver()
    wsgi.down.add("crosby.test")
    facts = _facts(client)
    assert all(f.ok for f in facts)
    texts = [f.text for f in facts]
    assert texts[3].startswith("signatures: 1 entry of 1 group valid")
    assert (
        texts[4] == "signatures: 1 entry of http://crosby.test unchecked (its keys are not found)"
    )


def _rotate(walton: Any) -> Any:
    """Walton endorses, rotates its key, endorses again; its old private key."""
    from node.peering import keystore
    from node.peering.operations import rotate_key

    old_key = keystore.private_key(walton, keystore.current_key(walton))
    endorse(walton, name="Before")
    rotate_key(walton)
    db.session.commit()
    endorse(walton, name="After")
    deliver()
    return old_key


def test_an_entry_signed_with_a_rotated_key_fails(app, hub, enrolled, client, wsgi):  # type: ignore[no-untyped-def]
    """After walton's key-rotation entry, its old key signs nothing: an entry re-signed with
    it (chain and tree intact) fails, though walton still publishes the old key."""
    import base64
    import json

    from federation import statements
    from node.hub.log.verify import LogFailure

    old_key = _rotate(enrolled["walton"])
    entries = _served_entries(client)
    assert [statements.peek(c)[1]["type"] for c in entries][-2:] == [
        "key-rotation",
        "candidate-endorsement",
    ]
    assert all(f.ok for f in _facts(client))  # both keys published, each used in its turn
    payload = entries[-1].split(".")[1]
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    entries[-1] = statements.sign(body, old_key)
    _serve_own_log(wsgi, entries)
    with pytest.raises(LogFailure, match=r"is signed by a key its group retired at seq \d+"):
        _facts(client)


def _publish_only(client: FederationClient, wsgi: Any, group_url: str, kid: str) -> None:
    """The group's node publishes only key ``kid`` (§4.5 lets it drop the old ones)."""
    from federation.keys import thumbprint

    (found,) = [g for g in client.discover(group_url).groups if g.id == group_url]
    kept = [k for k in client.fetch_jwks(found.jwks_uri) if thumbprint(k) == kid]
    assert len(kept) == 1
    wsgi.answers[found.jwks_uri] = (200, {"keys": kept})


def test_entries_signed_with_a_dropped_key_are_vouched_for_by_the_chain(
    app, hub, enrolled, client, wsgi
):  # type: ignore[no-untyped-def]
    """Walton no longer publishes the key it signed its first entries with: those entries (its
    key-rotation among them) are vouched for by the next entry, which verifies with the key
    it publishes and names their hashes. The same log with one of them changed fails."""
    from federation import statements
    from node.hub.log.verify import LogFailure

    walton = enrolled["walton"]
    _rotate(walton)
    entries = _served_entries(client)
    _publish_only(client, wsgi, walton.url, statements.peek(entries[-1])[0]["kid"])
    texts = [f.text for f in _facts(client)]
    assert texts[3] == (
        "signatures: 1 entry of 1 group valid with the keys each group publishes; "
        "each group's entries form its chain"
    )
    assert texts[4] == (
        "signatures: 2 entries signed by keys no longer published, vouched for by a later "
        "entry of the same group's chain"
    )
    assert statements.peek(entries[1])[1]["type"] == "key-rotation"
    entries[0] = _with_payload(entries[0], issued_at="2026-01-01T00:00:00Z")
    _serve_own_log(wsgi, entries)
    with pytest.raises(LogFailure, match=r"entry 1 .* does not follow its group's entry before"):
        _facts(client)


def test_an_entry_signed_by_a_key_nobody_publishes_and_nothing_vouches_for_fails(
    app, hub, enrolled, client, wsgi
):  # type: ignore[no-untyped-def]
    """A hostile hub appends an entry in walton's name, in its chain (the next seq, the hash of
    walton's last entry), signed by a key of its own: no later entry of walton's vouches for
    it, and walton publishes no such key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from federation import statements
    from node.hub.log.verify import LogFailure

    walton = enrolled["walton"]
    endorse(walton, name="Real")
    deliver()
    entries = _served_entries(client)
    last = statements.peek(entries[-1])[1]
    forged = {
        **last,
        "id": "0b0e7a52-3c7e-4d4a-9a43-6f1f3b1f2a10",
        "seq": last["seq"] + 1,
        "prev": statements.statement_hash(entries[-1]),
    }
    entries.append(statements.sign(forged, Ed25519PrivateKey.generate()))
    _serve_own_log(wsgi, entries)
    with pytest.raises(
        LogFailure,
        match=r"entry 1 \(http://walton.test, seq \d+\) is signed by a key its group does not "
        "publish, and no later entry of the group vouches for it",
    ):
        _facts(client)


def test_a_key_its_rotation_entry_introduces_is_trusted_before_it_is_published(
    app, hub, enrolled, client, wsgi
):  # type: ignore[no-untyped-def]
    """Walton's node still publishes only its old key: the key-rotation entry (signed with it)
    introduces the new one, which verifies the entry after it, as a follower would trust it."""
    from federation import statements

    walton = enrolled["walton"]
    _rotate(walton)
    entries = _served_entries(client)
    _publish_only(client, wsgi, walton.url, statements.peek(entries[0])[0]["kid"])
    texts = [f.text for f in _facts(client)]
    assert texts[3] == (
        "signatures: 3 entries of 1 group valid with the keys each group publishes; "
        "each group's entries form its chain"
    )
    assert not any("vouched" in t for t in texts)
