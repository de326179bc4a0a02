"""``commonground serve`` and the port check the demos share.

A busy port is found by binding it before anything else happens (no app built, nothing seeded),
and is reported as one sentence naming the port and how to pick another, instead of Python's
``OSError: [Errno 98]`` traceback. The bound socket is then handed to the server, so nothing can
take the port between the check and the serving.
"""

from __future__ import annotations

import errno
import socket
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from flask import Flask

from node.commands import load_app


def listen(host: str, port: int, how_to_change: str) -> socket.socket:
    """A listening socket on host:port, or a one-sentence error if the port is taken."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise click.ClickException(
                f"port {port} on {host} is already in use by another program: "
                f"stop that program or {how_to_change}."
            ) from None
        if exc.errno == errno.EACCES:
            raise click.ClickException(
                f"port {port} on {host} needs special privileges: {how_to_change}."
            ) from None
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def serve_app(app: Flask, sock: socket.socket) -> None:
    """Serve ``app`` with Werkzeug's threaded server on an already bound socket until Ctrl-C."""
    from werkzeug.serving import make_server

    host, port = sock.getsockname()[:2]
    server = make_server(host, port, app, threaded=True, fd=sock.fileno())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Run the development server (production: gunicorn node.wsgi:app)."""
    sock = listen(host, port, "pick another with --port N")
    app = load_app(ctx)
    click.echo(f"Serving on http://{host}:{port}/ (Ctrl-C to stop)")
    serve_app(app, sock)


COMMANDS = [serve]
