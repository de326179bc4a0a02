"""The one place that sends e-mail: SMTP from configuration, and a send log officers can read.

Peers' users were burned by tools that silently never mailed voters; so every attempt is logged
with its outcome, and failures are reported rather than swallowed.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from node import clock
from node.extensions import db

log = logging.getLogger(__name__)


class MailLog(db.Model):
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
    to: str
    subject: str
    body: str
    category: str = "general"
    headers: dict[str, str] | None = None


def _connect() -> smtplib.SMTP:
    cfg = current_app.config
    smtp = smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=10)
    if cfg["SMTP_STARTTLS"]:
        smtp.starttls()
    if cfg["SMTP_USER"]:
        smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
    return smtp


def send_many(group, messages: list[Outgoing]) -> list[MailLog]:
    """Send messages over one SMTP connection; log each outcome. Commits nothing itself."""
    cfg = current_app.config
    sender_name = group.name if group is not None else "Commonground"
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
                    msg = EmailMessage()
                    msg["From"] = formataddr((sender_name, cfg["MAIL_FROM"]))
                    msg["To"] = item.to
                    msg["Subject"] = item.subject
                    msg["Message-ID"] = make_msgid(domain="commonground")
                    for key, value in (item.headers or {}).items():
                        msg[key] = value
                    msg.set_content(item.body)
                    try:
                        smtp.send_message(msg)
                        status, error = "sent", None
                    except smtplib.SMTPException as exc:
                        error = f"refused: {exc.__class__.__name__}"
            entry = MailLog(
                group_id=group.id if group is not None else None,
                recipient=item.to,
                subject=item.subject[:300],
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
