"""A verifiable transparency log: RFC 9162 Merkle trees and the C2SP note formats.

- :mod:`federation.tlog.merkle`: leaf and node hashing, roots, inclusion and
  consistency proofs (generation over a store's subtree hashes, and
  verification), and the O(log n) :class:`~federation.tlog.merkle.Frontier` appender;
- :mod:`federation.tlog.note`: C2SP signed notes with Ed25519 keys;
- :mod:`federation.tlog.checkpoint`: C2SP checkpoints and Ed25519 cosignatures.

See docs/protocol.md, "Transparency log".
"""

from __future__ import annotations

from .checkpoint import (
    Checkpoint,
    Cosignature,
    CosignatureSigner,
    CosignatureVerifier,
    SignedCheckpoint,
    cosign,
    load_verifier,
    open_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
)
from .errors import (
    CheckpointError,
    InvalidSignatureError,
    NoteError,
    ProofError,
    TlogError,
    UnverifiedNoteError,
)
from .merkle import (
    EMPTY_ROOT,
    Frontier,
    MemoryTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from .note import Ed25519Signer, Ed25519Verifier, open_note

__all__ = [
    "EMPTY_ROOT",
    "CheckpointError",
    "Checkpoint",
    "Cosignature",
    "CosignatureSigner",
    "CosignatureVerifier",
    "Ed25519Signer",
    "Ed25519Verifier",
    "Frontier",
    "InvalidSignatureError",
    "MemoryTree",
    "NoteError",
    "ProofError",
    "SignedCheckpoint",
    "TlogError",
    "UnverifiedNoteError",
    "consistency_proof",
    "cosign",
    "inclusion_proof",
    "leaf_hash",
    "load_verifier",
    "node_hash",
    "open_checkpoint",
    "open_note",
    "parse_checkpoint",
    "sign_checkpoint",
    "verify_consistency",
    "verify_inclusion",
]
