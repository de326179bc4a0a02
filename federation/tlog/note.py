"""C2SP signed notes (https://c2sp.org/signed-note, v1.0.0).

A signed note is UTF-8 text without ASCII control characters other than
newline: the note *text* (ending in a newline), a blank line, then one or more
signature lines ``U+2014 U+0020 <key name> U+0020 <base64(key ID || signature)>``
each ending in a newline. The text is separated from the signatures by the
*last* blank line. Base64 is standard RFC 4648 section 4 with padding.

Key names are non-empty and contain no Unicode space and no ``+``. The key ID
is ``SHA-256(key name || 0x0A || signature type || public key)[:4]``; this
module implements type ``0x01`` (Ed25519 over the note text) and the
verifier-key string ``<name>+<8 lowercase hex digits of the key ID>+
<base64(type || public key)>`` (the golang.org/x/mod/sumdb/note "vkey").
:mod:`federation.tlog.checkpoint` adds type ``0x04`` (timestamped cosignatures)
through the same :class:`Verifier` protocol.

Parsing is strict where the spec leaves room: base64 must be canonical
(re-encoding gives the same text), at most :data:`MAX_SIGNATURES` signature
lines, and a known key's signature that fails rejects the whole note (the
spec's SHOULD). Signatures from unknown keys (name and key ID not both
matching a known key) are kept aside unverified, never trusted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .errors import InvalidSignatureError, NoteError, UnverifiedNoteError

#: Signature type identifier of plain Ed25519 note signatures.
ALG_ED25519: Final = 0x01
#: At least 16 must be accepted (the spec); golang.org/x/mod/sumdb/note stops at 100.
MAX_SIGNATURES: Final = 100
SIGNATURE_PREFIX: Final = "\u2014 "
_KEY_ID_SIZE: Final = 4


def b64encode(data: bytes) -> str:
    """Standard padded base64 (RFC 4648 section 4)."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    """Decode canonical standard padded base64; raise :class:`NoteError` on anything else."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise NoteError("not standard base64") from None
    if b64encode(data) != text:
        raise NoteError("not canonical base64")
    return data


def is_valid_name(name: str) -> bool:
    """A key name: non-empty, no Unicode space, no ``+``, no control character."""
    return bool(name) and "+" not in name and not any(c.isspace() or c < " " for c in name)


def key_id(name: str, alg: int, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || alg || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()[:4]


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def verifier_key(name: str, alg: int, public_key: bytes) -> str:
    """The verifier-key string ``<name>+<hex key ID>+<base64(alg || public key)>``."""
    if not is_valid_name(name):
        raise NoteError(f"invalid key name {name!r}")
    return f"{name}+{key_id(name, alg, public_key).hex()}+{b64encode(bytes([alg]) + public_key)}"


@dataclass(frozen=True)
class VerifierKey:
    """A parsed verifier-key string."""

    name: str
    key_id: bytes
    alg: int
    public_key: bytes


def parse_verifier_key(text: str) -> VerifierKey:
    """Parse ``<name>+<hex key ID>+<base64(alg || key)>`` and check the key ID."""
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise NoteError("a verifier key is name+keyid+key")
    name, hex_id, key64 = parts
    if not is_valid_name(name):
        raise NoteError("invalid key name in verifier key")
    if len(hex_id) != 8 or not all(c in "0123456789abcdef" for c in hex_id):
        raise NoteError("the key ID of a verifier key is 8 lowercase hex digits")
    key = b64decode(key64)
    if len(key) < 2:
        raise NoteError("verifier key is too short")
    if key_id(name, key[0], key[1:]) != bytes.fromhex(hex_id):
        raise NoteError("verifier key ID does not match its name and key")
    return VerifierKey(name, bytes.fromhex(hex_id), key[0], key[1:])


class Verifier(Protocol):
    """Checks the signatures of one key (matched on both name and key ID)."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (without the key ID) is valid over the note ``text``."""
        ...


class Signer(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def sign(self, text: bytes) -> bytes:
        """The signature (without the key ID) over the note ``text``."""
        ...


class Ed25519Verifier:
    """Type 0x01: Ed25519 (RFC 8032) over the note text."""

    def __init__(self, name: str, public_key: Ed25519PublicKey) -> None:
        if not is_valid_name(name):
            raise NoteError(f"invalid key name {name!r}")
        self.name = name
        self.public_key = public_key
        self.key_id = key_id(name, ALG_ED25519, raw_public_key(public_key))

    @classmethod
    def from_key(cls, text: str) -> Ed25519Verifier:
        """From a verifier-key string of type 0x01."""
        vkey = parse_verifier_key(text)
        if vkey.alg != ALG_ED25519 or len(vkey.public_key) != 32:
            raise NoteError("not an Ed25519 (type 0x01) verifier key")
        return cls(vkey.name, Ed25519PublicKey.from_public_bytes(vkey.public_key))

    @property
    def key(self) -> str:
        """This verifier's key string."""
        return verifier_key(self.name, ALG_ED25519, raw_public_key(self.public_key))

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != 64:
            return False
        try:
            self.public_key.verify(signature, text)
        except InvalidSignature:
            return False
        return True


class Ed25519Signer:
    """Signs notes with type 0x01 signatures."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self.verifier = Ed25519Verifier(name, private_key.public_key())
        self.name = name
        self.key_id = self.verifier.key_id

    def sign(self, text: bytes) -> bytes:
        return self._private_key.sign(text)


@dataclass(frozen=True)
class Signature:
    """One signature line: the key name, the 4-byte key ID and the signature bytes."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        """``— <name> <base64(key ID || signature)>`` and a newline."""
        return f"{SIGNATURE_PREFIX}{self.name} {b64encode(self.key_id + self.signature)}\n"


@dataclass(frozen=True)
class Note:
    """A note text and its signature lines, in order."""

    text: str
    signatures: tuple[Signature, ...]

    def encode(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def with_signatures(self, *signatures: Signature) -> Note:
        """This note plus ``signatures``, each replacing any signature by the same key."""
        new = {(s.name, s.key_id) for s in signatures}
        kept = tuple(s for s in self.signatures if (s.name, s.key_id) not in new)
        note = Note(self.text, kept + signatures)
        if len(note.signatures) > MAX_SIGNATURES:
            raise NoteError(f"more than {MAX_SIGNATURES} signatures")
        return note


@dataclass(frozen=True)
class VerifiedNote:
    """A note opened against known keys: ``verified`` by them, the rest ``unverified``."""

    text: str
    verified: tuple[Signature, ...]
    unverified: tuple[Signature, ...]


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(c < " " and c != "\n" for c in text):
        raise NoteError("note contains a control character")


def sign(text: str, *signers: Signer) -> str:
    """The signed note of ``text`` with one signature line per signer, in order."""
    _check_text(text)
    if not signers:
        raise NoteError("a signed note needs at least one signature")
    message = text.encode()
    signatures = []
    for signer in signers:
        if not is_valid_name(signer.name):
            raise NoteError(f"invalid key name {signer.name!r}")
        signatures.append(Signature(signer.name, signer.key_id, signer.sign(message)))
    return Note(text, ()).with_signatures(*signatures).encode()


def parse(data: bytes | str) -> Note:
    """Split a signed note into text and signatures without verifying anything.

    Raises :class:`NoteError` for anything malformed: not UTF-8, a control character other
    than newline, no blank line before the signatures, no final newline, a line in the
    signature block that is not a signature line, an invalid key name, non-canonical base64,
    a signature shorter than key ID + 1 byte, or more than :data:`MAX_SIGNATURES` lines.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("note is not UTF-8") from None
    if any(c < " " and c != "\n" for c in data):
        raise NoteError("note contains a control character")
    split = data.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = data[: split + 1], data[split + 2 :]
    if not block.endswith("\n"):
        raise NoteError("note has no signatures or does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"more than {MAX_SIGNATURES} signatures")
    signatures = []
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("a line after the blank line is not a signature line")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if not is_valid_name(name):
            raise NoteError("invalid key name in a signature line")
        raw = b64decode(encoded)
        if len(raw) <= _KEY_ID_SIZE:
            raise NoteError("signature is too short")
        signatures.append(Signature(name, raw[:_KEY_ID_SIZE], raw[_KEY_ID_SIZE:]))
    return Note(text, tuple(signatures))


def open_note(data: bytes | str, verifiers: Iterable[Verifier]) -> VerifiedNote:
    """Parse ``data`` and verify it against the known ``verifiers``.

    Every signature whose name *and* key ID match a known verifier must verify
    (:class:`InvalidSignatureError` otherwise); the others are returned unverified. At least
    one must verify (:class:`UnverifiedNoteError`). Identical signature lines count once.
    Two verifiers with the same name and key ID are refused (``ValueError``).
    """
    known: dict[tuple[str, bytes], Verifier] = {}
    for v in verifiers:
        if (v.name, v.key_id) in known:
            raise ValueError(f"ambiguous key {v.name}+{v.key_id.hex()}")
        known[(v.name, v.key_id)] = v
    note = parse(data)
    message = note.text.encode()
    verified: list[Signature] = []
    unverified: list[Signature] = []
    for sig in dict.fromkeys(note.signatures):
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            unverified.append(sig)
        elif verifier.verify(message, sig.signature):
            verified.append(sig)
        else:
            raise InvalidSignatureError(sig.name, sig.key_id)
    if not verified:
        raise UnverifiedNoteError("note has no signature by a known key")
    return VerifiedNote(note.text, tuple(verified), tuple(unverified))
