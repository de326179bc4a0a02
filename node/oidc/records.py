"""National membership records on the hub, their CSV import and the ``membership`` claim.

The import follows the node's roster import (node.members.csv_io): the whole file is checked
first; any bad row means nothing is stored, and the report names each bad line. Columns:
``name``, ``email``, ``member_since`` (required), ``status`` (good-standing or lapsed),
``paid_until`` (dues paid up to, YYYY-MM-DD) and ``groups`` (local groups, separated by ``;``).
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select

from node import clock
from node.audit import record
from node.extensions import db
from node.groups.models import Group
from node.members.csv_io import MAX_ROWS, ImportReport, RowError, decode
from node.members.models import Account, Member
from node.oidc.models import NATIONAL_STATUSES, NationalMember

COLUMNS = ("name", "email", "member_since", "status", "paid_until", "groups")
REQUIRED = ("name", "email", "member_since")
MAX_GROUPS = 20


@dataclass
class Row:
    line: int
    values: dict[str, Any]


def _date(raw: str, column: str, problems: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(
            _(
                "%(column)s %(value)s is not a date in the form YYYY-MM-DD",
                column=column,
                value=repr(raw),
            )
        )
        return None


def _validate(raw: dict[str, str]) -> tuple[list[str], dict[str, Any]]:
    problems: list[str] = []
    name = raw.get("name", "")
    if not name:
        problems.append(_("name is empty"))
    elif len(name) > 200:
        problems.append(_("name is longer than 200 characters"))
    email = raw.get("email", "")
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        problems.append(
            _("email %(email)s is not valid (%(error)s)", email=repr(email), error=exc)
            if email
            else _("email is empty")
        )
    since = _date(raw.get("member_since", ""), "member_since", problems)
    if since is None and not raw.get("member_since"):
        problems.append(_("member_since is empty"))
    status = (raw.get("status") or "good-standing").lower()
    if status not in NATIONAL_STATUSES:
        problems.append(
            _(
                "status %(status)s must be one of %(allowed)s",
                status=repr(status),
                allowed=", ".join(NATIONAL_STATUSES),
            )
        )
    groups = [part.strip() for part in raw.get("groups", "").split(";") if part.strip()]
    if len(groups) > MAX_GROUPS or any(len(part) > 200 for part in groups):
        problems.append(_("groups: at most %(max)s names of up to 200 characters", max=MAX_GROUPS))
    values = {
        "name": name,
        "email": email,
        "member_since": since,
        "status": status,
        "paid_until": _date(raw.get("paid_until", ""), "paid_until", problems),
        "local_groups": groups,
    }
    return problems, values


def parse(data: bytes) -> tuple[list[Row], list[RowError]]:
    try:
        text = decode(data)
    except ValueError as exc:
        return [], [RowError(1, str(exc))]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        names = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return [], [RowError(1, _("the file is empty; it needs a header row"))]
    except csv.Error as exc:
        return [], [RowError(1, _("cannot read the header row: %(error)s", error=exc))]
    errors = [
        RowError(1, _("unknown column %(column)s", column=repr(h)))
        for h in names
        if h and h not in COLUMNS
    ]
    errors += [
        RowError(1, _("the header has no '%(column)s' column", column=r))
        for r in REQUIRED
        if r not in names
    ]
    if len(set(names)) != len(names):
        errors.append(RowError(1, _("a column is repeated")))
    if errors:
        return [], errors
    rows: list[Row] = []
    seen: dict[str, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                errors.append(
                    RowError(line, _("too many rows (at most %(max)s per file)", max=MAX_ROWS))
                )
                break
            if len(cells) > len(names):
                errors.append(
                    RowError(
                        line,
                        _(
                            "%(fields)s fields but the header has %(columns)s",
                            fields=len(cells),
                            columns=len(names),
                        ),
                    )
                )
                continue
            problems, values = _validate({names[i]: c.strip() for i, c in enumerate(cells)})
            email = values["email"]
            if email in seen:
                problems.append(
                    _(
                        "e-mail %(email)s already appears on line %(line)s",
                        email=email,
                        line=seen[email],
                    )
                )
            seen.setdefault(email, line)
            errors += [RowError(line, p) for p in problems]
            rows.append(Row(line, values))
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, _("not valid CSV: %(error)s", error=exc)))
    return rows, errors


def import_national_members(hub: Group, data: bytes, actor: Member | None) -> ImportReport:
    """Create or update national records by e-mail; nothing at all if any row is wrong.

    A new record gets an install account (no password) when none exists, so the member can set a
    password through the hub's "forgotten password" page and then sign in to every node.
    """
    if not hub.is_hub:
        return ImportReport(
            errors=[RowError(1, _("%(group)s is not the national hub", group=hub.slug))]
        )
    rows, errors = parse(data)
    report = ImportReport(errors=errors)
    if errors:
        return report
    existing = {
        m.email: m
        for m in db.session.scalars(select(NationalMember).where(NationalMember.group_id == hub.id))
    }
    for row in rows:
        values = row.values
        rec = existing.get(values["email"])
        if rec is None:
            rec = NationalMember(group_id=hub.id, subject=secrets.token_urlsafe(24), **values)
            db.session.add(rec)
            existing[values["email"]] = rec
            report.created += 1
            _ensure_account(values["email"])
            continue
        changed = False
        for key, value in values.items():
            if getattr(rec, key) != value:
                setattr(rec, key, value)
                changed = True
        report.updated += changed
        report.unchanged += not changed
    db.session.flush()
    record(
        hub,
        actor,
        "import-national-members",
        None,
        f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}",
    )
    return report


def _ensure_account(email: str) -> None:
    found = db.session.scalar(select(Account).where(func.lower(Account.email) == email))
    if found is None:
        db.session.add(Account(email=email))


def record_for_account(hub: Group, account: Account) -> NationalMember | None:
    """The national record of ``account``'s address, only if the account has proven that address
    (node.members.models.Account): an account someone made from an invitation link for another
    person's address must not be handed that person's national identity (``sub``)."""
    if account.email_verified_at is None:
        return None
    return db.session.scalar(
        select(NationalMember).where(
            NationalMember.group_id == hub.id,
            NationalMember.email == account.email.strip().lower(),
        )
    )


def effective_status(rec: NationalMember, on: date | None = None) -> str:
    """Lapsed if the record says so, or if dues were paid only up to a day before ``on``."""
    on = on or clock.today()
    if rec.status == "lapsed" or (rec.paid_until is not None and rec.paid_until < on):
        return "lapsed"
    return "good-standing"


def membership_claim(rec: NationalMember) -> dict[str, Any]:
    """The ``membership`` claim: status, member since, dues paid until, local groups."""
    return {
        "status": effective_status(rec),
        "member_since": rec.member_since.isoformat(),
        "paid_until": rec.paid_until.isoformat() if rec.paid_until else None,
        "groups": list(rec.local_groups or []),
    }
