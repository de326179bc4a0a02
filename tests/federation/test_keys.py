from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from federation import keys
from federation.errors import InvalidKeyError


def test_thumbprint_matches_rfc8037(rfc8037: dict[str, Any]) -> None:
    assert keys.thumbprint(rfc8037["a2_public_jwk"]) == rfc8037["a3_thumbprint_b64url"]
    # Extra members never change the thumbprint.
    jwk = {**rfc8037["a2_public_jwk"], "kid": "x", "alg": "EdDSA", "use": "sig"}
    assert keys.thumbprint(jwk) == rfc8037["a3_thumbprint_b64url"]


def test_public_jwk_shape() -> None:
    key = keys.generate_private_key()
    jwk = keys.public_jwk(key)
    assert set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"}
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    assert jwk["alg"] == "Ed25519" and jwk["use"] == "sig"
    assert jwk["kid"] == keys.thumbprint(jwk)
    assert keys.public_jwk(key.public_key()) == jwk
    keys.load_public_jwk(jwk)


def test_jwks_document() -> None:
    a, b = (
        keys.public_jwk(keys.generate_private_key()),
        keys.public_jwk(keys.generate_private_key()),
    )
    doc = keys.jwks([a, b])
    assert doc == {"keys": [a, b]}
    bare = {k: a[k] for k in ("kty", "crv", "x")}
    assert keys.jwks([bare])["keys"][0]["kid"] == a["kid"]


@pytest.mark.parametrize(
    "mutation",
    [
        {"d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"},
        {"crv": "Ed448"},
        {"crv": "X25519"},
        {"kty": "EC"},
        {"x": "AAAA"},
        {"x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURp"},  # non-canonical last char
        {"kid": "not-the-thumbprint"},
        {"alg": "RS256"},
        {"use": "enc"},
        {"key_ops": ["sign"]},
    ],
)
def test_load_public_jwk_rejects(rfc8037: dict[str, Any], mutation: dict[str, Any]) -> None:
    jwk = {**rfc8037["a2_public_jwk"], **mutation}
    with pytest.raises(InvalidKeyError):
        keys.load_public_jwk(jwk)
    if "d" in mutation:
        with pytest.raises(InvalidKeyError):
            keys.jwks([jwk])


@pytest.mark.parametrize("fmt", ["pem", "jwk"])
def test_save_and_load_private_key(tmp_path: Path, fmt: str) -> None:
    key = keys.generate_private_key()
    path = tmp_path / f"group.{fmt}"
    old_umask = os.umask(0)  # even with a permissive umask the file must be 0600
    try:
        keys.save_private_key(path, key, format=fmt)  # type: ignore[arg-type]
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.public_jwk(keys.load_private_key(path)) == keys.public_jwk(key)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left
    if fmt == "pem":
        assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    else:
        assert set(json.loads(path.read_text())) == {"kty", "crv", "x", "d"}


def test_save_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    first = keys.generate_private_key()
    keys.save_private_key(path, first)
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        keys.save_private_key(path, keys.generate_private_key())
    assert path.read_bytes() == before
    assert len(list(tmp_path.iterdir())) == 1


def test_load_refuses_loose_permissions(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    keys.save_private_key(path, keys.generate_private_key())
    path.chmod(0o640)
    with pytest.raises(InvalidKeyError, match="0600"):
        keys.load_private_key(path)


def test_load_rejects_other_key_types_without_leaking(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = tmp_path / "ec.pem"
    path.write_bytes(pem)
    path.chmod(0o600)
    with pytest.raises(InvalidKeyError) as info:
        keys.load_private_key(path)
    assert "PRIVATE" not in str(info.value)

    bad_jwk = tmp_path / "bad.jwk"
    bad_jwk.write_text('{"kty":"OKP","crv":"Ed25519","d":"c2VjcmV0LXNlZWQtdmFsdWU"}')
    bad_jwk.chmod(0o600)
    with pytest.raises(InvalidKeyError) as info2:
        keys.load_private_key(bad_jwk)
    assert "c2VjcmV0" not in str(info2.value)


def test_private_key_repr_has_no_material(rfc8037: dict[str, Any]) -> None:
    key = keys.generate_private_key()
    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    from federation.encoding import b64url_encode

    for text in (repr(key), str(key)):
        assert b64url_encode(seed) not in text and seed.hex() not in text
