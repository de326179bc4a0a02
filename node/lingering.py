"""A refused upload's connection is closed gently, so the proxy in front passes the 413 page on.

When the node answers 413 from a body's declared length, most of the body is still on its way.
Gunicorn then drains at most 64 KB and closes the socket with the rest unread, which makes the
kernel send a reset. Caddy, still writing the body upstream, can see that reset ("broken pipe")
before it has read the answer, and shows the uploader a bare 502 instead of the app's page
(about one upload in twelve on loopback).

So, for a response to a body the app did not read, the socket's write side is shut down after
the response (the answer is on its way, whole) and the node waits for the peer to hang up:

- first without reading, for ``HANGUP_WAIT`` seconds. A proxy that has the answer closes its
  upstream connection within milliseconds, and nothing it still writes can fail before then.
- then, for a client that sends its whole body before reading (curl, a script), by reading and
  discarding what arrives until it hangs up, for at most ``DRAIN_SECONDS`` and ``DRAIN_BYTES``.

Only gunicorn hands the app its socket (``gunicorn.socket``); under any other server this does
nothing. A thread waits at most ``HANGUP_WAIT + DRAIN_SECONDS`` per refused upload.
"""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from werkzeug.wsgi import get_content_length

HANGUP_WAIT = 0.5
DRAIN_SECONDS = 2.0
DRAIN_BYTES = 32 * 1024 * 1024
_RDHUP = getattr(select, "POLLRDHUP", 0)  # Linux only


def _peer_hung_up(sock: socket.socket, seconds: float) -> bool:
    """Whether the peer closes within ``seconds``, without reading what it sent."""
    if not _RDHUP:
        return False  # unread data keeps the socket readable: go straight to draining
    poller = select.poll()
    poller.register(sock, _RDHUP | select.POLLHUP | select.POLLERR)
    return bool(poller.poll(seconds * 1000))


def _drain_until_hangup(sock: socket.socket) -> None:
    deadline = time.monotonic() + DRAIN_SECONDS
    drained = 0
    while drained < DRAIN_BYTES:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        sock.settimeout(remaining)
        chunk = sock.recv(65536)
        if not chunk:
            return
        drained += len(chunk)


def linger(sock: socket.socket) -> None:
    """Half-close after a sent response and wait (bounded) for the peer to close its side."""
    try:
        sock.shutdown(socket.SHUT_WR)
        if not _peer_hung_up(sock, HANGUP_WAIT):
            _drain_until_hangup(sock)
    except OSError:
        return  # the peer is already gone: nothing left to protect


class _LingeringBody:
    """The app's response body, with the gentle close added after the server has sent it all."""

    def __init__(self, body: Iterable[bytes], sock: socket.socket) -> None:
        self._body = body
        self._sock = sock

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            linger(self._sock)


class LingeringCloseMiddleware:
    """Wrap a WSGI app so a response to a body over the upload limit closes gently (see module)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], limit: Callable[[], int | None]):
        self._app = app
        self._limit = limit

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        body = self._app(environ, start_response)
        sock = environ.get("gunicorn.socket")
        limit = self._limit()
        if sock is None or not limit or (get_content_length(environ) or 0) <= limit:
            return body
        return _LingeringBody(body, sock)
