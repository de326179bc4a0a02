"""RFC 9162 Merkle tree hashing, proofs and an O(log n) appender.

Hashing (RFC 9162 section 2.1.1), SHA-256 throughout::

    MTH({})      = SHA-256()
    leaf hash    = SHA-256(0x00 || entry)
    node hash    = SHA-256(0x01 || left || right)
    MTH(D[0:n])  = node hash(MTH(D[0:k]), MTH(D[k:n]))   for n > 1,
                   k the largest power of two smaller than n

Proofs are built and checked exactly as RFC 9162 sections 2.1.3 (inclusion)
and 2.1.4 (consistency) define them; the verifiers are the RFC's algorithms
step by step.

What a store must provide
-------------------------
Proof generation never reads leaves. It asks a :data:`RangeHash` callable for
``MTH(D[start:end])`` of the ranges the RFC's recursion visits; every such
range starts at a multiple of the largest power of two not above its length
("aligned"), so it is the node hash of at most ``log2(n)`` *complete subtrees*
taken largest first. A store therefore only needs the complete subtrees:
subtree ``(level, index)`` covers leaves ``[index * 2**level, (index + 1) *
2**level)``; level 0 holds the leaf hashes. :func:`range_hash` turns a
:data:`SubtreeHash` lookup ``(level, index) -> hash`` into a :data:`RangeHash`.
An inclusion or consistency proof then costs at most about ``2 * log2(n)``
subtree reads (only one or two of a proof's ranges are not complete subtrees).

:class:`Frontier` appends in O(log n) (amortised O(1)) and reports the complete
subtrees each append creates, which is exactly what such a store writes;
:class:`MemoryTree` is the in-memory store used by tests and small tools.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from .errors import ProofError

HASH_SIZE: Final = 32
#: MTH of the empty tree: SHA-256 of the empty string.
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()

#: ``(start, end) -> MTH(D[start:end])`` for an aligned range (see the module docstring).
RangeHash = Callable[[int, int], bytes]
#: ``(level, index) -> hash`` of the complete subtree over leaves
#: ``[index * 2**level, (index + 1) * 2**level)``.
SubtreeHash = Callable[[int, int], bytes]


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 || entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n > 1``): RFC 9162's ``k``."""
    if n < 2:
        raise ValueError("split_point needs n > 1")
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a whole list of leaf hashes (O(n); for tests and rebuilding from scratch)."""
    frontier = Frontier()
    for h in leaf_hashes:
        frontier.append(h)
    return frontier.root()


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Node hash of subtrees given largest first, folded from the right."""
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


def _decompose(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees ``(level, index)`` of an aligned range, largest first."""
    size = end - start
    if start < 0 or size <= 0:
        raise ValueError(f"empty or negative range [{start}, {end})")
    top = size.bit_length() - 1
    if start % (1 << top):
        raise ValueError(f"range [{start}, {end}) is not aligned")
    parts = []
    pos = start
    for level in range(top, -1, -1):
        if size >> level & 1:
            parts.append((level, pos >> level))
            pos += 1 << level
    return parts


def range_hash(subtree: SubtreeHash) -> RangeHash:
    """A :data:`RangeHash` that reads at most ``log2(n) + 1`` complete subtrees."""

    def hash_of(start: int, end: int) -> bytes:
        if start == end == 0:
            return EMPTY_ROOT
        return _fold([subtree(level, index) for level, index in _decompose(start, end)])

    return hash_of


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes, not {HASH_SIZE}")


# -- Inclusion (RFC 9162 section 2.1.3) ---------------------------------------


def inclusion_proof(leaf_index: int, tree_size: int, hash_of: RangeHash) -> list[bytes]:
    """PATH(leaf_index, D[0:tree_size]) (RFC 9162 section 2.1.3.1), leaf level first."""
    if not 0 <= leaf_index < tree_size:
        raise ProofError(f"leaf index {leaf_index} is not in a tree of size {tree_size}")
    siblings = []
    start, end = 0, tree_size
    while end - start > 1:
        middle = start + split_point(end - start)
        if leaf_index < middle:
            siblings.append(hash_of(middle, end))
            end = middle
        else:
            siblings.append(hash_of(start, middle))
            start = middle
    siblings.reverse()
    return siblings


def root_from_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes]
) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 section 2.1.3.2, steps 1-5 but the last
    comparison); raises :class:`ProofError` when the proof cannot be for this index and size."""
    if not 0 <= leaf_index < tree_size:
        raise ProofError(f"leaf index {leaf_index} is not in a tree of size {tree_size}")
    _check_hash(leaf, "leaf hash")
    fn, sn, r = leaf_index, tree_size - 1, leaf
    for p in proof:
        _check_hash(p, "proof hash")
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes
) -> None:
    """Check that ``leaf`` (a leaf *hash*) is leaf ``leaf_index`` of the tree of size
    ``tree_size`` whose root is ``root_hash``; raise :class:`ProofError` otherwise."""
    _check_hash(root_hash, "root hash")
    if not hmac.compare_digest(root_from_inclusion(leaf_index, tree_size, leaf, proof), root_hash):
        raise ProofError(
            f"inclusion proof for leaf {leaf_index} does not lead to the root of size {tree_size}"
        )


# -- Consistency (RFC 9162 section 2.1.4) -------------------------------------


def consistency_proof(first: int, second: int, hash_of: RangeHash) -> list[bytes]:
    """PROOF(first, D[0:second]) (RFC 9162 section 2.1.4.1), deepest first.

    Empty when ``first == second`` or ``first == 0`` (nothing to prove).
    """
    if not 0 <= first <= second:
        raise ProofError(f"no consistency proof from size {first} to size {second}")
    if first in (0, second):
        return []
    proof = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            proof.append(hash_of(start + k, end))
            end = start + k
        else:
            proof.append(hash_of(start, start + k))
            start += k
            m -= k
            whole = False
    if not whole:
        proof.append(hash_of(start, end))
    proof.reverse()
    return proof


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of size ``second`` with root ``second_root`` extends the tree of size
    ``first`` with root ``first_root`` (RFC 9162 section 2.1.4.2); raise :class:`ProofError`.

    Equal sizes need an empty proof and equal roots; size 0 needs an empty proof and the
    empty-tree root.
    """
    _check_hash(first_root, "first root")
    _check_hash(second_root, "second root")
    for p in proof:
        _check_hash(p, "proof hash")
    if not 0 <= first <= second:
        raise ProofError(f"size {second} cannot extend size {first}")
    if first == second or first == 0:
        if proof:
            raise ProofError("consistency proof should be empty")
        if first == second and not hmac.compare_digest(first_root, second_root):
            raise ProofError(f"two different roots for tree size {first}")
        if first == 0 and not hmac.compare_digest(first_root, EMPTY_ROOT):
            raise ProofError("the root of the empty tree is not SHA-256 of the empty string")
        return
    # Step 1: an empty path fails.
    if not proof:
        raise ProofError("consistency proof is empty")
    # Step 2: a power-of-two first tree is itself the start of the path.
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    # Steps 3-4.
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # Steps 5-6.
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # Step 7.
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if not hmac.compare_digest(fr, first_root):
        raise ProofError(f"consistency proof does not lead to the root of size {first}")
    if not hmac.compare_digest(sr, second_root):
        raise ProofError(f"consistency proof does not lead to the root of size {second}")


# -- Appending ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subtree:
    """A complete subtree: leaves ``[index * 2**level, (index + 1) * 2**level)``."""

    level: int
    index: int
    hash: bytes


class Frontier:
    """The compact range ``[0, size)``: the hashes of the complete subtrees along the tree's
    right edge, one per set bit of ``size``, largest first.

    :meth:`append` is O(log n) (amortised O(1)) and returns the complete subtrees it created
    (the new leaf at level 0, then each merge), so a store that keeps every complete subtree
    writes exactly those rows. :meth:`root` is MTH(D[0:size]) in O(log n) without reading
    anything else.
    """

    def __init__(self) -> None:
        self._size = 0
        self._hashes: list[bytes] = []

    @classmethod
    def restore(cls, size: int, hashes: Iterable[bytes]) -> Frontier:
        """Rebuild from ``hashes`` (largest subtree first), as :attr:`hashes` returned them."""
        frontier = cls()
        frontier._hashes = list(hashes)
        frontier._size = size
        if size < 0 or len(frontier._hashes) != size.bit_count():
            raise ValueError(f"a frontier of size {size} has {size.bit_count()} hashes")
        for h in frontier._hashes:
            _check_hash(h, "frontier hash")
        return frontier

    @classmethod
    def load(cls, size: int, subtree: SubtreeHash) -> Frontier:
        """Rebuild from a store's complete subtrees (``size.bit_count()`` reads)."""
        if size == 0:
            return cls()
        return cls.restore(size, [subtree(lv, ix) for lv, ix in _decompose(0, size)])

    @property
    def size(self) -> int:
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        return tuple(self._hashes)

    def append(self, leaf: bytes) -> list[Subtree]:
        """Append a leaf *hash*; return the complete subtrees this created, smallest first."""
        _check_hash(leaf, "leaf hash")
        index = self._size
        created = [Subtree(0, index, leaf)]
        level, h = 0, leaf
        while index & 1:
            h = node_hash(self._hashes.pop(), h)
            level += 1
            index >>= 1
            created.append(Subtree(level, index, h))
        self._hashes.append(h)
        self._size += 1
        return created

    def root(self) -> bytes:
        """MTH(D[0:size])."""
        return _fold(self._hashes) if self._hashes else EMPTY_ROOT


class MemoryTree:
    """Every complete subtree in memory: a reference store for proofs at any earlier size."""

    def __init__(self) -> None:
        self._frontier = Frontier()
        self._levels: list[list[bytes]] = []

    @property
    def size(self) -> int:
        return self._frontier.size

    def append(self, entry: bytes) -> int:
        """Append an entry (hashed as a leaf); return its index."""
        return self.append_hash(leaf_hash(entry))

    def append_hash(self, leaf: bytes) -> int:
        index = self.size
        for subtree in self._frontier.append(leaf):
            if subtree.level == len(self._levels):
                self._levels.append([])
            self._levels[subtree.level].append(subtree.hash)
        return index

    def subtree(self, level: int, index: int) -> bytes:
        try:
            return self._levels[level][index]
        except IndexError:
            raise ProofError(f"no complete subtree at level {level}, index {index}") from None

    def range_hash(self, start: int, end: int) -> bytes:
        if end > self.size:
            raise ProofError(f"range [{start}, {end}) is beyond the tree size {self.size}")
        return range_hash(self.subtree)(start, end)

    def root(self, size: int | None = None) -> bytes:
        """MTH(D[0:size]) for the current or any earlier size."""
        return self._frontier.root() if size is None else self.range_hash(0, size)

    def inclusion_proof(self, leaf_index: int, tree_size: int | None = None) -> list[bytes]:
        return inclusion_proof(leaf_index, self._size_or_current(tree_size), self.range_hash)

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        return consistency_proof(first, self._size_or_current(second), self.range_hash)

    def _size_or_current(self, size: int | None) -> int:
        if size is None:
            return self.size
        if size > self.size:
            raise ProofError(f"tree size {size} is beyond the tree size {self.size}")
        return size
