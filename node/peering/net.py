"""The node's handle on outgoing federation HTTP (always :mod:`federation.client`), and the
question whether a hub vouches for a key (:func:`trusted_via_registry`).

Tests replace :data:`client_factory` to route requests to an in-process app.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from flask import current_app, has_app_context

from federation.client import FederationClient
from node import signals

TIMEOUT = (3.05, 10.0)


def allow_private() -> bool:
    """COMMONGROUND_ALLOW_PRIVATE_PEERS: may outgoing requests reach non-public addresses?"""
    return has_app_context() and bool(current_app.config.get("ALLOW_PRIVATE_PEERS"))


def new_client(timeout: tuple[float, float] = TIMEOUT) -> FederationClient:
    """A federation client that refuses non-public addresses unless this install allows them."""
    return FederationClient(
        timeout=timeout, user_agent="commonground-node/0.1", allow_private=allow_private()
    )


def _default_client() -> FederationClient:
    return new_client()


client_factory: Callable[[], FederationClient] = _default_client


def client() -> FederationClient:
    return client_factory()


def trusted_via_registry(group_id: int, url: str, thumbprint: str) -> bool:
    """Does the signed registry of a hub that group ``group_id`` joined vouch for ``thumbprint``
    as a key of group ``url``? Trust is per group: another group's hub links never count.

    Asked with the ``key_vouched`` signal (the hub room answers); unanswered, no key is
    trusted without a person.
    """
    answers = signals.send(signals.key_vouched, group_id=group_id, url=url, thumbprint=thumbprint)
    return any(answers)


def origin(url: str) -> str:
    """scheme://host:port of ``url`` (the unit of the circuit breaker and of same-origin checks)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.lower(), "", "", ""))
