"""The gentle close after a refused upload (node/lingering.py), on real TCP sockets: the answer
reaches the peer whole, a peer that hangs up is let go at once, and one that keeps sending is
drained rather than reset, within the bounds."""

from __future__ import annotations

import socket
import threading

from node import lingering
from node.lingering import LingeringCloseMiddleware


def _pair() -> tuple[socket.socket, socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())
        accepted, _ = server.accept()
    return accepted, client


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_peer_still_sending_gets_the_whole_answer_and_no_reset():
    node, peer = _pair()
    with node, peer:
        peer.sendall(b"x" * 200_000)  # a body the node never read, more than one drain read
        node.sendall(b"HTTP/1.1 413 Too Large\r\n\r\n")

        def rest_of_body() -> None:
            peer.sendall(b"y" * 3_000_000)
            peer.shutdown(socket.SHUT_WR)

        sent = threading.Thread(target=rest_of_body)
        sent.start()
        lingering.linger(node)  # drains until the peer has sent everything; never resets
        sent.join(timeout=30)
        assert not sent.is_alive()  # every byte the peer sent was taken, none refused
        assert _read_all(peer) == b"HTTP/1.1 413 Too Large\r\n\r\n"


def test_a_peer_that_hangs_up_is_let_go_without_draining(monkeypatch):
    node, peer = _pair()
    drained = []
    monkeypatch.setattr(lingering, "_drain_until_hangup", drained.append)
    with node, peer:
        peer.sendall(b"x" * 100_000)
        node.sendall(b"answer")
        assert peer.recv(100) == b"answer"
        peer.close()
        lingering.linger(node)
    assert drained == []


def test_only_bodies_over_the_limit_under_gunicorn_are_wrapped():
    def app(environ, start_response):
        start_response("200 OK", [])
        return [b"ok"]

    wrapped = LingeringCloseMiddleware(app, lambda: 1000)
    node, peer = _pair()
    with node, peer:
        over = {"CONTENT_LENGTH": "5000", "gunicorn.socket": node}
        assert wrapped(over, lambda *a: None).__class__.__name__ == "_LingeringBody"
        assert wrapped({**over, "CONTENT_LENGTH": "999"}, lambda *a: None) == [b"ok"]
        assert wrapped({"CONTENT_LENGTH": "5000"}, lambda *a: None) == [b"ok"]  # not gunicorn
        assert wrapped({**over, "CONTENT_LENGTH": "junk"}, lambda *a: None) == [b"ok"]
