"""The one place that sends e-mail: SMTP from configuration, and a send log officers can read.

Peers' users were burned by tools that silently never mailed voters; so every attempt is logged
with its outcome, and failures are reported rather than swallowed.

Sending never raises for one bad message (a ballot title with a line break would make the
Subject header raise and stop every group's ballots). Header values are flattened to
one line here — defence in depth: forms and operations already refuse such text — and a message
that still cannot be built or sent is logged as failed while the others go out.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formataddr, make_msgid

from flask import current_app
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from node import clock
from node.extensions import Model, db

log = logging.getLogger(__name__)
# A recipient is one plain address: no display name, group, list, comment or whitespace.
_PLAIN_ADDRESS = re.compile(
    r"[^\s\x00-\x1f\x7f@,;:<>()\[\]\"\\]+@[^\s\x00-\x1f\x7f@,;:<>()\[\]\"\\]+"
)
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def header_text(value: str, limit: int = 300) -> str:
    """``value`` as a one-line header value: control characters and line or paragraph separators
    become spaces, bidi overrides go, runs of whitespace shrink to one space; at most ``limit``."""
    kept = []
    for ch in value:
        if ch in _BIDI_CONTROLS:
            continue
        kept.append(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch)
    return " ".join("".join(kept).split())[:limit]


def plain_address(value: str) -> bool:
    """True if ``value`` is one bare address that is safe in a To header."""
    return len(value) <= 254 and _PLAIN_ADDRESS.fullmatch(value) is not None


class MailLog(Model):
    """One row per e-mail the node tried to send (recipient, subject, outcome; never the body)."""

    __tablename__ = "mail_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(40), default="general")
    status: Mapped[str] = mapped_column(String(20))  # sent | failed | disabled
    error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive, index=True)


@dataclass
class Outgoing:
    """One message. ``body`` is the plain text; with ``html`` the message is
    multipart/alternative (plain text first, so a client that shows only one shows the HTML)."""

    to: str
    subject: str
    body: str
    category: str = "general"
    headers: dict[str, str] | None = None
    html: str | None = None


# Headers that a receiving system parses as one value: RFC 8058's one-click unsubscribe. Python's
# policies fold a long value and, when it holds no space to fold at, RFC 2047-encode it
# (``=?utf-8?q?=3Chttps=3A//…``), and the big mail providers then ignore the header.
UNFOLDED_HEADERS = frozenset({"list-unsubscribe", "list-unsubscribe-post"})


class _Policy(EmailPolicy):
    """The SMTP policy, but ``UNFOLDED_HEADERS`` are written verbatim on one line (their values
    are plain ASCII already flattened by :func:`header_text`; RFC 5322 allows 998 octets).

    ``max_line_length=None`` for the whole message is not an option: the body encoder compares
    line lengths with it and raises."""

    def _verbatim(self, name: str, value: str) -> str | None:
        text = str(value)
        if name.lower() not in UNFOLDED_HEADERS or not text.isascii():
            return None
        if any(ch in text for ch in "\r\n") or len(name) + 2 + len(text) > 998:
            return None
        return f"{name}: {text}{self.linesep}"

    def fold(self, name: str, value: str) -> str:
        line = self._verbatim(name, value)
        return line if line is not None else super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        line = self._verbatim(name, value)
        return line.encode("ascii") if line is not None else super().fold_binary(name, value)


POLICY = _Policy(linesep="\r\n")


def _connect() -> smtplib.SMTP:
    cfg = current_app.config
    smtp = smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=10)
    if cfg["SMTP_STARTTLS"]:
        smtp.starttls()
    if cfg["SMTP_USER"]:
        smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
    return smtp


def _message(sender: str, item: Outgoing) -> EmailMessage:
    """Build one message; raises ValueError if it cannot be made safe (a bad recipient)."""
    if not plain_address(item.to):
        raise ValueError("the recipient is not one plain e-mail address")
    msg = EmailMessage(policy=POLICY)
    msg["From"] = sender
    msg["To"] = item.to
    msg["Subject"] = header_text(item.subject)
    msg["Message-ID"] = make_msgid(domain="commonground")
    for key, value in (item.headers or {}).items():
        msg[key] = header_text(value, 998)
    msg.set_content(item.body)
    if item.html is not None:
        msg.add_alternative(item.html, subtype="html")
    return msg


def send_many(group, messages: list[Outgoing]) -> list[MailLog]:
    """Send messages over one SMTP connection; log each outcome. Commits nothing itself.

    Never raises for a message: one that cannot be built or sent is logged ``failed``."""
    cfg = current_app.config
    sender_name = header_text(group.name if group is not None else "Commonground", 200)
    entries: list[MailLog] = []
    smtp: smtplib.SMTP | None = None
    connect_error: str | None = None
    try:
        if cfg["MAIL_ENABLED"] and messages:
            try:
                smtp = _connect()
            except (OSError, smtplib.SMTPException) as exc:
                connect_error = f"cannot connect to SMTP server: {exc.__class__.__name__}"
                log.warning("mail: %s", connect_error)
        for item in messages:
            status, error = "disabled", None
            if cfg["MAIL_ENABLED"]:
                status, error = "failed", connect_error
                if smtp is not None:
                    try:
                        msg = _message(formataddr((sender_name, cfg["MAIL_FROM"])), item)
                    except (ValueError, TypeError) as exc:
                        error = f"not sent: {exc}"[:500]
                        log.warning("mail: message not built: %s", exc.__class__.__name__)
                    else:
                        try:
                            smtp.send_message(msg)
                            status, error = "sent", None
                        except (smtplib.SMTPException, OSError, ValueError) as exc:
                            error = f"refused: {exc.__class__.__name__}"
            entry = MailLog(
                group_id=group.id if group is not None else None,
                recipient=header_text(item.to, 254),
                subject=header_text(item.subject),
                category=item.category,
                status=status,
                error=error,
            )
            db.session.add(entry)
            entries.append(entry)
    finally:
        if smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                smtp.quit()
    return entries


def send(group, to: str, subject: str, body: str, category: str = "general") -> MailLog:
    return send_many(group, [Outgoing(to, subject, body, category)])[0]
