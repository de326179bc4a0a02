"""Commonground federation protocol, as a standalone library.

Everything a third party needs to produce or verify Commonground statements:
keys (:mod:`federation.keys`), signed statements (:mod:`federation.statements`;
a batch stage by stage: :mod:`federation.batch`), hash-chain rules
(:mod:`federation.chain`), schemas (:mod:`federation.schemas`), inbox parsing
(:mod:`federation.inbox`), follow requests (:mod:`federation.follow`), the HTTP
client (:mod:`federation.client`, public addresses only:
:mod:`federation.addresses`) and the retry policy (:mod:`federation.backoff`).
See docs/protocol.md.

This package must never import Flask or anything from ``node/``.
"""

from __future__ import annotations

from .chain import ChainState, RunReport, Verdict, classify, verify_run
from .errors import (
    ERROR_CODES,
    HTTP_STATUS,
    DeliveryError,
    FederationError,
    InvalidKeyError,
    StatementError,
)
from .keys import (
    generate_private_key,
    jwks,
    load_private_key,
    load_public_jwk,
    public_jwk,
    save_private_key,
    thumbprint,
)
from .statements import (
    TYP,
    UNKNOWN_ISSUER,
    UNKNOWN_KEY,
    KeyLookup,
    VerifiedStatement,
    build_payload,
    owns_campaign,
    peek,
    sign,
    statement_hash,
    static_lookup,
    verify,
)

__all__ = [
    "ERROR_CODES",
    "HTTP_STATUS",
    "TYP",
    "UNKNOWN_ISSUER",
    "UNKNOWN_KEY",
    "ChainState",
    "DeliveryError",
    "FederationError",
    "InvalidKeyError",
    "KeyLookup",
    "RunReport",
    "StatementError",
    "Verdict",
    "VerifiedStatement",
    "build_payload",
    "classify",
    "generate_private_key",
    "jwks",
    "load_private_key",
    "load_public_jwk",
    "owns_campaign",
    "peek",
    "public_jwk",
    "save_private_key",
    "sign",
    "statement_hash",
    "static_lookup",
    "thumbprint",
    "verify",
    "verify_run",
]
