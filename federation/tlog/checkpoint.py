"""C2SP checkpoints and Ed25519 witness cosignatures.

Checkpoint (https://c2sp.org/tlog-checkpoint, v1.0.0): a signed note whose text is
at least three non-empty lines, each ending in a newline:

1. the *origin*, a non-empty log identity (conventionally a schema-less URL; the log's
   note key name matches it);
2. the *tree size*, ASCII decimal without leading zeroes (``0`` for the empty tree);
3. the *root hash*, standard base64 of the 32-byte RFC 9162 root at that size;
4. optional non-empty *extension lines* (opaque).

Cosignature (https://c2sp.org/tlog-cosignature, Ed25519 "cosignature/v1"): a note
signature line by a witness (cosigner) over a checkpoint.

- key ID = ``SHA-256(<name> || 0x0A || 0x04 || 32-byte Ed25519 public key)[:4]``
  (signature type 0x04: "timestamped Ed25519 witness cosignatures");
- the signature bytes after the key ID are a ``timestamped_signature``: the
  timestamp as an 8-byte big-endian unsigned integer (POSIX seconds, at most
  2^63 - 1), then the 64-byte Ed25519 signature;
- the signed message is ``"cosignature/v1\\n" || "time " || decimal(timestamp) ||
  "\\n" || checkpoint text`` (the whole note text, extension lines included, with
  its final newline; no signature lines).

The message does not commit to the witness's name, so one key must serve one
witness name only. A cosignature states that, at that time, this was the
largest consistent checkpoint the witness had seen for the origin.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from . import note
from .errors import CheckpointError, NoteError
from .merkle import EMPTY_ROOT, HASH_SIZE

#: Signature type identifier of Ed25519 cosignature/v1 (c2sp.org/signed-note).
ALG_COSIGNATURE_V1: Final = 0x04
COSIGNATURE_HEADER: Final = "cosignature/v1\n"
MAX_TREE_SIZE: Final = 2**64 - 1
MAX_TIMESTAMP: Final = 2**63 - 1


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin or any(c < " " for c in self.origin):
            raise CheckpointError("the origin is an empty or multi-line string")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointError("tree size out of range")
        if len(self.root) != HASH_SIZE:
            raise CheckpointError(f"the root hash is {len(self.root)} bytes, not {HASH_SIZE}")
        if self.size == 0 and self.root != EMPTY_ROOT:
            raise CheckpointError("the empty tree's root is SHA-256 of the empty string")
        for line in self.extensions:
            if not line or any(c < " " for c in line):
                raise CheckpointError("an extension line is empty or contains a control character")

    def text(self) -> str:
        """The note text (the body a log signs and a witness cosigns)."""
        lines = [self.origin, str(self.size), note.b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint note *text* (not the signed note: see :func:`open_checkpoint`)."""
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("a checkpoint has at least three lines")
    origin, size_line, root_line, *extensions = lines
    if not (size_line.isascii() and size_line.isdigit()) or (
        len(size_line) > 1 and size_line[0] == "0"
    ):
        raise CheckpointError("tree size is not a decimal number without leading zeroes")
    if len(size_line) > len(str(MAX_TREE_SIZE)):
        raise CheckpointError("tree size out of range")
    try:
        root = note.b64decode(root_line)
    except NoteError as e:
        raise CheckpointError(f"root hash: {e}") from None
    return Checkpoint(origin, int(size_line), root, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signer: note.Signer) -> str:
    """The signed checkpoint note (the log signs with a key named after the origin)."""
    return note.sign(checkpoint.text(), signer)


def cosignature_message(checkpoint_text: str, timestamp: int) -> bytes:
    """``cosignature/v1\\ntime <timestamp>\\n`` followed by the checkpoint text."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise CheckpointError("cosignature timestamp out of range")
    return f"{COSIGNATURE_HEADER}time {timestamp}\n{checkpoint_text}".encode()


class CosignatureVerifier:
    """Type 0x04: checks a witness's timestamped Ed25519 cosignatures (a :class:`note.Verifier`)."""

    def __init__(self, name: str, public_key: Ed25519PublicKey) -> None:
        if not note.is_valid_name(name):
            raise NoteError(f"invalid key name {name!r}")
        self.name = name
        self.public_key = public_key
        self.key_id = note.key_id(name, ALG_COSIGNATURE_V1, note.raw_public_key(public_key))

    @classmethod
    def from_key(cls, text: str) -> CosignatureVerifier:
        """From a verifier-key string of type 0x04."""
        vkey = note.parse_verifier_key(text)
        if vkey.alg != ALG_COSIGNATURE_V1 or len(vkey.public_key) != 32:
            raise NoteError("not an Ed25519 cosignature (type 0x04) verifier key")
        return cls(vkey.name, Ed25519PublicKey.from_public_bytes(vkey.public_key))

    @property
    def key(self) -> str:
        return note.verifier_key(
            self.name, ALG_COSIGNATURE_V1, note.raw_public_key(self.public_key)
        )

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != 8 + 64:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            return False
        try:
            message = cosignature_message(text.decode(), timestamp)
            self.public_key.verify(signature[8:], message)
        except (InvalidSignature, UnicodeDecodeError):
            return False
        return True


class CosignatureSigner:
    """A witness's cosigning key (a :class:`note.Signer`; the timestamp is read from ``clock``)."""

    def __init__(
        self,
        name: str,
        private_key: Ed25519PrivateKey,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._private_key = private_key
        self._clock = clock
        self.verifier = CosignatureVerifier(name, private_key.public_key())
        self.name = name
        self.key_id = self.verifier.key_id

    def sign(self, text: bytes) -> bytes:
        return self.sign_at(text, int(self._clock()))

    def sign_at(self, text: bytes, timestamp: int) -> bytes:
        """The 72-byte ``timestamped_signature`` over ``text`` at ``timestamp``."""
        message = cosignature_message(text.decode(), timestamp)
        return timestamp.to_bytes(8, "big") + self._private_key.sign(message)


def cosign(checkpoint: Checkpoint, signer: CosignatureSigner, timestamp: int) -> note.Signature:
    """A witness's cosignature of ``checkpoint`` at ``timestamp`` (a signature line to send)."""
    text = checkpoint.text().encode()
    return note.Signature(signer.name, signer.key_id, signer.sign_at(text, timestamp))


def cosignature_timestamp(signature: note.Signature) -> int:
    """The timestamp of a cosignature/v1 signature (checks only its length and range)."""
    if len(signature.signature) != 8 + 64:
        raise NoteError("not a cosignature/v1 signature")
    timestamp = int.from_bytes(signature.signature[:8], "big")
    if timestamp > MAX_TIMESTAMP:
        raise NoteError("cosignature timestamp out of range")
    return timestamp


def load_verifier(key: str) -> note.Ed25519Verifier | CosignatureVerifier:
    """A verifier from a verifier-key string of type 0x01 or 0x04."""
    alg = note.parse_verifier_key(key).alg
    if alg == note.ALG_ED25519:
        return note.Ed25519Verifier.from_key(key)
    if alg == ALG_COSIGNATURE_V1:
        return CosignatureVerifier.from_key(key)
    raise NoteError(f"unsupported verifier key type 0x{alg:02x}")


@dataclass(frozen=True)
class Cosignature:
    """A verified cosignature: which witness, and when it cosigned."""

    name: str
    key_id: bytes
    timestamp: int


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint whose log signature verified, with the cosignatures that verified."""

    checkpoint: Checkpoint
    opened: note.VerifiedNote
    cosignatures: tuple[Cosignature, ...]


def open_checkpoint(
    data: bytes | str,
    log: note.Verifier,
    witnesses: Iterable[CosignatureVerifier] = (),
    origin: str | None = None,
) -> SignedCheckpoint:
    """Verify a signed checkpoint: ``log`` must have signed it, its origin must be ``origin``
    (by default the log key's name), and every signature line matching one of ``witnesses``
    must verify. Which witnesses cosigned is in the result; a quorum is the caller's policy.
    """
    witnesses = tuple(witnesses)
    opened = note.open_note(data, (log, *witnesses))
    if not any(s.name == log.name and s.key_id == log.key_id for s in opened.verified):
        raise NoteError("checkpoint is not signed by the log key")
    checkpoint = parse_checkpoint(opened.text)
    expected = log.name if origin is None else origin
    if checkpoint.origin != expected:
        raise CheckpointError(f"checkpoint origin {checkpoint.origin!r} is not {expected!r}")
    by_key = {(w.name, w.key_id) for w in witnesses}
    cosignatures = tuple(
        Cosignature(s.name, s.key_id, cosignature_timestamp(s))
        for s in opened.verified
        if (s.name, s.key_id) in by_key
    )
    return SignedCheckpoint(checkpoint, opened, cosignatures)
