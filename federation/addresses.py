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

__all__ = ["PublicAddressesOnly", "embedded_ipv4", "is_public_address"]


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix: v4 in the last 32 bits
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215 local use: not global
_V4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated IPv4-compatible ::a.b.c.d


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a translating or tunnelling IPv6 address reaches, if any.

    IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4
    (2002:AABB:CCDD::/48) addresses end at an IPv4 host: judging only the IPv6 form would let
    64:ff9b::7f00:1 or 2002:7f00:1:: reach 127.0.0.1. (Teredo, 2001::/32, is never public.)
    """
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or ip in _V4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    """Is ``address`` (IPv4 or IPv6 text) globally routable unicast?

    Loopback, private (RFC 1918, fc00::/7), link-local, shared (100.64/10), documentation,
    reserved, unspecified and multicast addresses are not; an IPv6 address that carries an IPv4
    address (:func:`embedded_ipv4`) is public only if that IPv4 address is too, and the NAT64
    local-use prefix 64:ff9b:1::/48 (whose embedding only its operator knows) never is.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return False
        inner = embedded_ipv4(ip)
        if inner is not None:
            return inner.is_global and not inner.is_multicast
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
