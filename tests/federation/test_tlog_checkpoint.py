"""C2SP checkpoints and Ed25519 cosignatures (tlog-checkpoint, tlog-cosignature)."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.tlog import checkpoint as cp
from federation.tlog import merkle, note
from federation.tlog.errors import (
    CheckpointError,
    InvalidSignatureError,
    NoteError,
    UnverifiedNoteError,
)

from .conftest import VECTORS

DATA = json.loads((VECTORS / "c2sp_note.json").read_text())
C2SP = DATA["c2sp_examples"]
TD = DATA["transparency_dev_cosignature"]
ORIGIN = "hub.example.org/log"
LOG = note.Ed25519Signer(ORIGIN, Ed25519PrivateKey.generate())
WITNESS = cp.CosignatureSigner("walton.example.org", Ed25519PrivateKey.generate())
OTHER = cp.CosignatureSigner("shepperton.example.org", Ed25519PrivateKey.generate())
NOW = 1_764_900_000


def tree_checkpoint(size: int = 5) -> cp.Checkpoint:
    tree = merkle.MemoryTree()
    for i in range(size):
        tree.append(b"entry %d" % i)
    return cp.Checkpoint(ORIGIN, size, tree.root())


def test_the_c2sp_example_parses_and_round_trips() -> None:
    parsed = cp.parse_checkpoint(C2SP["checkpoint_text"])
    assert (parsed.origin, parsed.size) == ("example.com/behind-the-sofa", 20852163)
    assert parsed.text() == C2SP["checkpoint_text"]
    signed = note.parse(
        C2SP["checkpoint_text"] + "\n" + C2SP["log_sig_line"] + C2SP["cosignature_line"]
    )
    assert signed.text == C2SP["checkpoint_text"]
    assert cp.cosignature_timestamp(signed.signatures[1]) == C2SP["cosignature_timestamp"]


def test_published_cosignature_key_id_and_timestamp() -> None:
    witness = cp.CosignatureVerifier.from_key(TD["cosignature_vkey"])
    public = base64.b64decode(TD["cosignature_vkey"].split("+", 2)[2])[1:]
    assert witness.key_id == hashlib.sha256(b"remora.n621.de\n\x04" + public).digest()[:4]
    assert witness.key == TD["cosignature_vkey"]
    assert isinstance(cp.load_verifier(TD["cosignature_vkey"]), cp.CosignatureVerifier)
    assert isinstance(cp.load_verifier(TD["ed25519_vkey"]), note.Ed25519Verifier)
    with pytest.raises(NoteError):
        cp.CosignatureVerifier.from_key(TD["ed25519_vkey"])
    with pytest.raises(NoteError):
        note.Ed25519Verifier.from_key(TD["cosignature_vkey"])
    raw = base64.b64decode(TD["cosignature_base64"])
    assert (
        cp.cosignature_timestamp(note.Signature("w", raw[:4], raw[4:]))
        == TD["cosignature_timestamp"]
    )
    raw = base64.b64decode(TD["plain_signature_base64"])
    with pytest.raises(NoteError):
        cp.cosignature_timestamp(note.Signature("w", raw[:4], raw[4:]))


def test_cosigning_a_key_in_both_roles_gives_different_key_ids() -> None:
    key = Ed25519PrivateKey.generate()
    plain = note.Ed25519Signer("walton.example.org", key)
    cosigner = cp.CosignatureSigner("walton.example.org", key)
    assert plain.key_id != cosigner.key_id
    assert base64.b64decode(cosigner.verifier.key.split("+", 2)[2])[0] == cp.ALG_COSIGNATURE_V1


@pytest.mark.parametrize(
    "text",
    [
        "origin\n5\n",
        "origin\n5\nAAAA\n",  # root of 3 bytes
        "origin\n05\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n+5\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n-5\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n５\n" + base64.b64encode(bytes(32)).decode() + "\n",  # fullwidth digit
        "origin\n18446744073709551616\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n5\n" + base64.b64encode(bytes(32)).decode(),  # no final newline
        "origin\n5\n" + base64.b64encode(bytes(32)).decode().rstrip("=") + "\n",
        "origin\n5\n" + base64.b64encode(bytes(32)).decode() + "\n\n",  # empty extension
        "\n5\n" + base64.b64encode(bytes(32)).decode() + "\n",  # empty origin
        "origin\n0\n" + base64.b64encode(bytes(32)).decode() + "\n",  # not the empty root
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(CheckpointError):
        cp.parse_checkpoint(text)


def test_checkpoint_build_parse_round_trip() -> None:
    checkpoint = tree_checkpoint()
    assert cp.parse_checkpoint(checkpoint.text()) == checkpoint
    with_ext = cp.Checkpoint(ORIGIN, 5, checkpoint.root, ("ext one", "ext two"))
    assert cp.parse_checkpoint(with_ext.text()) == with_ext
    empty = cp.Checkpoint(ORIGIN, 0, merkle.EMPTY_ROOT)
    assert empty.text() == f"{ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    assert (
        cp.parse_checkpoint(f"{ORIGIN}\n{2**64 - 1}\n{note.b64encode(bytes(32))}\n").size
        == 2**64 - 1
    )


def test_log_signature_and_cosignatures_round_trip() -> None:
    checkpoint = tree_checkpoint()
    signed = cp.sign_checkpoint(checkpoint, LOG)
    line = cp.cosign(checkpoint, WITNESS, NOW)
    served = (
        note.parse(signed).with_signatures(line, cp.cosign(checkpoint, OTHER, NOW + 1)).encode()
    )
    opened = cp.open_checkpoint(served, LOG.verifier, [WITNESS.verifier, OTHER.verifier])
    assert opened.checkpoint == checkpoint
    assert [(c.name, c.timestamp) for c in opened.cosignatures] == [
        ("walton.example.org", NOW),
        ("shepperton.example.org", NOW + 1),
    ]
    # Unknown witnesses are ignored, not trusted.
    only_log = cp.open_checkpoint(served, LOG.verifier)
    assert only_log.cosignatures == () and len(only_log.opened.unverified) == 2


def test_the_signed_message_is_exactly_as_specified() -> None:
    checkpoint = tree_checkpoint()
    line = cp.cosign(checkpoint, WITNESS, NOW)
    assert line.signature[:8] == NOW.to_bytes(8, "big") and len(line.signature) == 72
    message = f"cosignature/v1\ntime {NOW}\n{checkpoint.text()}".encode()
    WITNESS.verifier.public_key.verify(line.signature[8:], message)
    assert cp.cosignature_message(checkpoint.text(), NOW) == message


def test_tampered_or_misattributed_cosignatures_fail() -> None:
    checkpoint = tree_checkpoint()
    signed = note.parse(cp.sign_checkpoint(checkpoint, LOG))
    line = cp.cosign(checkpoint, WITNESS, NOW)
    later = note.Signature(
        line.name, line.key_id, (NOW + 1).to_bytes(8, "big") + line.signature[8:]
    )
    with pytest.raises(InvalidSignatureError):
        cp.open_checkpoint(signed.with_signatures(later).encode(), LOG.verifier, [WITNESS.verifier])
    # A cosignature of another tree size attached to this checkpoint.
    other = cp.cosign(tree_checkpoint(6), WITNESS, NOW)
    with pytest.raises(InvalidSignatureError):
        cp.open_checkpoint(signed.with_signatures(other).encode(), LOG.verifier, [WITNESS.verifier])
    # The witness's name on someone else's key: the key ID does not match, so it is unknown.
    borrowed = note.Signature(
        WITNESS.name, OTHER.key_id, cp.cosign(checkpoint, OTHER, NOW).signature
    )
    opened = cp.open_checkpoint(
        signed.with_signatures(borrowed).encode(), LOG.verifier, [WITNESS.verifier]
    )
    assert opened.cosignatures == ()
    # A timestamp at or above 2^63 never verifies.
    huge = note.Signature(line.name, line.key_id, (2**63).to_bytes(8, "big") + line.signature[8:])
    with pytest.raises(InvalidSignatureError):
        cp.open_checkpoint(signed.with_signatures(huge).encode(), LOG.verifier, [WITNESS.verifier])
    with pytest.raises(CheckpointError):
        cp.cosignature_message(checkpoint.text(), 2**63)


def test_the_log_signature_is_required_and_checked() -> None:
    checkpoint = tree_checkpoint()
    cosigned = note.Note(checkpoint.text(), (cp.cosign(checkpoint, WITNESS, NOW),)).encode()
    with pytest.raises(NoteError, match="not signed by the log"):
        cp.open_checkpoint(cosigned, LOG.verifier, [WITNESS.verifier])
    with pytest.raises(UnverifiedNoteError):
        cp.open_checkpoint(cosigned, LOG.verifier)
    forged = cp.sign_checkpoint(
        checkpoint, note.Ed25519Signer(ORIGIN, Ed25519PrivateKey.generate())
    )
    with pytest.raises(UnverifiedNoteError):
        cp.open_checkpoint(forged, LOG.verifier)
    rewritten = cp.sign_checkpoint(checkpoint, LOG).replace("\n5\n", "\n6\n")
    with pytest.raises(InvalidSignatureError):
        cp.open_checkpoint(rewritten, LOG.verifier)
    elsewhere = cp.Checkpoint("other.example.org/log", 5, checkpoint.root)
    with pytest.raises(CheckpointError, match="origin"):
        cp.open_checkpoint(cp.sign_checkpoint(elsewhere, LOG), LOG.verifier)
    assert cp.open_checkpoint(
        cp.sign_checkpoint(elsewhere, LOG), LOG.verifier, origin="other.example.org/log"
    )


def test_extension_lines_are_cosigned() -> None:
    checkpoint = cp.Checkpoint(ORIGIN, 5, tree_checkpoint().root, ("ext",))
    served = note.parse(cp.sign_checkpoint(checkpoint, LOG)).with_signatures(
        cp.cosign(checkpoint, WITNESS, NOW)
    )
    stripped = note.Note(tree_checkpoint().text(), served.signatures[1:]).encode()
    with pytest.raises(UnverifiedNoteError):  # no log signature over the stripped text
        cp.open_checkpoint(stripped, LOG.verifier)
    with pytest.raises(InvalidSignatureError):
        note.open_note(stripped, [WITNESS.verifier])


def test_signer_clock_is_used() -> None:
    signer = cp.CosignatureSigner(
        "w.example", Ed25519PrivateKey.generate(), clock=lambda: NOW + 0.9
    )
    checkpoint = tree_checkpoint()
    signed = note.sign(checkpoint.text(), signer)
    opened = note.open_note(signed, [signer.verifier])
    assert cp.cosignature_timestamp(opened.verified[0]) == NOW


# -- The worked example in docs/protocol.md ("Transparency log") --------------

DOC = VECTORS.parents[2] / "docs" / "protocol.md"
EXAMPLE_TIME = 1_764_892_800  # 2025-12-05T00:00:00Z


def example() -> dict[str, str]:
    """The doc's example: deterministic keys (Ed25519 signing is deterministic too)."""
    log_key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"example log key").digest())
    witness_key = Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"example witness key").digest()
    )
    log = note.Ed25519Signer("hub.example.org/log", log_key)
    witness = cp.CosignatureSigner("walton.example.org", witness_key)
    tree = merkle.MemoryTree()
    for leaf in json.loads((VECTORS / "rfc9162_merkle.json").read_text())["leaf_inputs_hex"]:
        tree.append(bytes.fromhex(leaf))
    checkpoint = cp.Checkpoint(log.name, tree.size, tree.root())
    signed = note.parse(cp.sign_checkpoint(checkpoint, log))
    served = signed.with_signatures(cp.cosign(checkpoint, witness, EXAMPLE_TIME)).encode()
    return {
        "log_key": log.verifier.key,
        "witness_key": witness.verifier.key,
        "checkpoint": served,
        "inclusion": json.dumps([note.b64encode(h) for h in tree.inclusion_proof(5, 8)]),
        "consistency": json.dumps([note.b64encode(h) for h in tree.consistency_proof(6, 8)]),
    }


def test_doc_example_is_current_and_verifies_from_the_doc_alone() -> None:
    text = DOC.read_text()
    ex = example()
    for name, value in ex.items():
        assert value.strip() in text, f"docs/protocol.md tlog {name} is stale: see example()"
    section = text[text.index("## 14. Transparency log") :]
    keys = re.findall(r"^(\S+\+[0-9a-f]{8}\+\S+)$", section, re.M)
    log, witness = note.Ed25519Verifier.from_key(keys[0]), cp.CosignatureVerifier.from_key(keys[1])
    served = re.search(r"```\n(hub\.example\.org/log\n.*?)```", section, re.S)
    assert served is not None
    opened = cp.open_checkpoint(served.group(1), log, [witness])
    assert opened.cosignatures[0].timestamp == EXAMPLE_TIME
    proofs = re.findall(r"^(\[\".*\"\])$", section, re.M)
    root = opened.checkpoint.root
    leaf5 = merkle.leaf_hash(bytes.fromhex("40414243"))
    merkle.verify_inclusion(5, 8, leaf5, [note.b64decode(h) for h in json.loads(proofs[0])], root)
    first = merkle.root(
        [merkle.leaf_hash(bytes.fromhex(x)) for x in ("", "00", "10", "2021", "3031", "40414243")]
    )
    merkle.verify_consistency(6, 8, first, root, [note.b64decode(h) for h in json.loads(proofs[1])])


if __name__ == "__main__":
    for key, value in example().items():
        print(f"{key}:\n{value}")
