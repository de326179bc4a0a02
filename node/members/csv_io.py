"""Member CSV import and export: a preview first, then all or nothing, naming each bad line.

Files come from Excel, Google Sheets, LibreOffice and the tools groups move from; how their
encoding, separator and columns are read is in :mod:`node.members.csv_mapping`. Blank lines,
stray spaces and columns in any order are accepted. :func:`preview` reads the whole file with a
column mapping and compares it with the roster (new, updated, unchanged, failing lines) without
writing anything; :func:`import_members` does the same and then writes, only if no line fails.

The export goes through :mod:`node.csv_export`, which puts a single quote before text that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``…); the import removes exactly that
one quote again, so export → import gives back the same values (a name really starting with
``'=`` is exported as ``''=`` and comes back unchanged).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select

from node import csv_export
from node.audit import record
from node.extensions import db
from node.forms import multi_line_problem, single_line_problem
from node.groups.models import Group
from node.members import csv_mapping
from node.members.models import ROLES, STATUSES, Member

COLUMNS = ("name", "email", "phone", "ward", "union", "workplace", "joined", "status", "role")
MAX_ROWS = 50_000
LIMITS = {"name": 200, "email": 254, "phone": 40, "ward": 120, "union": 120, "workplace": 200}
NOTES_LIMIT = 5000
SAMPLE_ROWS = 5
YES = frozenset({"yes", "y", "true", "1", "x", "✓", "subscribed", "opted in", "opt-in"})
NO = frozenset({"no", "n", "false", "0", "unsubscribed", "opted out", "opt-out"})
FIELD_OF = {"joined": "joined_on"}
# An empty phone cell keeps the stored number: the export leaves it empty without consent.
KEEP_WHEN_EMPTY = ("phone", "joined", "status", "role", "consent_email", "consent_phone")


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ParsedRow:
    line: int
    values: dict[str, object]


@dataclass
class ImportReport:
    """What the file holds and what importing it does (or did): the preview and the result."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ","
    headers: list[str] = field(default_factory=list)
    mapping: list[str] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    first_values: list[str] = field(default_factory=list)  # each column's first non-empty cell

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def failed(self) -> int:
        """Lines of data that fail (the header's own problems are not counted here)."""
        return len({e.line for e in self.errors if e.line > 1})

    @property
    def to_store(self) -> int:
        return self.created + self.updated

    @property
    def separator(self) -> str:
        return csv_mapping.DELIMITERS.get(self.delimiter, repr(self.delimiter))

    @property
    def ignored(self) -> list[str]:
        return [h for h, t in zip(self.headers, self.mapping, strict=False) if h.strip() and not t]

    @property
    def sample(self) -> list[ParsedRow]:
        return self.rows[:SAMPLE_ROWS]

    def signature(self) -> str:
        """What the officer saw: the mapping and the counts (confirm imports only the same)."""
        counts = f"{self.created},{self.updated},{self.unchanged},{len(self.rows)}"
        return "|".join([*self.mapping, counts])


def decode(data: bytes) -> str:
    """The text of an uploaded CSV (also read by the national roster import)."""
    return csv_mapping.decode(data).text


def read(
    data: bytes, mapping: Sequence[str] | None = None, overrides: Iterable[str] = ()
) -> ImportReport:
    """Check every row of ``data`` under ``mapping`` (guessed from the headers when None).

    ``overrides`` are ``source=target`` pairs applied on top (csv_mapping.MappingError for a
    bad one). Nothing touches the database.
    """
    report = ImportReport()
    try:
        decoded = csv_mapping.decode(data)
    except ValueError as exc:
        report.errors.append(RowError(1, str(exc)))
        return report
    report.encoding = decoded.encoding
    sep, text = csv_mapping.split_sep_line(decoded.text)
    report.delimiter = sep or csv_mapping.sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=report.delimiter)
    try:
        header = next(row for row in reader if any(cell.strip() for cell in row))
    except StopIteration:
        report.errors.append(
            RowError(1, _("the file is empty; it needs a header row naming the columns"))
        )
        return report
    except csv.Error as exc:
        report.errors.append(RowError(1, _("cannot read the header row: %(error)s", error=exc)))
        return report
    header_line = reader.line_num
    report.headers = [h.strip() for h in header]
    if mapping is None or len(mapping) != len(header):
        mapping = csv_mapping.guess(report.headers)
    report.mapping = csv_mapping.apply_overrides(report.headers, list(mapping), overrides)
    report.errors.extend(
        RowError(header_line, p) for p in csv_mapping.problems(report.headers, report.mapping)
    )
    if report.errors:
        return report
    _read_rows(reader, report)
    return report


def _read_rows(reader: Any, report: ImportReport) -> None:  # a csv.reader
    seen: dict[str, int] = {}
    width = len(report.headers)
    report.first_values = [""] * width
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(report.rows) >= MAX_ROWS:
                report.errors.append(
                    RowError(line, _("too many rows (at most %(count)s per file)", count=MAX_ROWS))
                )
                break
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                report.errors.append(
                    RowError(
                        line,
                        _(
                            "%(count)s fields but the header has %(width)s",
                            count=len(cells),
                            width=width,
                        ),
                    )
                )
                continue
            raw = [csv_export.unquote(cell.strip()).strip() for cell in cells[:width]]
            for index, value in enumerate(raw):
                if value and not report.first_values[index]:
                    report.first_values[index] = value[:80]
            problems, values = _validate(report.headers, report.mapping, raw)
            email = values.get("email")
            if isinstance(email, str) and email in seen:
                problems.append(
                    _(
                        "e-mail %(email)s already appears on line %(line)s",
                        email=email,
                        line=seen[email],
                    )
                )
            elif isinstance(email, str):
                seen[email] = line
            report.errors.extend(RowError(line, message) for message in problems)
            report.rows.append(ParsedRow(line, values))
    except csv.Error as exc:
        report.errors.append(RowError(reader.line_num, _("not valid CSV: %(error)s", error=exc)))


def parse(data: bytes) -> tuple[list[ParsedRow], list[RowError]]:
    """Every row of ``data`` under the guessed mapping, and every error (line numbers 1-based)."""
    report = read(data)
    return report.rows, report.errors


def _gather(
    headers: Sequence[str], mapping: Sequence[str], raw: Sequence[str]
) -> dict[str, list[tuple[str, str]]]:
    gathered: dict[str, list[tuple[str, str]]] = {}
    for index, target in enumerate(mapping):
        value = raw[index] if index < len(raw) else ""
        if target and value:
            gathered.setdefault(target, []).append((headers[index], value))
    return gathered


def _validate(
    headers: Sequence[str], mapping: Sequence[str], raw_cells: Sequence[str]
) -> tuple[list[str], dict[str, object]]:
    problems: list[str] = []
    gathered = _gather(headers, mapping, raw_cells)
    raw = {t: " ".join(v for _, v in pairs) for t, pairs in gathered.items() if t != "notes"}
    if "name" not in raw:
        raw["name"] = " ".join(p for p in (raw.get("first_name"), raw.get("last_name")) if p)
    values: dict[str, object] = {}
    for column, limit in LIMITS.items():
        value = raw.get(column, "")
        if len(value) > limit:
            problems.append(
                _("%(column)s is longer than %(limit)s characters", column=column, limit=limit)
            )
        elif problem := single_line_problem(value):  # a quoted cell can hold a line break
            problems.append(f"{column}: {problem[0].lower()}{problem[1:]}")
        values[column] = value or None
    if not raw.get("name"):
        problems.append(_("name is empty"))
    email = raw.get("email", "")
    if not email:
        problems.append(_("email is empty"))
    else:
        try:
            values["email"] = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            problems.append(
                _("email %(email)s is not valid (%(error)s)", email=repr(email), error=exc)
            )
    joined = raw.get("joined", "")
    values["joined"] = None
    if joined:
        try:
            values["joined"] = csv_mapping.parse_date(joined)
        except ValueError:
            problems.append(
                _(
                    "joined %(value)s is not a date in the form YYYY-MM-DD (a date like 04/03/2021"
                    " could be 4 March or 3 April: format the column as yyyy-mm-dd)",
                    value=repr(joined),
                )
            )
    for column, allowed in (("status", STATUSES), ("role", ROLES)):
        value = raw.get(column, "").lower()
        if value and value not in allowed:
            problems.append(
                _(
                    "%(column)s %(value)s must be one of %(allowed)s",
                    column=column,
                    value=repr(value),
                    allowed=", ".join(allowed),
                )
            )
        values[column] = value or None
    for column in ("consent_email", "consent_phone"):
        value = raw.get(column, "").lower()
        values[column] = True if value in YES else False if value in NO else None
        if value and values[column] is None:
            problems.append(
                _("%(column)s %(value)s must be yes or no", column=column, value=repr(value))
            )
    notes = [
        value if csv_mapping.normalise(header) in ("notes", "note") else f"{header}: {value}"
        for header, value in gathered.get("notes", [])
    ]
    text = "\n".join(notes)
    if len(text) > NOTES_LIMIT:
        problems.append(_("the notes are longer than %(count)s characters", count=NOTES_LIMIT))
    elif problem := multi_line_problem(text):
        problems.append(f"notes: {problem[0].lower()}{problem[1:]}")
    values["notes"] = notes
    return problems, values


def _changes(member: Member | None, values: dict[str, object]) -> dict[str, object]:
    """The attributes ``values`` would set on ``member`` (all of them for a new member)."""
    changes: dict[str, object] = {}
    for column in (*COLUMNS, "consent_email", "consent_phone"):
        if column == "email":
            continue
        value = values.get(column)
        if value is None and column in KEEP_WHEN_EMPTY:
            continue  # absent optional columns keep what the record has (or its default)
        attr = FIELD_OF.get(column, column)
        if member is None or getattr(member, attr) != value:
            changes[attr] = value
    given = values.get("notes")
    notes = [str(n) for n in given] if isinstance(given, list) else []
    have = (member.notes or "") if member is not None else ""
    new = [n for n in notes if n not in have.splitlines()]
    if new:  # imported notes are added once, never replacing what officers wrote
        changes["notes"] = "\n".join([have, *new] if have else new)
    return changes


def preview(
    group: Group, data: bytes, mapping: Sequence[str] | None = None, overrides: Iterable[str] = ()
) -> ImportReport:
    """:func:`read` plus the counts the import would give against the roster; stores nothing."""
    report = read(data, mapping, overrides)
    _apply(group, report, write=False)
    return report


def import_members(
    group: Group,
    data: bytes,
    actor: Member | None,
    mapping: Sequence[str] | None = None,
    overrides: Iterable[str] = (),
) -> ImportReport:
    """Validate the whole file, then create or update members by e-mail; nothing on any error."""
    return store(group, read(data, mapping, overrides), actor)


def store(group: Group, report: ImportReport, actor: Member | None) -> ImportReport:
    """Write what :func:`read` (or :func:`preview`) found, if nothing failed; counts as written."""
    if report.errors:
        return report
    _apply(group, report, write=True)
    db.session.flush()
    record(
        group,
        actor,
        "import-members",
        None,
        f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}"
        f" ({report.encoding}, {report.separator}-separated)",
    )
    return report


def _apply(group: Group, report: ImportReport, *, write: bool) -> None:
    """Count the rows that pass as created, updated or unchanged, and with ``write`` store them."""
    report.created = report.updated = report.unchanged = 0
    existing = {
        m.email: m
        for m in db.session.scalars(select(Member).where(Member.group_id == group.id))
        if m.email
    }
    failing = {error.line for error in report.errors}
    for row in report.rows:
        if row.line in failing:
            continue
        email = str(row.values["email"])
        member = existing.get(email)
        changes = _changes(member, row.values)
        if member is None:
            report.created += 1
        elif changes:
            report.updated += 1
        else:
            report.unchanged += 1
        if write:
            if member is None:
                member = existing[email] = Member(
                    group_id=group.id, email=email, name=row.values["name"]
                )
                db.session.add(member)
            for attr, value in changes.items():
                setattr(member, attr, value)


def roster_rows(group: Group) -> list[list[str]]:
    """The roster with the import's columns (header first), so export → import round-trips. A
    phone number is written only for members who agreed to be phoned (``consent_phone``)."""
    members = db.session.scalars(
        select(Member)
        .where(Member.group_id == group.id, Member.erased_at.is_(None))
        .order_by(Member.name, Member.id)
    )
    return [list(COLUMNS)] + [
        [
            m.name,
            m.email or "",
            (m.phone or "") if m.consent_phone else "",
            m.ward or "",
            m.union or "",
            m.workplace or "",
            m.joined_on.isoformat() if m.joined_on else "",
            m.status,
            m.role,
        ]
        for m in members
    ]


def export_members(group: Group) -> str:
    """The roster as CSV text (:func:`roster_rows`), as the command line writes it."""
    return csv_export.to_csv(roster_rows(group), lineterminator="\n")
