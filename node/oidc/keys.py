"""Key material of the single sign-on, kept apart from the federation's statement keys.

Provider: ID tokens are signed with RS256. OpenID Connect Discovery requires every provider to
offer RS256 (``id_token_signing_alg_values_supported`` "MUST include RS256"), so any standard
client can verify them; and a separate key means a signed ID token can never be confused with a
signed federation statement. The key is one per install, generated on first use into
``<instance>/oidc-idtoken-rs256.pem`` with mode 0600.

Client: a node authenticates to the hub with ``private_key_jwt`` (RFC 7523) signed by the
*group's own Ed25519 key* (EdDSA), so there is no shared secret to leak. The peering room
owns group keys; :func:`group_signing_key` is the single adapter to their API.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from joserfc.jwk import OKPKey, RSAKey

from federation import keys as fedkeys
from node.groups.models import Group
from node.peering import keystore

IDTOKEN_KEY_FILE = "oidc-idtoken-rs256.pem"
_lock = threading.Lock()


def _instance() -> Path:
    return Path(current_app.instance_path)


def idtoken_key() -> RSAKey:
    """The provider's RS256 signing key (created, 0600, on first use)."""
    cache = current_app.extensions.setdefault("oidc_keys", {})
    if "idtoken" in cache:
        return cache["idtoken"]
    path = _instance() / IDTOKEN_KEY_FILE
    with _lock:
        if not path.exists():
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
        key = RSAKey.import_key(path.read_bytes())
    key.ensure_kid()
    cache["idtoken"] = key
    return key


def provider_jwks() -> dict[str, Any]:
    key = idtoken_key()
    public = {**key.as_dict(private=False), "use": "sig", "alg": "RS256", "kid": key.kid}
    return {"keys": [public]}


def group_signing_key(group: Group) -> Ed25519PrivateKey:
    """The group's own Ed25519 private key, used for ``private_key_jwt``: its current statement
    key (``node.peering.keystore``), published in the group's JWKS, so the hub can also fetch
    it by ``jwks_uri``."""
    return keystore.private_key(group, keystore.current_key(group))


def group_public_jwks(group: Group) -> dict[str, Any]:
    """The JWKS the hub needs to verify this group's client assertions."""
    return fedkeys.jwks([fedkeys.public_jwk(group_signing_key(group))])


def group_client_jwk(group: Group) -> OKPKey:
    """The group's key as a joserfc key (what Authlib's client signs assertions with)."""
    private = group_signing_key(group)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key = OKPKey.import_key(pem)
    key.ensure_kid()
    return key
