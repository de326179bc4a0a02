"""The hub's transparency log (docs/protocol.md §14): every statement the hub accepts, as a leaf
of an RFC 9162 Merkle tree, with signed checkpoints that groups cosign as witnesses.

- :mod:`~node.hub.log.models`: the head row, leaves, complete subtrees, checkpoints, cosignatures;
- :mod:`~node.hub.log.store`: appending (in the ingest transaction) and proofs;
- :mod:`~node.hub.log.signing`: the log key, checkpoints and the cosignatures witnesses send;
- :mod:`~node.hub.log.api`: ``/hub/log/…``, the HTTP contract.

The formats and proofs are ``federation.tlog``'s; this package only stores and serves them.
"""
