"""Errors of the transparency-log formats.

Every failure is a :class:`TlogError` (a :class:`ValueError` and a
:class:`federation.errors.FederationError`), so a witness can keep the message
with the evidence it stores and a caller can catch one class.
"""

from __future__ import annotations

from federation.errors import FederationError


class TlogError(FederationError, ValueError):
    """Base class of every transparency-log error."""


class ProofError(TlogError):
    """An inclusion or consistency proof does not verify (or cannot be built)."""


class NoteError(TlogError):
    """A signed note is malformed (C2SP signed-note "malformed note")."""


class UnverifiedNoteError(NoteError):
    """A well-formed note carries no signature by any of the known keys."""


class InvalidSignatureError(NoteError):
    """A signature by a known key (name and key ID match) does not verify."""

    def __init__(self, name: str, key_id: bytes) -> None:
        super().__init__(f"invalid signature for key {name}+{key_id.hex()}")
        self.name = name
        self.key_id = key_id


class CheckpointError(NoteError):
    """A checkpoint body breaks the C2SP tlog-checkpoint rules."""
