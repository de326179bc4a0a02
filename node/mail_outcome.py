"""What a page says about the mail an action sent: only what happened.

``node.mail`` logs every attempt as ``sent``, ``failed`` or ``disabled`` (mail switched off on this
server, as on a demo). A message after an action must not say "everyone was e-mailed" when
nobody was: these sentences say who was told, who was not and what the officer can do about it.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app

from node.mail import MailLog

SWITCHED_OFF = "mail is switched off on this server"


def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_ENABLED", True))


def _people(count: int, whom: str) -> str:
    """``3 people``, ``1 person``; ``whom`` is a plural noun."""
    if count != 1:
        return f"{count} {whom}"
    return "1 person" if whom == "people" else f"1 {whom.removesuffix('s')}"


def told(sent: int, failed: int = 0, skipped: int = 0, whom: str = "people") -> str:
    """One sentence: how many of ``whom`` got the e-mail, how many did not, and why.

    ``sent`` counts the messages handed to the mail server (with mail switched off, the ones
    only logged: they are reported as not sent)."""
    total = sent + failed + skipped
    if total == 0:
        return f"Nobody was e-mailed: there were no {whom} to tell."
    if not mail_enabled():
        return f"Nobody was e-mailed: {SWITCHED_OFF}. Tell the {_people(total, whom)} yourself."
    parts = [f"{_people(sent, whom)} e-mailed" if sent else f"No {whom} e-mailed"]
    if failed:
        parts.append(f"{failed} could not be sent (see the send log)")
    if skipped:
        parts.append(
            f"{skipped} not e-mailed (no address or no consent to e-mail): tell them another way"
        )
    return "; ".join(parts) + "."


def told_by_log(entries: Iterable[MailLog], whom: str = "people") -> str:
    """:func:`told` from the send log rows an action wrote."""
    rows = list(entries)
    failed = sum(1 for e in rows if e.status == "failed")
    return told(len(rows) - failed, failed, whom=whom)
