"""The only outgoing HTTP in the federation: discovery, JWKS, outbox, inbox.

Everything a peer sends back is untrusted: responses are streamed and capped,
JSON is parsed strictly and checked against the protocol's schemas, only
http/https URLs are fetched, and every failure becomes a DeliveryError whose
``retryable`` flag drives the outbox worker (timeouts, connection errors,
5xx and 429 retry; other 4xx do not).

Connections to non-public addresses (loopback, private networks, link-local, cloud metadata)
are refused unless the client is made with ``allow_private=True``
(:mod:`federation.addresses`, checked on the connected socket, so DNS tricks do not get round it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests

from . import schemas
from .addresses import PublicAddressesOnly
from .encoding import strict_json_loads
from .errors import (
    BadResponse,
    DeliveryError,
    HTTPStatusError,
    InvalidKeyError,
    ResponseTooLarge,
    StatementError,
    TransportError,
    UnsafeURL,
)
from .follow import same_origin
from .inbox import JOSE, JSON, MAX_BATCH
from .keys import load_public_jwk

__all__ = [
    "WELL_KNOWN",
    "FederationClient",
    "Discovery",
    "GroupInfo",
    "OutboxPage",
    "InboxResult",
]

WELL_KNOWN: Final = "/.well-known/commonground"
DEFAULT_USER_AGENT: Final = "commonground-federation/0.1"
MAX_JSON_BYTES: Final = 1024 * 1024
MAX_OUTBOX_BYTES: Final = 8 * 1024 * 1024
MAX_JWKS_KEYS: Final = 50


@dataclass(frozen=True)
class GroupInfo:
    id: str
    name: str
    jwks_uri: str
    outbox: str
    inbox: str


@dataclass(frozen=True)
class Discovery:
    software: str
    version: str
    role: str
    groups: tuple[GroupInfo, ...]
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True)
class OutboxPage:
    items: tuple[str, ...]
    next: str | None


@dataclass(frozen=True)
class InboxResult:
    """Outcome of a POST to an inbox: 2xx (``ok``) or a non-retryable 4xx with its error."""

    status: int
    error: str | None = None
    detail: str | None = None
    body: dict[str, Any] = field(default_factory=dict)
    # For a refusal: the 0-based position of the refused statement (protocol §7.2), i.e. how many
    # before it were accepted; None when the peer sent no usable one (not a non-negative integer).
    index: int | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def check_url(url: str) -> str:
    """Refuse anything but an absolute http(s) URL without credentials."""
    if not isinstance(url, str) or len(url) > 2048 or not url.isascii() or not url.isprintable():
        raise UnsafeURL("URL must be printable ASCII of at most 2048 characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL(f"only absolute http/https URLs are fetched, not {url[:100]!r}")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("URLs with credentials are refused")
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise UnsafeURL("bad port") from None
    return url


def origin_of(base_url: str) -> str:
    parts = urlsplit(check_url(base_url))
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None


class FederationClient:
    """A small HTTP client for the federation protocol, on one ``requests.Session``."""

    def __init__(
        self,
        *,
        timeout: tuple[float, float] = (3.05, 10),
        user_agent: str = DEFAULT_USER_AGENT,
        session: requests.Session | None = None,
        allow_private: bool = False,
    ) -> None:
        """``session``: use this one as it is (tests route it in-process); otherwise a new
        session refuses non-public addresses unless ``allow_private``."""
        self.timeout = timeout
        if session is None:
            session = requests.Session()
            if not allow_private:
                guard = PublicAddressesOnly()
                session.mount("http://", guard)
                session.mount("https://", guard)
        self.session = session
        self.session.headers["User-Agent"] = user_agent
        self.session.trust_env = False  # no proxies / netrc credentials leaking from the env
        self.session.max_redirects = 3

    def close(self) -> None:
        self.session.close()

    # -- low level -------------------------------------------------------------------

    def _request(
        self,
        method: str,
        url: str,
        *,
        limit: int,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        accept_4xx: bool = False,
    ) -> tuple[requests.Response, bytes]:
        check_url(url)
        try:
            response = self.session.request(
                method,
                url,
                data=data,
                headers=dict(headers or {}),
                timeout=self.timeout,
                stream=True,
                allow_redirects=method == "GET",
            )
        except requests.Timeout as exc:
            raise TransportError(f"timeout: {type(exc).__name__}") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise TransportError(f"connection failed: {type(exc).__name__}") from None
        except requests.RequestException as exc:
            raise DeliveryError(f"request failed: {type(exc).__name__}") from None
        with response:
            if response.url != url:
                check_url(response.url)  # redirect landed somewhere we would not fetch
            body = self._read(response, limit)
        status = response.status_code
        if status == 429 or status >= 500:
            raise HTTPStatusError(
                f"{method} {url[:200]} -> {status}",
                retryable=True,
                status=status,
                retry_after=_retry_after(response),
            )
        if status >= 400 and not accept_4xx:
            raise HTTPStatusError(
                f"{method} {url[:200]} -> {status}", retryable=False, status=status
            )
        if status >= 300 and status < 400:
            raise HTTPStatusError(
                f"{method} {url[:200]} -> {status}", retryable=False, status=status
            )
        return response, body

    @staticmethod
    def _read(response: requests.Response, limit: int) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise ResponseTooLarge(f"response declares {declared} bytes, limit {limit}")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise ResponseTooLarge(f"response exceeds {limit} bytes")
                chunks.append(chunk)
        except requests.Timeout:
            raise TransportError("timeout while reading response") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise TransportError(f"connection failed while reading: {type(exc).__name__}") from None
        return b"".join(chunks)

    def _get_json(self, url: str, limit: int = MAX_JSON_BYTES) -> Any:
        _, body = self._request("GET", url, limit=limit, headers={"Accept": JSON})
        try:
            return strict_json_loads(body)
        except ValueError as exc:
            raise BadResponse(f"{url[:200]} did not return JSON: {exc}") from None

    def _validated(self, name: str, doc: Any, url: str) -> None:
        try:
            schemas.validate_document(name, doc)
        except StatementError as exc:
            raise BadResponse(f"{url[:200]}: invalid {name} document: {exc.detail}") from None

    # -- protocol --------------------------------------------------------------------

    def discover(self, base_url: str) -> Discovery:
        """GET ``{origin}/.well-known/commonground`` and parse the discovery document."""
        url = origin_of(base_url) + WELL_KNOWN
        doc = self._get_json(url)
        self._validated("discovery", doc, url)
        groups = tuple(
            GroupInfo(g["id"], g["name"], g["jwks_uri"], g["outbox"], g["inbox"])
            for g in doc["groups"]
        )
        # A node only speaks for groups at its own origin: otherwise a compromised or
        # confused node could point us at someone else's keys or inbox.
        origin = origin_of(base_url)
        for group in groups:
            for value in (group.id, group.jwks_uri, group.outbox, group.inbox):
                if not same_origin(value, origin):
                    raise BadResponse(f"{url[:200]}: {value[:200]} is not at origin {origin}")
        return Discovery(doc["software"], doc["version"], doc["role"], groups, raw=doc)

    def probe(self, base_url: str) -> requests.Response:
        """GET ``{origin}/.well-known/commonground`` only to see that the node answers: a 2xx
        or 4xx response is returned (its status and headers, e.g. ``Date``, are the point);
        anything else raises a :class:`DeliveryError`."""
        url = origin_of(base_url) + WELL_KNOWN
        response, _ = self._request("GET", url, limit=1024 * 1024, accept_4xx=True)
        return response

    def fetch_jwks(self, uri: str) -> list[dict[str, Any]]:
        """GET a JWKS; returns its valid Ed25519 public keys (other keys are skipped).

        A usable key carries its ``kid`` (protocol §2: the RFC 7638 thumbprint), since callers
        find and pin keys by it: a key without one is skipped like any other unusable key, so
        a JWKS of such keys gives an empty list (a clean refusal), never a key without a kid.
        """
        doc = self._get_json(uri, limit=256 * 1024)
        if not isinstance(doc, dict) or not isinstance(doc.get("keys"), list):
            raise BadResponse(f"{uri[:200]} is not a JWKS document")
        found: list[dict[str, Any]] = []
        for jwk in doc["keys"][:MAX_JWKS_KEYS]:
            try:
                load_public_jwk(jwk)
            except InvalidKeyError:
                continue
            if not isinstance(jwk.get("kid"), str):
                continue
            found.append(dict(jwk))
        return found

    def fetch_outbox(self, url: str, after: int = 0, limit: int = 100) -> OutboxPage:
        """GET ``{outbox}?after=SEQ&limit=N`` -> compact statements with seq > after."""
        if after < 0 or not 1 <= limit <= 500:
            raise ValueError("after must be >= 0 and 1 <= limit <= 500")
        parts = urlsplit(check_url(url))
        query = "&".join(q for q in (parts.query, urlencode({"after": after, "limit": limit})) if q)
        full = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
        doc = self._get_json(full, limit=MAX_OUTBOX_BYTES)
        self._validated("outbox-page", doc, full)
        if len(doc["items"]) > limit:
            raise BadResponse(f"{full[:200]} returned more than {limit} items")
        return OutboxPage(tuple(doc["items"]), doc["next"])

    def post_inbox(self, url: str, compacts: Sequence[str]) -> InboxResult:
        """Deliver statements: one as ``application/jose``, several as a JSON batch.

        Returns the result for 2xx and non-retryable 4xx; raises DeliveryError
        (retryable) for timeouts, connection errors, 5xx and 429.
        """
        if not compacts:
            raise ValueError("nothing to deliver")
        if len(compacts) > MAX_BATCH:
            raise ValueError(f"at most {MAX_BATCH} statements per request")
        if len(compacts) == 1:
            return self._post(url, compacts[0].encode("ascii"), JOSE)
        body = json.dumps({"statements": list(compacts)}, separators=(",", ":")).encode("ascii")
        return self._post(url, body, JSON)

    def post_follow(self, url: str, signed_request: str) -> InboxResult:
        """POST a signed follow/unfollow request (``application/jose``) to an inbox."""
        return self._post(url, signed_request.encode("ascii"), JOSE)

    def fetch_text(self, url: str, limit: int = 64 * 1024) -> str:
        """GET a small UTF-8 text document (a transparency log's checkpoint or key)."""
        _, body = self._request("GET", url, limit=limit, headers={"Accept": "text/plain"})
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadResponse(f"{url[:200]} did not return UTF-8 text") from None

    def fetch_json(self, url: str, limit: int = MAX_JSON_BYTES) -> Any:
        """GET a JSON document (strictly parsed; its shape is the caller's to check)."""
        return self._get_json(url, limit)

    def post_text(self, url: str, text: str, content_type: str = "text/plain") -> InboxResult:
        """POST a small text body (a witness's cosignature) and read the JSON answer."""
        return self._post(url, text.encode("utf-8"), content_type)

    def _post(self, url: str, data: bytes, content_type: str) -> InboxResult:
        response, body = self._request(
            "POST",
            url,
            limit=64 * 1024,
            data=data,
            headers={"Content-Type": content_type, "Accept": JSON},
            accept_4xx=True,
        )
        try:
            doc = strict_json_loads(body) if body else {}
        except ValueError:
            doc = {}
        doc = doc if isinstance(doc, dict) else {}
        # Whatever the peer answers is untrusted: every member is type-checked here, so a reply
        # like ``400 {"index": "zz"}`` is an error to record, never an exception in the worker.
        error = doc.get("error")
        detail = doc.get("detail")
        index = doc.get("index")
        status = response.status_code
        if status >= 400 and not isinstance(error, str):
            error = f"http-{status}"
        return InboxResult(
            status=status,
            error=error[:100] if isinstance(error, str) else None,
            detail=str(detail)[:500] if detail is not None else None,
            body=doc,
            index=index if type(index) is int and 0 <= index <= MAX_BATCH else None,
        )
