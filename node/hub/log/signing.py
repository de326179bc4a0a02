"""The log key, the checkpoints it signs, and the cosignatures witnesses send back.

**The log key** is an Ed25519 key of its own (never a group's statement key), made on first use:
the private half in ``<instance>/keys/<hub slug>/log.key`` (mode 0600, like the group keys, and
backed up with them), the public half and its note key name on the head row. Its name is the
log's origin, ``federation.tlog.names.log_origin`` of the hub's id (``hub.example.org/log``).

**Checkpoints** are signed when someone asks for one (the API, the ``hub-log-checkpoint`` task)
and the tree grew, at most one per :data:`CHECKPOINT_INTERVAL`; every checkpoint is kept, one per
tree size. Signing locks the head row, so the size and root signed are those of a committed
state and no append slips between reading and signing.

**Cosignatures** come from enrolled groups (witnesses): the key name must be the group's witness
name (its id without the scheme) and the signature must verify with one of the group's current
statement keys as a cosignature/v1 key (docs/protocol.md §14.6, §14.8). A witness's newer
cosignature of the same checkpoint replaces its older one.
"""

from __future__ import annotations

import contextlib
import os
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from sqlalchemy import or_, select

from federation import keys as fkeys
from federation.errors import InvalidKeyError
from federation.tlog import checkpoint as tcp
from federation.tlog import note
from federation.tlog.errors import TlogError
from federation.tlog.names import log_origin, witness_name
from node import clock, scheduler
from node.errors import Forbidden, Invalid, NotFound
from node.extensions import db
from node.groups.models import Group
from node.hub import trust
from node.hub.log import store
from node.hub.log.models import LogCheckpoint, LogCosignature, LogHead
from node.hub.models import EnrolledGroup

CHECKPOINT_INTERVAL = timedelta(seconds=5)
#: A note carries at most 100 signature lines (docs/protocol.md §14.4): the log's, then the
#: newest cosignatures.
MAX_COSIGNATURES = note.MAX_SIGNATURES - 1
_signers: dict[str, note.Ed25519Signer] = {}


def key_path(hub: Group) -> Path:
    return Path(current_app.instance_path) / "keys" / hub.slug / "log.key"


def _private_key(hub: Group) -> Ed25519PrivateKey:
    """The key file's key, written now if there is none (a file left by a rolled-back first use
    is simply taken up)."""
    path = key_path(hub)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        with contextlib.suppress(FileExistsError):  # a concurrent first use wrote it
            fkeys.save_private_key(path, fkeys.generate_private_key())
    return fkeys.load_private_key(path)


def signer(hub: Group) -> note.Ed25519Signer:
    """The log's note signer, with the key made and recorded on first use (no commit)."""
    head = db.session.get(LogHead, hub.id)
    if head is not None and head.key_name is not None:
        cached = _signers.get(str(key_path(hub)))
        if (
            cached is not None
            and note.raw_public_key(cached.verifier.public_key) == head.public_key
        ):
            return cached
    store.lock_head(hub.id)
    head = db.session.get_one(LogHead, hub.id, populate_existing=True)
    private = _private_key(hub)
    public = note.raw_public_key(private.public_key())
    if head.key_name is None:
        head.key_name, head.public_key = log_origin(hub.url), public
        db.session.flush()
    elif head.public_key != public:
        raise RuntimeError(f"{key_path(hub)} is not the log's key (restore the right file)")
    signer = note.Ed25519Signer(head.key_name, private)
    _signers[str(key_path(hub))] = signer
    return signer


def verifier_key(hub: Group) -> str:
    """``<name>+<hex key ID>+<base64(0x01 || key)>`` (no commit)."""
    return signer(hub).verifier.key


def _newest(hub: Group) -> LogCheckpoint | None:
    return db.session.scalar(
        select(LogCheckpoint)
        .where(LogCheckpoint.group_id == hub.id)
        .order_by(LogCheckpoint.size.desc())
        .limit(1)
    )


def _due(newest: LogCheckpoint | None, size: int) -> bool:
    if newest is None:
        return True
    return newest.size != size and clock.utcnow_naive() - newest.created_at >= CHECKPOINT_INTERVAL


def latest_checkpoint(hub: Group) -> LogCheckpoint:
    """The newest checkpoint, signing a new one first if the tree grew and the newest is
    :data:`CHECKPOINT_INTERVAL` old (no commit)."""
    newest = _newest(hub)
    if newest is not None and not _due(newest, store.head(hub.id).size):
        return newest
    log_signer = signer(hub)
    frontier = store.lock_head(hub.id)
    newest = _newest(hub)
    if newest is not None and not _due(newest, frontier.size):
        return newest
    checkpoint = tcp.Checkpoint(log_signer.name, frontier.size, frontier.root())
    row = LogCheckpoint(
        group_id=hub.id,
        size=checkpoint.size,
        root=checkpoint.root,
        note=tcp.sign_checkpoint(checkpoint, log_signer),
        created_at=clock.utcnow_naive(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def checkpoint_at(hub: Group, size: int) -> LogCheckpoint:
    row = db.session.scalar(
        select(LogCheckpoint).where(LogCheckpoint.group_id == hub.id, LogCheckpoint.size == size)
    )
    if row is None:
        raise NotFound(f"the log signed no checkpoint of size {size}")
    return row


def served_note(row: LogCheckpoint) -> str:
    """The checkpoint as the log signed it, then the newest cosignatures it has collected."""
    lines = db.session.scalars(
        select(LogCosignature.line)
        .where(LogCosignature.checkpoint_id == row.id)
        .order_by(LogCosignature.timestamp.desc(), LogCosignature.id)
        .limit(MAX_COSIGNATURES)
    ).all()
    return row.note + "".join(line + "\n" for line in lines)


def _witness(hub: Group, name: str) -> EnrolledGroup:
    enrolled = db.session.scalar(
        select(EnrolledGroup).where(
            EnrolledGroup.group_id == hub.id,
            or_(EnrolledGroup.url == f"https://{name}", EnrolledGroup.url == f"http://{name}"),
            EnrolledGroup.status != "removed",
        )
    )
    if enrolled is None or witness_name(enrolled.url) != name:
        raise Forbidden(f"{name[:200]} is not the witness name of a group enrolled here")
    return enrolled


def _verifiers(hub: Group, enrolled: EnrolledGroup, name: str) -> list[tcp.CosignatureVerifier]:
    """Cosignature verifiers for the group's current statement keys (retired ones excluded)."""
    peer = trust.peer_of(hub, enrolled)
    if peer is None:
        return []
    retired = peer.retired_kids or {}
    verifiers = []
    for jwk in peer.keys:
        if jwk.get("kid") in retired:
            continue
        try:
            verifiers.append(tcp.CosignatureVerifier(name, fkeys.load_public_jwk(jwk)))
        except InvalidKeyError:
            continue
    return verifiers


def _checkpoint_text(text: str) -> str:
    """The checkpoint text of ``text``: a checkpoint body, or a whole signed note."""
    if "\n\n" in text:
        try:
            return note.parse(text).text
        except TlogError as exc:
            raise Invalid(f"checkpoint: {exc}") from None
    return text


#: How many of the newest checkpoints a bare cosignature line is tried against.
BARE_LINE_CHECKPOINTS = 10


def add_cosignature_line(hub: Group, line: str) -> LogCosignature:
    """Keep a bare cosignature line: it names no checkpoint, so it is checked against the
    :data:`BARE_LINE_CHECKPOINTS` newest ones and kept with the one it verifies (no commit)."""
    rows = db.session.scalars(
        select(LogCheckpoint)
        .where(LogCheckpoint.group_id == hub.id)
        .order_by(LogCheckpoint.size.desc())
        .limit(BARE_LINE_CHECKPOINTS)
    ).all()
    if not rows:
        raise NotFound("the log has signed no checkpoint yet")
    texts = [note.parse(row.note).text for row in rows]
    sig = _one_signature(texts[0], line)
    verifier = _verifier(hub, _witness(hub, sig.name), sig)
    for text in texts:
        if verifier.verify(text.encode(), sig.signature):
            return add_cosignature(hub, text, line)
    raise Forbidden("the cosignature verifies with none of the log's newest checkpoints")


def add_cosigned_note(hub: Group, text: str) -> LogCosignature:
    """Keep the one cosignature of a checkpoint note that the hub does not hold yet: the note
    may also carry the log's signature and cosignatures already served with it (a witness may
    send back what it fetched plus its own line). Sending it again is a success (no commit)."""
    try:
        parsed = note.parse(text)
        size = tcp.parse_checkpoint(parsed.text).size
    except TlogError as exc:
        raise Invalid(f"not a cosigned checkpoint note: {exc}") from None
    row = checkpoint_at(hub, size)
    log_name = note.parse(row.note).signatures[0].name
    held = set(
        db.session.scalars(
            select(LogCosignature.line).where(LogCosignature.checkpoint_id == row.id)
        )
    )
    lines = [s.line().rstrip("\n") for s in dict.fromkeys(parsed.signatures) if s.name != log_name]
    new = [line for line in lines if line not in held]
    if len(new) > 1 or not lines:
        raise Invalid("send the checkpoint with exactly one new cosignature line")
    if new:
        return add_cosignature(hub, parsed.text, new[0])
    return db.session.scalars(
        select(LogCosignature).where(
            LogCosignature.checkpoint_id == row.id, LogCosignature.line == lines[0]
        )
    ).one()


def _one_signature(text: str, line: str) -> note.Signature:
    try:
        signatures = note.parse(text + "\n" + line.rstrip("\n") + "\n").signatures
    except TlogError as exc:
        raise Invalid(f"not a cosignature line: {exc}") from None
    if len(signatures) != 1:
        raise Invalid("send exactly one cosignature line")
    return signatures[0]


def _verifier(hub: Group, enrolled: EnrolledGroup, sig: note.Signature) -> tcp.CosignatureVerifier:
    found = next((v for v in _verifiers(hub, enrolled, sig.name) if v.key_id == sig.key_id), None)
    if found is None:
        raise Forbidden(f"the key ID of this cosignature is not one of {sig.name[:200]}'s keys")
    return found


def add_cosignature(hub: Group, checkpoint_text: str, line: str) -> LogCosignature:
    """Verify and keep a witness's cosignature of one of the log's checkpoints (no commit)."""
    text = _checkpoint_text(checkpoint_text)
    try:
        body = tcp.parse_checkpoint(text)
    except TlogError as exc:
        raise Invalid(f"not a checkpoint: {exc}") from None
    sig = _one_signature(text, line)
    row = checkpoint_at(hub, body.size)
    if note.parse(row.note).text != text:
        raise Invalid(f"this is not the checkpoint the log signed at size {body.size}")
    enrolled = _witness(hub, sig.name)
    if not _verifier(hub, enrolled, sig).verify(text.encode(), sig.signature):
        raise Forbidden("the cosignature does not verify")
    timestamp = tcp.cosignature_timestamp(sig)
    kept = db.session.scalar(
        select(LogCosignature).where(
            LogCosignature.checkpoint_id == row.id, LogCosignature.enrolled_id == enrolled.id
        )
    )
    if kept is None:
        kept = LogCosignature(checkpoint_id=row.id, enrolled_id=enrolled.id, timestamp=-1)
        db.session.add(kept)
    if timestamp >= kept.timestamp:
        kept.line, kept.timestamp = sig.line().rstrip("\n"), timestamp
        kept.received_at = clock.utcnow_naive()
    db.session.flush()
    return kept


def _sign_if_due(hub_id: int) -> int:
    hub = db.session.get(Group, hub_id)
    if hub is None:
        return 0
    before = _newest(hub)
    after = latest_checkpoint(hub)
    db.session.commit()
    return int(before is None or after.id != before.id)


def sign_due_checkpoints() -> int:
    """The ``hub-log-checkpoint`` task: sign each hub's checkpoint if one is due, so checkpoints
    follow the log's growth even when nobody asks; returns how many were signed."""
    hubs = db.session.scalars(select(Group.id).where(Group.role == "hub")).all()
    items = [
        scheduler.Item(f"log-checkpoint:{hub_id}", hub_id, "Signing a log checkpoint", hub_id)
        for hub_id in hubs
    ]
    return scheduler.each_item("hub-log-checkpoint", items, _sign_if_due)
