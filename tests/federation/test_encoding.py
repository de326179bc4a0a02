"""Strict base64url: every byte string has exactly one accepted text form."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation.encoding import b64url_decode, b64url_encode

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=80))
def test_round_trip(data: bytes) -> None:
    assert b64url_decode(b64url_encode(data)) == data


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=ALPHABET + "+/= \n.!é\x00", max_size=24))
def test_accepts_exactly_the_canonical_forms(text: str) -> None:
    try:
        decoded = b64url_decode(text)
    except ValueError:
        canonical = all(c in ALPHABET for c in text) and len(text) % 4 != 1
        if canonical:  # the only other refusal: non-zero unused bits in the last character
            padded = text + "=" * (-len(text) % 4)
            assert b64url_encode(base64.urlsafe_b64decode(padded)) != text
        return
    assert b64url_encode(decoded) == text


@pytest.mark.parametrize("text", ["ab+c", "ab/c", "ab==", "abc=", "ab c", "abc\n", "a", "AB", "é"])
def test_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        b64url_decode(text)
