"""Pure helpers for receiving nodes: turn an inbox request body into compacts.

The HTTP layer (Flask in ``node/``) hands us the raw body and Content-Type;
we return the compact statements to verify, or a StatementError whose code
and HTTP status the node sends back unchanged. Size limits are enforced
before any parsing.
"""

from __future__ import annotations

from typing import Final

from .encoding import strict_json_loads
from .errors import StatementError
from .statements import MAX_STATEMENT_BYTES

__all__ = ["MAX_BODY_BYTES", "MAX_BATCH", "JOSE", "JSON", "parse_inbox_body", "media_type"]

MAX_BODY_BYTES: Final = 1024 * 1024
MAX_BATCH: Final = 100
JOSE: Final = "application/jose"
JSON: Final = "application/json"


def media_type(content_type: str | None) -> str:
    """The lower-cased media type of a Content-Type header, parameters dropped."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_inbox_body(body: bytes, content_type: str | None) -> list[str]:
    """Split an inbox POST body into compact JWS strings (not yet verified).

    ``application/jose``: the body is one compact JWS (surrounding ASCII
    whitespace ignored). ``application/json``: ``{"statements": [compact, ...]}``
    with 1..MAX_BATCH items. Raises ``too-large``, ``malformed`` or
    ``unsupported-media-type``.
    """
    if len(body) > MAX_BODY_BYTES:
        raise StatementError("too-large", f"request body exceeds {MAX_BODY_BYTES} bytes")
    kind = media_type(content_type)
    if kind == JOSE:
        if len(body) > MAX_STATEMENT_BYTES + 4:
            raise StatementError("too-large", f"statement exceeds {MAX_STATEMENT_BYTES} bytes")
        try:
            text = body.decode("ascii").strip(" \t\r\n")
        except UnicodeDecodeError:
            raise StatementError("malformed", "application/jose body must be ASCII") from None
        if not text:
            raise StatementError("malformed", "empty body")
        return [text]
    if kind == JSON:
        try:
            doc = strict_json_loads(body)
        except ValueError as exc:
            raise StatementError("malformed", str(exc)) from None
        if not isinstance(doc, dict) or set(doc) != {"statements"}:
            raise StatementError("malformed", 'body must be {"statements": [...]}')
        items = doc["statements"]
        if not isinstance(items, list) or not items:
            raise StatementError("malformed", "statements must be a non-empty array")
        if len(items) > MAX_BATCH:
            raise StatementError("too-large", f"at most {MAX_BATCH} statements per request")
        if not all(isinstance(item, str) for item in items):
            raise StatementError("malformed", "statements must be strings")
        return list(items)
    raise StatementError(
        "unsupported-media-type", f"Content-Type must be {JOSE} or {JSON}, not {kind[:60]!r}"
    )
