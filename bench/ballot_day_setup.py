"""The fresh instance bench/ballot_day.py votes in, and the mail sink its voting links arrive at.

An :class:`Instance` is a temporary folder with the ``COMMONGROUND_*`` settings every process of
the run gets (the CLI, the ballot opening in the bench's own process, gunicorn), and with
``postgres`` a database of its own on the shared server, created on entry and dropped on exit
(whatever happened). :class:`MailSink` is an aiosmtpd server on a loopback port that keeps the
``/vote/<token>`` link of each mail by recipient, as a member would find it in their inbox.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import secrets
import socket
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
LINK = re.compile(r"(?P<base>https?://[^/\s]+)(?P<path>/vote/[A-Za-z0-9_-]+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _admin(sql: str) -> None:
    """Run CREATE/DROP DATABASE on the shared server (outside a transaction, as they must be)."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(sql)


class Instance:
    """A throwaway install: its folder, port, settings and (maybe) PostgreSQL database."""

    def __init__(self, folder: Path, smtp_port: int, postgres: bool) -> None:
        self.folder = folder
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database = f"ballot_day_{secrets.token_hex(4)}" if postgres else None
        self.kind = "PostgreSQL" if postgres else "SQLite"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("COMMONGROUND_")},
            # the processes run the tree this bench sits in, whichever checkout that is
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
            "COMMONGROUND_INSTANCE_PATH": str(folder),
            "COMMONGROUND_BASE_URL": self.base_url,
            "COMMONGROUND_SMTP_HOST": "127.0.0.1",
            "COMMONGROUND_SMTP_PORT": str(smtp_port),
            "COMMONGROUND_MAIL_FROM": "bench@bench.example.org",
        }
        if self.database:
            self.env["COMMONGROUND_DATABASE_URL"] = PG_SERVER + self.database

    def __enter__(self) -> Instance:
        if self.database:
            _admin(f'CREATE DATABASE "{self.database}"')
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.database:
            _admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


class _Handler:
    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        found = LINK.search(body.get_content() if body is not None else "")
        with self.sink.lock:
            for rcpt in envelope.rcpt_tos:
                if found:
                    self.sink.found[rcpt.lower()] = (found["base"], found["path"])
        return "250 Message accepted for delivery"


class MailSink:
    """An SMTP server keeping the newest voting link mailed to each address."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.lock = threading.Lock()
        self.found: dict[str, tuple[str, str]] = {}
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def links(self, base_url: str) -> dict[str, str]:
        """Recipient → the path of their voting link (links to another site are not ours)."""
        with self.lock:
            return {rcpt: path for rcpt, (base, path) in self.found.items() if base == base_url}
