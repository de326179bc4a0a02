"""Group signing keys: private halves in the instance folder, public halves in the database.

The private key file is ``<instance>/keys/<slug>/<kid>.key`` (PKCS#8 PEM, mode 0600, written
atomically and never overwritten by :func:`federation.keys.save_private_key`). It is not
encrypted at rest: the instance folder is the secret (back it up like a password). Nothing here
logs or returns private key material; a loaded key object's repr shows none.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from sqlalchemy import select

from federation import keys as fkeys
from node import clock
from node.extensions import db
from node.groups.models import Group
from node.peering.models import GroupKey

_cache: dict[str, Ed25519PrivateKey] = {}


def key_dir(group: Group) -> Path:
    return Path(current_app.instance_path) / "keys" / group.slug


def key_path(group: Group, kid: str) -> Path:
    return key_dir(group) / f"{kid}.key"


def new_key(group: Group) -> GroupKey:
    """Generate a key pair: write the private file (0600) and add the public row (no commit)."""
    private = fkeys.generate_private_key()
    jwk = fkeys.public_jwk(private)
    folder = key_dir(group)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    fkeys.save_private_key(key_path(group, jwk["kid"]), private)
    row = GroupKey(
        group_id=group.id, kid=jwk["kid"], public_jwk=jwk, created_at=clock.utcnow_naive()
    )
    db.session.add(row)
    db.session.flush()
    return row


def current_key(group: Group) -> GroupKey:
    """The group's active key (made now for a group that has none yet)."""
    row = db.session.scalar(
        select(GroupKey)
        .where(GroupKey.group_id == group.id, GroupKey.retired_at.is_(None))
        .order_by(GroupKey.id.desc())
        .limit(1)
    )
    return row if row is not None else new_key(group)


def private_key(group: Group, row: GroupKey) -> Ed25519PrivateKey:
    path = key_path(group, row.kid)
    cache_key = str(path)
    key = _cache.get(cache_key)
    if key is None:
        key = fkeys.load_private_key(path)
        _cache[cache_key] = key
    return key


def all_keys(group: Group) -> list[GroupKey]:
    """Every key the group ever had, the active one first (old ones verify history)."""
    rows = list(
        db.session.scalars(
            select(GroupKey).where(GroupKey.group_id == group.id).order_by(GroupKey.id.desc())
        )
    )
    rows.sort(key=lambda r: r.retired_at is not None)
    return rows


def jwks(group: Group) -> dict[str, Any]:
    if not all_keys(group):
        current_key(group)
    return fkeys.jwks(row.public_jwk for row in all_keys(group))
