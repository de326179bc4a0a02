"""Member CSV import and export: all or nothing, with a report that names each bad line.

Spreadsheet exports arrive with a BOM, columns in any order, stray spaces and blank lines; all of
that is accepted. The export goes through :mod:`node.csv_export`, which puts a single quote before
text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``…); the import removes
exactly that one quote again, so export → import gives back the same values (a name really
starting with ``'=`` is exported as ``''=`` and comes back unchanged). Anything else wrong with any row means nothing is imported, and the report
gives the line number in the file and the reason, so an officer can fix the file and retry.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from node import csv_export
from node.audit import record
from node.extensions import db
from node.forms import single_line_problem
from node.groups.models import Group
from node.members.models import ROLES, STATUSES, Member

COLUMNS = ("name", "email", "phone", "ward", "union", "workplace", "joined", "status", "role")
REQUIRED = ("name", "email")
MAX_ROWS = 50_000
LIMITS = {"name": 200, "email": 254, "phone": 40, "ward": 120, "union": 120, "workplace": 200}


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ParsedRow:
    line: int
    values: dict[str, object]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"the file is not UTF-8 text (byte {exc.start}); save it as 'CSV UTF-8' and try again"
        ) from None


def parse(data: bytes) -> tuple[list[ParsedRow], list[RowError]]:
    """Validate every row; return the parsed rows and every error found (line numbers 1-based)."""
    try:
        text = _decode(data)
    except ValueError as exc:
        return [], [RowError(1, str(exc))]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(1, "the file is empty; it needs a header row with name and email")]
    except csv.Error as exc:
        return [], [RowError(1, f"cannot read the header row: {exc}")]
    names = [h.strip().lower() for h in header]
    errors: list[RowError] = []
    unknown = [h for h in names if h and h not in COLUMNS]
    if unknown:
        errors.append(
            RowError(1, f"unknown column(s) {', '.join(unknown)}; known: {', '.join(COLUMNS)}")
        )
    for required in REQUIRED:
        if required not in names:
            errors.append(RowError(1, f"the header has no '{required}' column"))
    dupes = {h for h in names if h and names.count(h) > 1}
    if dupes:
        errors.append(RowError(1, f"column(s) repeated: {', '.join(sorted(dupes))}"))
    if errors:
        return [], errors
    rows: list[ParsedRow] = []
    seen: dict[str, int] = {}
    try:
        for record_ in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record_):
                continue
            if len(rows) >= MAX_ROWS:
                errors.append(RowError(line, f"too many rows (at most {MAX_ROWS} per file)"))
                break
            if len(record_) > len(names):
                errors.append(
                    RowError(line, f"{len(record_)} fields but the header has {len(names)}")
                )
                continue
            raw = {
                names[i]: csv_export.unquote(cell.strip()).strip()
                for i, cell in enumerate(record_)
                if names[i]
            }
            row_errors, values = _validate(raw)
            email = values.get("email")
            if isinstance(email, str) and email in seen:
                row_errors.append(f"e-mail {email} already appears on line {seen[email]}")
            elif isinstance(email, str):
                seen[email] = line
            errors.extend(RowError(line, message) for message in row_errors)
            rows.append(ParsedRow(line, values))
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, f"not valid CSV: {exc}"))
    return rows, errors


def _validate(raw: dict[str, str]) -> tuple[list[str], dict[str, object]]:
    problems: list[str] = []
    values: dict[str, object] = {}
    for column, limit in LIMITS.items():
        value = raw.get(column, "")
        if len(value) > limit:
            problems.append(f"{column} is longer than {limit} characters")
        elif problem := single_line_problem(value):  # a quoted cell can hold a line break
            problems.append(f"{column}: {problem[0].lower()}{problem[1:]}")
        values[column] = value or None
    if not raw.get("name"):
        problems.append("name is empty")
    email = raw.get("email", "")
    if not email:
        problems.append("email is empty")
    else:
        try:
            values["email"] = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            problems.append(f"email {email!r} is not valid ({exc})")
    joined = raw.get("joined", "")
    if joined:
        try:
            values["joined"] = date.fromisoformat(joined)
        except ValueError:
            problems.append(f"joined {joined!r} is not a date in the form YYYY-MM-DD")
    status = raw.get("status", "").lower()
    if status and status not in STATUSES:
        problems.append(f"status {status!r} must be one of {', '.join(STATUSES)}")
    values["status"] = status or None
    role = raw.get("role", "").lower()
    if role and role not in ROLES:
        problems.append(f"role {role!r} must be one of {', '.join(ROLES)}")
    values["role"] = role or None
    return problems, values


FIELD_OF = {"joined": "joined_on"}


def import_members(group: Group, data: bytes, actor: Member | None) -> ImportReport:
    """Validate the whole file, then create or update members by e-mail; nothing on any error."""
    rows, errors = parse(data)
    report = ImportReport(errors=errors)
    if errors:
        return report
    existing = {
        m.email: m
        for m in db.session.scalars(select(Member).where(Member.group_id == group.id))
        if m.email
    }
    for row in rows:
        email = row.values["email"]
        member = existing.get(email)  # type: ignore[arg-type]
        if member is None:
            member = Member(group_id=group.id, email=email, name=row.values["name"])
            _apply(member, row.values)
            db.session.add(member)
            existing[email] = member  # type: ignore[index]
            report.created += 1
        elif _apply(member, row.values):
            report.updated += 1
        else:
            report.unchanged += 1
    db.session.flush()
    record(
        group,
        actor,
        "import-members",
        None,
        f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}",
    )
    return report


def _apply(member: Member, values: dict[str, object]) -> bool:
    changed = False
    for column in COLUMNS:
        if column == "email":
            continue
        value = values.get(column)
        if value is None and column in ("joined", "status", "role"):
            continue  # absent optional columns keep what the record has (or its default)
        attr = FIELD_OF.get(column, column)
        if getattr(member, attr) != value:
            setattr(member, attr, value)
            changed = True
    return changed


def export_members(group: Group) -> str:
    """The roster as CSV, with the import's columns, so export → import round-trips."""
    rows: list[list[str]] = [list(COLUMNS)]
    members = db.session.scalars(
        select(Member)
        .where(Member.group_id == group.id, Member.erased_at.is_(None))
        .order_by(Member.name, Member.id)
    )
    for m in members:
        rows.append(
            [
                m.name,
                m.email or "",
                m.phone or "",
                m.ward or "",
                m.union or "",
                m.workplace or "",
                m.joined_on.isoformat() if m.joined_on else "",
                m.status,
                m.role,
            ]
        )
    return csv_export.to_csv(rows, lineterminator="\n")
