"""Strict encoding helpers.

Everything a peer sends is parsed here with no leniency: canonical unpadded
base64url only, JSON without duplicate keys, non-integer numbers or lone
surrogates. Leniency would let two byte-different inputs mean the same thing
(or one input mean two things to two parsers), which breaks hashing and
signature checks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

# base64url -> base64 for binascii's strict decoder; "+", "/" and "=" become "!", which it refuses.
_B64URL_TO_B64 = bytes.maketrans(b"-_+/=", b"+/!!!")
_B64URL_VALUE = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}


def b64url_encode(data: bytes) -> str:
    """Unpadded base64url (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode canonical unpadded base64url; raise ValueError on anything else.

    Non-canonical encodings (non-zero trailing bits, padding, other alphabets)
    are rejected so each byte string has exactly one textual form. (Checking
    the unused low bits of the last character is equivalent to re-encoding and
    comparing, and cheaper: this runs three times per received statement.
    binascii's strict mode refuses every character outside the alphabet.)
    """
    tail = len(text) % 4
    if tail == 1:
        raise ValueError("not canonical unpadded base64url")
    try:
        data = binascii.a2b_base64(
            text.encode("ascii").translate(_B64URL_TO_B64) + b"=" * (-tail % 4), strict_mode=True
        )
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("not canonical unpadded base64url") from None
    if tail and _B64URL_VALUE[text[-1]] & (0x0F if tail == 2 else 0x03):
        raise ValueError("not canonical unpadded base64url")
    return data


def sha256_b64url(data: bytes) -> str:
    """Unpadded base64url of SHA-256(data): the hash format used throughout."""
    return b64url_encode(hashlib.sha256(data).digest())


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate member {key[:40]!r}")
            seen.add(key)
    return result


def _no_float(text: str) -> Any:
    raise ValueError("non-integer numbers are not allowed")


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


def strict_json_loads(data: bytes | str) -> Any:
    """Parse JSON strictly (UTF-8 only, no duplicate keys, no floats, no NaN, no U+0000).

    Raises ValueError for every kind of bad input, including nesting too deep
    for the parser and strings that cannot be re-encoded as UTF-8.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_no_float,
            parse_constant=_no_constant,
        )
        # Lone surrogates ("\ud800") parse but cannot be stored or re-encoded. They can only
        # come from a str argument (checked by encoding it) or a \u escape (then re-encode all).
        if not isinstance(data, bytes):
            text.encode("utf-8")
        if "\\u" in text:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
            if "\\u0000" in text and contains_nul(value):
                raise ValueError("U+0000 is not allowed in strings")
    except (ValueError, RecursionError, UnicodeError) as exc:
        raise ValueError(f"invalid JSON: {str(exc)[:200]}") from None
    return value


def contains_nul(value: Any) -> bool:
    """Whether any string (member name or value) in parsed JSON contains U+0000. PostgreSQL
    text cannot hold it, so a statement carrying one could be stored by no hub; verifiers
    refuse it (:func:`strict_json_loads`) and signers check with this before signing."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in k or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(v) for v in value)
    return False


def canonical_json(value: Any) -> bytes:
    """Compact, key-sorted UTF-8 JSON used for payloads we sign."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode(
        "utf-8"
    )
