"""``commonground log verify``'s checks (``node.hub.log.verify.check_log``) against the hub
in-process: a log that holds together verifies, with each cosignature reported; an entry
changed in the hub's store, a checkpoint signed by another key, a log key that is not the
pinned one, or a forged cosignature each fail with one sentence. The same command against real
processes is in tests/e2e/test_log_verify_e2e.py."""

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
    assert texts[3] == "cosignature by walton.test at 2025-12-05T00:00:00+00:00: valid"
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
