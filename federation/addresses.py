"""Refusing to send federation requests to non-public addresses (SSRF).

Follow URLs, JWKS URIs, outboxes and inboxes come from officers and peers. Without this check a
node could be made to send requests to its own loopback services, its private network or a
cloud metadata address (169.254.169.254) and show or act on what comes back. The check runs
on the address the socket actually connected to, after DNS resolution, so a public name that
resolves (or re-resolves, "DNS rebinding") to a private address is refused too, before a byte
of the request is sent.

:class:`PublicAddressesOnly` is a ``requests`` transport adapter doing this;
``FederationClient`` mounts it unless told that private addresses are allowed (a local demo,
the test suite, a federation on a private network).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .errors import UnsafeURL

__all__ = ["PublicAddressesOnly", "is_public_address"]


def is_public_address(address: str) -> bool:
    """Is ``address`` (IPv4 or IPv6 text) globally routable unicast?

    Loopback, private (RFC 1918, fc00::/7), link-local, shared (100.64/10), documentation,
    reserved, unspecified and multicast addresses are not; an IPv4-mapped IPv6 address is
    judged as the IPv4 address it carries.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _public(sock: socket.socket) -> socket.socket:
    address = sock.getpeername()[0]
    if not is_public_address(address):
        sock.close()
        raise UnsafeURL(
            f"refusing to connect to {address}: not a public address "
            "(COMMONGROUND_ALLOW_PRIVATE_PEERS allows it on a private network)"
        )
    return sock


class _PublicHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _public(super()._new_conn())


class _PublicHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _public(super()._new_conn())


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class PublicAddressesOnly(HTTPAdapter):
    """A transport adapter whose connections refuse non-public peers (:class:`UnsafeURL`)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _PublicHTTPPool,
            "https": _PublicHTTPSPool,
        }
