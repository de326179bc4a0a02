"""Ed25519 group keys, JWK/JWKS encoding and RFC 7638 thumbprints.

Each group signs its statements with one Ed25519 key. Peers learn the public
half as a JWK inside a JWKS document; the ``kid`` of every key is its RFC 7638
thumbprint, so a ``kid`` can never be re-used for a different key and an
operator can confirm a peer out of band by comparing one short string.

Private keys live in a file of mode 0600 (PKCS#8 PEM, or a JWK). The objects
returned are plain ``cryptography`` keys, whose repr shows no key material; no
function here puts private material into an exception message.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from .encoding import b64url_decode, b64url_encode, sha256_b64url
from .errors import InvalidKeyError

__all__ = [
    "generate_private_key",
    "save_private_key",
    "load_private_key",
    "public_jwk",
    "load_public_jwk",
    "thumbprint",
    "jwks",
]

_KEY_FILE_LIMIT = 16 * 1024


def generate_private_key() -> Ed25519PrivateKey:
    """A fresh random Ed25519 signing key."""
    return Ed25519PrivateKey.generate()


def _private_jwk(key: Ed25519PrivateKey) -> dict[str, str]:
    seed = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return {**_public_members(key.public_key()), "d": b64url_encode(seed)}


def save_private_key(
    path: str | os.PathLike[str],
    key: Ed25519PrivateKey,
    *,
    format: Literal["pem", "jwk"] = "pem",
) -> None:
    """Write ``key`` to ``path`` with mode 0600, atomically, never overwriting.

    The key is written to a 0600 temporary file in the same directory, fsynced,
    then hard-linked to ``path``: ``link`` fails if ``path`` exists (so a
    running group's key is never clobbered) and readers never see a partial
    file. Raises FileExistsError if ``path`` exists.
    """
    target = Path(path)
    if format == "pem":
        data = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    elif format == "jwk":
        data = (json.dumps(_private_jwk(key), indent=2) + "\n").encode("ascii")
    else:
        raise ValueError(f"unknown key format {format!r}")
    if target.exists():
        raise FileExistsError(f"refusing to overwrite existing key file {target}")
    fd, tmp_name = tempfile.mkstemp(prefix=".key-", dir=target.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp_name, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)


def load_private_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """Load an Ed25519 private key from a PEM (PKCS#8) or JWK file.

    Refuses files readable or writable by group/others: a key file with loose
    permissions has to be assumed leaked, so we fail loudly instead of signing.
    """
    target = Path(path)
    st = target.stat()
    if not stat.S_ISREG(st.st_mode):
        raise InvalidKeyError(f"{target} is not a regular file")
    if st.st_mode & 0o077:
        raise InvalidKeyError(
            f"{target} has mode {stat.S_IMODE(st.st_mode):o}; private keys must be 0600"
        )
    if st.st_size > _KEY_FILE_LIMIT:
        raise InvalidKeyError(f"{target} is too large to be a key file")
    data = target.read_bytes()
    if data.lstrip().startswith(b"{"):
        return _private_from_jwk(data, target)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise InvalidKeyError(f"{target} is not an unencrypted PKCS#8 PEM key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidKeyError(f"{target} does not hold an Ed25519 key")
    return key


def _private_from_jwk(data: bytes, target: Path) -> Ed25519PrivateKey:
    try:
        obj = json.loads(data)
        if not isinstance(obj, dict) or obj.get("kty") != "OKP" or obj.get("crv") != "Ed25519":
            raise ValueError
        seed = b64url_decode(obj["d"])
        key = Ed25519PrivateKey.from_private_bytes(seed)
        if "x" in obj and _public_members(key.public_key())["x"] != obj["x"]:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        # Deliberately vague: the message must not echo any part of the file.
        raise InvalidKeyError(f"{target} is not a valid Ed25519 private JWK") from None
    return key


def _public_members(key: Ed25519PublicKey) -> dict[str, str]:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}


def thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of an OKP key.

    Only the required members ``crv``, ``kty``, ``x`` are hashed, in
    lexicographic order with no whitespace, so extra members (kid, alg, use)
    never change the thumbprint.
    """
    if jwk.get("kty") != "OKP":
        raise InvalidKeyError("thumbprints are only defined here for OKP keys")
    crv, x = jwk.get("crv"), jwk.get("x")
    if not isinstance(crv, str) or not isinstance(x, str):
        raise InvalidKeyError("OKP JWK needs string crv and x")
    canonical = json.dumps(
        {"crv": crv, "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True
    )
    return sha256_b64url(canonical.encode("utf-8"))


def public_jwk(key: Ed25519PrivateKey | Ed25519PublicKey) -> dict[str, str]:
    """The public JWK we publish: kty, crv, x, kid (thumbprint), alg, use."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    members = _public_members(pub)
    return {**members, "kid": thumbprint(members), "alg": "Ed25519", "use": "sig"}


def load_public_jwk(jwk: Mapping[str, Any]) -> Ed25519PublicKey:
    """Validate that ``jwk`` is an Ed25519 OKP *public* key and return it.

    Rejects private members, other key types/curves, a ``kid`` that is not the
    thumbprint, and ``alg``/``use`` values that forbid Ed25519 signatures.
    """
    if not isinstance(jwk, Mapping):
        raise InvalidKeyError("JWK must be a JSON object")
    if "d" in jwk:
        raise InvalidKeyError("JWK contains private key material")
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise InvalidKeyError("JWK must be an OKP key on curve Ed25519")
    x = jwk.get("x")
    try:
        if not isinstance(x, str):
            raise ValueError
        raw = b64url_decode(x)
        if len(raw) != 32:
            raise ValueError
        key = Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise InvalidKeyError("JWK x is not a 32-byte base64url Ed25519 public key") from None
    if "kid" in jwk and jwk["kid"] != thumbprint(jwk):
        raise InvalidKeyError("JWK kid is not its RFC 7638 thumbprint")
    if jwk.get("alg", "Ed25519") not in ("Ed25519", "EdDSA"):
        raise InvalidKeyError("JWK alg must be Ed25519 or EdDSA")
    if jwk.get("use", "sig") != "sig":
        raise InvalidKeyError("JWK use must be sig")
    ops = jwk.get("key_ops")
    if ops is not None and (not isinstance(ops, list) or "verify" not in ops):
        raise InvalidKeyError("JWK key_ops must allow verify")
    return key


def jwks(public_jwks: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """A JWKS document ``{"keys": [...]}``; every key is validated as public Ed25519.

    Adds ``kid`` where missing so every published key carries its thumbprint.
    """
    keys: list[dict[str, Any]] = []
    for jwk in public_jwks:
        load_public_jwk(jwk)
        keys.append({**jwk, "kid": thumbprint(jwk)})
    return {"keys": keys}
