"""Error types shared by the whole federation library.

Receivers answer every rejected statement with ``{"error": code, "detail": ...}``;
keeping the codes and their HTTP statuses in one table means the library, the
Flask node and third-party implementations cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

#: Every statement-level error code, mapped to the HTTP status an inbox answers with.
HTTP_STATUS: Final[Mapping[str, int]] = {
    "too-large": 413,
    "malformed": 400,
    "unsupported-media-type": 415,
    "unsupported-alg": 400,
    "unknown-issuer": 403,
    "unknown-key": 401,
    "bad-signature": 401,
    "schema-invalid": 400,
    "stale": 400,
    "chain-gap": 409,
    "chain-fork": 409,
}

ERROR_CODES: Final[frozenset[str]] = frozenset(HTTP_STATUS)

_MAX_DETAIL = 500


class FederationError(Exception):
    """Base class of every error raised by :mod:`federation`."""


class StatementError(FederationError):
    """A statement (or inbox request) was rejected.

    ``code`` is one of :data:`ERROR_CODES`; ``detail`` is a short human-readable
    explanation that is safe to send back to the peer (it never contains key
    material and is truncated). ``extra`` holds additional JSON members for the
    error response, e.g. the missing range of a ``chain-gap``.
    """

    def __init__(self, code: str, detail: str = "", extra: Mapping[str, Any] | None = None):
        if code not in ERROR_CODES:
            raise ValueError(f"unknown statement error code {code!r}")
        if len(detail) > _MAX_DETAIL:
            detail = detail[: _MAX_DETAIL - 1] + "…"
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.extra: dict[str, Any] = dict(extra or {})

    @property
    def http_status(self) -> int:
        """The HTTP status an inbox should answer with."""
        return HTTP_STATUS[self.code]

    def to_json(self) -> dict[str, Any]:
        """The error document, ``{"error": code, "detail": ..., **extra}``."""
        return {**self.extra, "error": self.code, "detail": self.detail}


class InvalidKeyError(FederationError, ValueError):
    """A key (file or JWK) is not a usable Ed25519 key. Never carries key material."""


class DeliveryError(FederationError):
    """Outgoing HTTP failed. ``retryable`` tells the outbox worker whether to try again."""

    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        retryable: bool | None = None,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable
        self.status = status
        self.code = code
        self.retry_after = retry_after


class TransportError(DeliveryError):
    """Connection refused/reset, DNS failure or timeout: always retryable."""

    retryable = True


class HTTPStatusError(DeliveryError):
    """The peer answered with an error status (5xx and 429 retryable, other 4xx not)."""


class ResponseTooLarge(DeliveryError):
    """The peer's response exceeded our cap; retrying would not help."""


class BadResponse(DeliveryError):
    """The peer's response was not the JSON document the protocol requires."""


class UnsafeURL(DeliveryError):
    """We refuse to fetch this URL (not http/https, credentials in it, ...)."""
