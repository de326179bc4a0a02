"""RFC 9162 Merkle trees: published vectors, then properties over random sizes."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation.tlog import merkle
from federation.tlog.errors import ProofError

from .conftest import VECTORS

VECTOR = json.loads((VECTORS / "rfc9162_merkle.json").read_text())
SETTINGS = settings(max_examples=200, deadline=None)
MAX_SIZE = 300


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def entry(i: int) -> bytes:
    return b"statement %d" % i


def build(size: int) -> merkle.MemoryTree:
    tree = merkle.MemoryTree()
    for i in range(size):
        tree.append(entry(i))
    return tree


TREE = build(MAX_SIZE)


@pytest.fixture(scope="module")
def vector_tree() -> merkle.MemoryTree:
    tree = merkle.MemoryTree()
    for leaf in VECTOR["leaf_inputs_hex"]:
        tree.append(bytes.fromhex(leaf))
    return tree


def test_empty_tree_and_hash_prefixes() -> None:
    assert merkle.EMPTY_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert merkle.MemoryTree().root() == merkle.root([]) == merkle.EMPTY_ROOT
    assert merkle.leaf_hash(b"") == merkle.root([merkle.leaf_hash(b"")])
    assert merkle.leaf_hash(b"x") != merkle.node_hash(b"", b"x")  # 0x00 vs 0x01 domain


def test_roots_for_sizes_1_to_8(vector_tree: merkle.MemoryTree) -> None:
    leaves = [merkle.leaf_hash(bytes.fromhex(x)) for x in VECTOR["leaf_inputs_hex"]]
    for size, expected in VECTOR["roots_base64_by_size"].items():
        n = int(size)
        assert vector_tree.root(n) == b64(expected)
        assert merkle.root(leaves[:n]) == b64(expected)
    assert vector_tree.root() == b64(VECTOR["roots_base64_by_size"]["8"])


@pytest.mark.parametrize(
    "case", VECTOR["inclusion"], ids=lambda c: f"{c['leaf_index']}-{c['tree_size']}"
)
def test_inclusion_vectors(vector_tree: merkle.MemoryTree, case: dict[str, Any]) -> None:
    proof = [b64(h) for h in case["proof"]]
    index, size = case["leaf_index"], case["tree_size"]
    assert vector_tree.inclusion_proof(index, size) == proof
    merkle.verify_inclusion(index, size, b64(case["leaf_hash"]), proof, b64(case["root"]))


@pytest.mark.parametrize("case", VECTOR["consistency"], ids=lambda c: f"{c['first']}-{c['second']}")
def test_consistency_vectors(vector_tree: merkle.MemoryTree, case: dict[str, Any]) -> None:
    proof = [b64(h) for h in case["proof"]]
    first, second = case["first"], case["second"]
    assert vector_tree.consistency_proof(first, second) == proof
    merkle.verify_consistency(
        first, second, vector_tree.root(first), vector_tree.root(second), proof
    )


def test_every_proof_up_to_64_leaves() -> None:
    for n in range(1, 65):
        root = TREE.root(n)
        for i in range(n):
            merkle.verify_inclusion(
                i, n, merkle.leaf_hash(entry(i)), TREE.inclusion_proof(i, n), root
            )
        for m in range(n + 1):
            merkle.verify_consistency(m, n, TREE.root(m), root, TREE.consistency_proof(m, n))


def test_degenerate_consistency() -> None:
    root = TREE.root(5)
    assert TREE.consistency_proof(5, 5) == TREE.consistency_proof(0, 5) == []
    merkle.verify_consistency(5, 5, root, root, [])
    merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, root, [])
    with pytest.raises(ProofError, match="two different roots"):
        merkle.verify_consistency(5, 5, root, TREE.root(4), [])
    with pytest.raises(ProofError, match="empty"):
        merkle.verify_consistency(5, 5, root, root, [root])
    with pytest.raises(ProofError, match="empty tree"):
        merkle.verify_consistency(0, 5, root, root, [])
    with pytest.raises(ProofError, match="cannot extend"):
        merkle.verify_consistency(6, 5, TREE.root(6), root, [])
    with pytest.raises(ProofError, match="is empty"):
        merkle.verify_consistency(3, 5, TREE.root(3), root, [])


def test_bad_arguments() -> None:
    with pytest.raises(ProofError):
        TREE.inclusion_proof(5, 5)
    with pytest.raises(ProofError):
        TREE.inclusion_proof(0, MAX_SIZE + 1)
    with pytest.raises(ProofError):
        TREE.consistency_proof(6, 5)
    with pytest.raises(ProofError, match="not in a tree"):
        merkle.verify_inclusion(5, 5, merkle.leaf_hash(b""), [], merkle.EMPTY_ROOT)
    with pytest.raises(ProofError, match="bytes"):
        merkle.verify_inclusion(0, 1, b"short", [], merkle.EMPTY_ROOT)
    with pytest.raises(ValueError, match="not aligned"):
        TREE.range_hash(1, 3)


def test_frontier_reports_every_complete_subtree_and_restores() -> None:
    frontier = merkle.Frontier()
    seen: dict[tuple[int, int], bytes] = {}
    for i in range(40):
        for s in frontier.append(merkle.leaf_hash(entry(i))):
            assert (s.level, s.index) not in seen
            seen[(s.level, s.index)] = s.hash
            assert s.hash == TREE.subtree(s.level, s.index)
        assert frontier.root() == TREE.root(i + 1)
        assert len(frontier.hashes) == (i + 1).bit_count()
        restored = merkle.Frontier.restore(frontier.size, frontier.hashes)
        loaded = merkle.Frontier.load(frontier.size, lambda lv, ix: seen[(lv, ix)])
        assert restored.root() == loaded.root() == frontier.root()
    assert len(seen) == 2 * 40 - (40).bit_count()
    with pytest.raises(ValueError):
        merkle.Frontier.restore(3, [merkle.EMPTY_ROOT])


@st.composite
def inclusion_case(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, MAX_SIZE))
    return draw(st.integers(0, size - 1)), size


@st.composite
def consistency_case(draw: st.DrawFn) -> tuple[int, int]:
    second = draw(st.integers(2, MAX_SIZE))
    return draw(st.integers(1, second - 1)), second


def flip(value: bytes, position: int) -> bytes:
    i = position % len(value)
    return value[:i] + bytes([value[i] ^ 0x01]) + value[i + 1 :]


@SETTINGS
@given(inclusion_case(), st.integers(0, 2**16))
def test_inclusion_proofs_verify_and_every_altered_hash_fails(
    case: tuple[int, int], position: int
) -> None:
    index, size = case
    leaf, root = merkle.leaf_hash(entry(index)), TREE.root(size)
    proof = TREE.inclusion_proof(index, size)
    merkle.verify_inclusion(index, size, leaf, proof, root)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(index, size, leaf, proof, flip(root, position))
    with pytest.raises(ProofError):
        merkle.verify_inclusion(index, size, flip(leaf, position), proof, root)
    for k in range(len(proof)):
        altered = [*proof[:k], flip(proof[k], position), *proof[k + 1 :]]
        with pytest.raises(ProofError):
            merkle.verify_inclusion(index, size, leaf, altered, root)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(index, size, leaf, [*proof, root], root)
    if proof:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(index, size, leaf, proof[:-1], root)


@SETTINGS
@given(inclusion_case(), st.integers(0, MAX_SIZE - 1), st.integers(1, MAX_SIZE))
def test_inclusion_proof_fails_for_another_index_or_size(
    case: tuple[int, int], other_index: int, other_size: int
) -> None:
    index, size = case
    leaf, proof = merkle.leaf_hash(entry(index)), TREE.inclusion_proof(index, size)
    if other_index != index:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(other_index, size, leaf, proof, TREE.root(size))
    if other_size != size:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(index, other_size, leaf, proof, TREE.root(other_size))


@SETTINGS
@given(consistency_case(), st.integers(0, 2**16))
def test_consistency_proofs_verify_and_every_altered_hash_fails(
    case: tuple[int, int], position: int
) -> None:
    first, second = case
    old, new = TREE.root(first), TREE.root(second)
    proof = TREE.consistency_proof(first, second)
    merkle.verify_consistency(first, second, old, new, proof)
    with pytest.raises(ProofError):
        merkle.verify_consistency(first, second, flip(old, position), new, proof)
    with pytest.raises(ProofError):
        merkle.verify_consistency(first, second, old, flip(new, position), proof)
    for k in range(len(proof)):
        altered = [*proof[:k], flip(proof[k], position), *proof[k + 1 :]]
        with pytest.raises(ProofError):
            merkle.verify_consistency(first, second, old, new, altered)
    with pytest.raises(ProofError):
        merkle.verify_consistency(first, second, old, new, [*proof, new])
    with pytest.raises(ProofError):
        merkle.verify_consistency(first, second, old, new, proof[:-1])


@SETTINGS
@given(consistency_case(), st.integers(1, MAX_SIZE), st.integers(1, MAX_SIZE))
def test_consistency_proof_fails_for_other_sizes(
    case: tuple[int, int], other_first: int, other_second: int
) -> None:
    first, second = case
    proof = TREE.consistency_proof(first, second)
    if other_first != first and other_first <= second:
        with pytest.raises(ProofError):
            merkle.verify_consistency(
                other_first, second, TREE.root(other_first), TREE.root(second), proof
            )
    if other_second != second and other_second >= first:
        with pytest.raises(ProofError):
            merkle.verify_consistency(
                first, other_second, TREE.root(first), TREE.root(other_second), proof
            )


@SETTINGS
@given(st.lists(st.binary(max_size=8), min_size=1, max_size=40))
def test_a_rewritten_entry_breaks_consistency(entries: list[bytes]) -> None:
    honest, rewritten = merkle.MemoryTree(), merkle.MemoryTree()
    for e in entries:
        honest.append(e)
    for e in [*entries[:-1], entries[-1] + b"!", b"more"]:
        rewritten.append(e)
    n = len(entries)
    with pytest.raises(ProofError):
        merkle.verify_consistency(
            n, n + 1, honest.root(), rewritten.root(), rewritten.consistency_proof(n, n + 1)
        )
