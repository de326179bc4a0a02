"""C2SP signed notes: the golang.org/x/mod/sumdb/note vectors, then strict parsing."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.tlog import note
from federation.tlog.errors import InvalidSignatureError, NoteError, UnverifiedNoteError

from .conftest import VECTORS

GO = json.loads((VECTORS / "c2sp_note.json").read_text())["golang_note"]
TEXT: str = GO["text"]
PETER_SIG: str = GO["peter_sig_line"]
ENOCH_SIG: str = GO["enoch_sig_line"]
PETER = note.Ed25519Verifier.from_key(GO["peter_vkey"])
ENOCH = note.Ed25519Verifier.from_key(GO["enoch_vkey"])


def go_signer(signer_key: str) -> note.Ed25519Signer:
    """golang.org/x/mod's PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>."""
    private, key, name, hex_id, key64 = signer_key.split("+", 4)
    raw = base64.b64decode(key64)
    assert (private, key, raw[0]) == ("PRIVATE", "KEY", note.ALG_ED25519)
    signer = note.Ed25519Signer(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
    assert signer.key_id.hex() == hex_id
    return signer


def test_verifier_key_and_key_id() -> None:
    assert PETER.name == "PeterNeumann" and PETER.key_id.hex() == "c74f20a3"
    assert PETER.key == GO["peter_vkey"]
    public = base64.b64decode(GO["peter_vkey"].split("+", 2)[2])[1:]
    expected = hashlib.sha256(b"PeterNeumann\n\x01" + public).digest()[:4]
    assert note.key_id("PeterNeumann", 0x01, public) == expected == PETER.key_id


def test_signing_reproduces_the_published_signature() -> None:
    signer = go_signer(GO["signer_key"])
    assert signer.verifier.key == GO["peter_vkey"]
    assert note.sign(TEXT, signer) == TEXT + "\n" + PETER_SIG  # Ed25519 is deterministic


def test_mangled_verifier_keys_are_refused() -> None:
    vkey = GO["peter_vkey"]
    bad = [vkey[i:j] for i in range(len(vkey) + 1) for j in range(i + 1, len(vkey) + 1)]
    bad.remove(vkey)
    bad += [vkey[:i] + chr(ord(vkey[i]) + 1) + vkey[i + 1 :] for i in range(len(vkey))]
    bad += GO["bad_vkeys"]
    bad.append(vkey.replace("c74f20a3", "C74F20A3"))
    for key in bad:
        with pytest.raises(NoteError):
            note.Ed25519Verifier.from_key(key)


def test_open_verifies_known_and_sets_aside_unknown() -> None:
    signed = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    opened = note.open_note(signed, [PETER])
    assert opened.text == TEXT
    assert [s.name for s in opened.verified] == ["PeterNeumann"]
    assert [(s.name, s.key_id.hex()) for s in opened.unverified] == [("EnochRoot", "af0cfe78")]
    both = note.open_note(signed.encode(), [PETER, ENOCH])
    assert [s.name for s in both.verified] == ["PeterNeumann", "EnochRoot"]
    assert both.unverified == ()
    with pytest.raises(UnverifiedNoteError):
        note.open_note(signed, [])
    with pytest.raises(ValueError, match="ambiguous"):
        note.open_note(signed, [ENOCH, PETER, ENOCH])


def test_a_bad_signature_by_a_known_key_rejects_the_note() -> None:
    tampered = TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(InvalidSignatureError, match="PeterNeumann\\+c74f20a3"):
        note.open_note(tampered, [PETER])
    with pytest.raises(InvalidSignatureError):
        note.open_note(TEXT.replace("answer", "answers") + "\n" + PETER_SIG, [PETER])
    # Same name, other key ID (or the reverse): an unknown key, ignored, never trusted.
    other = note.Ed25519Signer("PeterNeumann", Ed25519PrivateKey.generate())
    with pytest.raises(UnverifiedNoteError):
        note.open_note(note.sign(TEXT, other), [PETER])


def test_repeated_lines_count_once() -> None:
    opened = note.open_note(TEXT + "\n" + PETER_SIG * 2 + ENOCH_SIG * 2, [PETER])
    assert len(opened.verified) == 1 and len(opened.unverified) == 1


@pytest.mark.parametrize(
    "message",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        "\r" + TEXT + "\n" + PETER_SIG,
        TEXT
        + "\n"
        + "\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter+Neumann"),
        TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter\u00a0Neumann"),
        TEXT + "\n" + PETER_SIG.replace("\u2014 ", "- "),
        TEXT + "\n" + PETER_SIG.replace("\u2014 ", "\u2014"),
        TEXT + "\n" + PETER_SIG.replace("AM=", "AN="),  # non-canonical base64
        TEXT + "\n" + PETER_SIG.replace("AM=", "AM"),  # missing padding
        TEXT + "\n" + "\u2014 PeterNeumann x08gow==\n",  # key ID and nothing else
        TEXT + "\n" + PETER_SIG * (note.MAX_SIGNATURES + 1),
    ],
)
def test_malformed_notes_are_refused(message: str) -> None:
    with pytest.raises(NoteError) as raised:
        note.open_note(message, [PETER])
    assert type(raised.value) is NoteError


def test_non_utf8_is_refused() -> None:
    with pytest.raises(NoteError, match="UTF-8"):
        note.parse(b"\xff" + (TEXT + "\n" + PETER_SIG).encode())


def test_sign_refuses_bad_text_and_names() -> None:
    signer = go_signer(GO["signer_key"])
    with pytest.raises(NoteError):
        note.sign("no final newline", signer)
    with pytest.raises(NoteError):
        note.sign("tab\there\n", signer)
    with pytest.raises(NoteError):
        note.sign(TEXT)
    with pytest.raises(NoteError):
        note.Ed25519Signer("bad name", Ed25519PrivateKey.generate())


def test_with_signatures_replaces_the_same_key() -> None:
    parsed = note.parse(TEXT + "\n" + PETER_SIG + ENOCH_SIG)
    again = note.Signature(PETER.name, PETER.key_id, b"\x00" * 64)
    updated = parsed.with_signatures(again)
    assert [s.name for s in updated.signatures] == ["EnochRoot", "PeterNeumann"]
    assert note.parse(updated.encode()) == updated
    assert note.parse(parsed.encode()).encode() == TEXT + "\n" + PETER_SIG + ENOCH_SIG


def test_round_trip_with_a_fresh_key() -> None:
    signer = note.Ed25519Signer("hub.example.org/log", Ed25519PrivateKey.generate())
    verifier = note.Ed25519Verifier.from_key(signer.verifier.key)
    text = "a note\n\nwith an empty line\n"
    opened = note.open_note(note.sign(text, signer), [verifier])
    assert opened.text == text and opened.verified[0].key_id == signer.key_id
