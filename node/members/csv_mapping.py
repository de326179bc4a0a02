"""Reading the CSV files people actually have: encoding, separator and which column is which.

Spreadsheets save CSV in more ways than one. Excel writes UTF-8 with a byte-order mark ("CSV
UTF-8"), or the Windows code page ("CSV", Windows-1252 in Britain and western Europe), with
semicolons where the decimal separator is a comma; Google Sheets writes plain UTF-8 with CRLF;
LibreOffice writes UTF-8 and lets the person pick the separator. The tools groups move from
(NationBuilder, Action Network, mailing-list services) name their columns ``first_name``,
``email_address``, ``phone_number``, ``zip``, ``tags``.

* **Encoding**: strict UTF-8 first (a BOM is dropped): a file that decodes as UTF-8 almost
  certainly is UTF-8. Otherwise charset-normalizer ranks the encodings that decode the bytes
  cleanly. On a short file several code pages tie (``Zoë`` is the same bytes in cp1250, cp1252
  and cp1257), and its first pick can be a DOS code page nobody saves spreadsheets in, so among
  the candidates about as clean as its best we prefer the Windows code pages spreadsheets use,
  Windows-1252 first; failing that its best guess stands. The name of the encoding used is shown
  in the preview, so a wrong guess is visible before anything is stored.
* **Separator**: ``csv.Sniffer`` restricted to comma, semicolon, tab and bar; an Excel
  ``sep=;`` first line wins; when in doubt, comma.
* **Columns**: each source column is guessed from its header by :data:`SYNONYMS` and can be
  changed (a ``<select>`` per column on the web, ``--map source=target`` on the command line).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from node.errors import Invalid
from node.i18n import N_

IGNORE = ""  # the target of a column that is not imported
# Every target a column can be imported as, with the words the preview shows for it.
TARGETS: dict[str, str] = {
    "name": N_("Name (whole name)"),
    "first_name": N_("Name: given name(s)"),
    "last_name": N_("Name: family name"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "ward": N_("Ward or branch"),
    "union": N_("Trade union"),
    "workplace": N_("Workplace"),
    "joined": N_("Date joined"),
    "status": N_("Status (active/lapsed)"),
    "role": N_("Role (member/organiser/officer)"),
    "consent_email": N_("Agrees to e-mails (yes/no)"),
    "consent_phone": N_("Agrees to calls and texts (yes/no)"),
    "notes": N_("Add to the notes"),
    IGNORE: N_("Don't import"),
}
# Targets that several columns may feed: name parts are joined with spaces in column order,
# notes get one "Header: value" line per column.
MULTI = frozenset({"first_name", "last_name", "notes"})
# What a header (lower case, punctuation and spaces as "_") is guessed to be. A postcode or zip
# is not a ward (several wards share one postcode district), and tags have no field of their
# own: both go to the notes, where an officer sees them, unless the column is set to "Don't import".
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("full_name", "fullname", "member_name", "contact_name", "display_name"),
    "first_name": (
        "firstname",
        "first",
        "given_name",
        "given_names",
        "forename",
        "forenames",
        "middle_name",
        "first_names",
    ),
    "last_name": ("lastname", "last", "surname", "family_name"),
    "email": (
        "e_mail",
        "mail",
        "email_address",
        "e_mail_address",
        "emailaddress",
        "primary_email",
        "email1",
        "personal_email",
    ),
    "phone": (
        "phone_number",
        "telephone",
        "tel",
        "mobile",
        "mobile_number",
        "mobile_phone",
        "cell",
        "cell_phone",
        "phone1",
        "primary_phone",
    ),
    "ward": ("branch", "ward_name", "electoral_ward", "precinct", "precinct_name"),
    "union": ("trade_union", "union_name", "tu"),
    "workplace": ("employer", "work_place", "place_of_work", "company", "organisation"),
    "joined": (
        "joined_on",
        "join_date",
        "date_joined",
        "member_since",
        "membership_start",
        "membership_started_at",
    ),
    "status": ("membership_status", "member_status"),
    "role": ("member_role",),
    "consent_email": ("email_consent", "email_opt_in", "email_optin", "subscribed"),
    "consent_phone": ("phone_consent", "mobile_opt_in", "sms_opt_in", "phone_opt_in"),
    "notes": (
        "note",
        "comments",
        "tags",
        "tag_list",
        "zip",
        "zip_code",
        "zipcode",
        "postcode",
        "post_code",
        "postal_code",
    ),
}
_GUESS = {alias: target for target, aliases in SYNONYMS.items() for alias in (target, *aliases)}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
# Code pages spreadsheets save in, most likely first (see the module docstring).
PREFERRED = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "mac_roman")
CHAOS_TOLERANCE = 0.1
LABELS = {
    "utf_8": "UTF-8",
    "utf_16": "UTF-16",
    "cp1252": "Windows-1252",
    "cp1250": "Windows-1250",
    "cp1251": "Windows-1251",
    "cp1253": "Windows-1253",
    "cp1254": "Windows-1254",
    "cp1257": "Windows-1257",
    "mac_roman": "Mac Roman",
}


class MappingError(Invalid):
    """A ``--map`` argument that names no column or no target (the command's usage error)."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # as shown to a person: "UTF-8 (with BOM)", "Windows-1252"


def decode(data: bytes) -> Decoded:
    """The file's text and the encoding it was read as; ValueError says why it cannot be read."""
    if data.startswith(b"PK\x03\x04"):
        raise ValueError(
            "this is a spreadsheet workbook (.xlsx or .ods), not CSV: "
            "open it and save it as 'CSV UTF-8' (or CSV), then upload that"
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Decoded(data.decode("utf-16"), "UTF-16")
        except UnicodeDecodeError:
            pass
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        text = data[3:].decode("utf-8") if bom else data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return Decoded(text, "UTF-8 (with BOM)" if bom else "UTF-8")
    if b"\x00" in data:
        raise ValueError("the file holds binary data, not text: save it as 'CSV UTF-8'")
    encoding = guess_encoding(data)
    if encoding is None:
        raise ValueError(
            "cannot tell which character encoding the file uses: save it as 'CSV UTF-8' and "
            "try again"
        )
    return Decoded(data.decode(encoding), LABELS.get(encoding, encoding))


def guess_encoding(data: bytes) -> str | None:
    """charset-normalizer's pick, preferring a spreadsheet code page among near-equal candidates."""
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    for encoding in PREFERRED:
        for match in matches:
            if (
                encoding in match.could_be_from_charset
                and match.chaos <= best.chaos + CHAOS_TOLERANCE
            ):
                return encoding
    return str(best.encoding)


_SEP_LINE = re.compile(r"\A\ufeff?sep=(.)\r?\n", re.IGNORECASE)


def split_sep_line(text: str) -> tuple[str | None, str]:
    """Excel's optional first line ``sep=;``: its delimiter, and the text with that line blanked.

    The line is replaced by an empty line (skipped like any blank line), so line numbers in
    messages still match the file.
    """
    found = _SEP_LINE.match(text)
    if found is None or found.group(1) not in DELIMITERS:
        return None, text
    return found.group(1), "\n" + text[found.end() :]


def sniff_delimiter(text: str) -> str:
    """The separator of ``text``: comma, semicolon, tab or bar (comma when in doubt)."""
    lines = [line for line in text[:65536].splitlines() if line.strip()][:50]
    if not lines:
        return ","
    try:
        found = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        found = ","
    header = lines[0]
    if found not in header:  # a separator the header does not use is a misreading
        counts = {d: header.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        found = best if counts[best] else ","
    return found


def normalise(header: str) -> str:
    """``"E-mail Address "`` → ``"e_mail_address"``: the key :data:`SYNONYMS` is written in."""
    return re.sub(r"[^0-9a-z]+", "_", header.strip().lower()).strip("_")


def guess(headers: Sequence[str]) -> list[str]:
    """The target each column is guessed to be (:data:`IGNORE` when nothing fits).

    A single-valued target goes to its first matching column only; a whole-name column wins
    over given/family name columns, so the guess itself is always importable as far as columns go.
    """
    mapping: list[str] = []
    taken: set[str] = set()
    for header in headers:
        target = _GUESS.get(normalise(header), IGNORE)
        if target in taken and target not in MULTI:
            target = IGNORE
        taken.add(target)
        mapping.append(target)
    if "name" in mapping:
        mapping = [IGNORE if t in ("first_name", "last_name") else t for t in mapping]
    return mapping


def apply_overrides(headers: Sequence[str], mapping: list[str], pairs: Iterable[str]) -> list[str]:
    """``source=target`` pairs (``--map``) applied to ``mapping``; MappingError names a bad one.

    The source is a header of the file (case and surrounding spaces do not matter); the target
    is one of :data:`TARGETS`, or ``ignore`` / nothing to leave the column out.
    """
    result = list(mapping)
    keys = [h.strip().lower() for h in headers]
    for pair in pairs:
        source, sep, target = pair.partition("=")
        if not sep:
            raise MappingError(f"--map {pair!r}: write it as SOURCE=TARGET, e.g. zip=ignore")
        target = target.strip().lower()
        target = IGNORE if target in ("ignore", "none", "-") else target
        if target not in TARGETS:
            raise MappingError(
                f"--map {pair!r}: {target!r} is not something to import as; "
                f"choose one of {', '.join(t for t in TARGETS if t)} or ignore"
            )
        key = source.strip().lower()
        if key not in keys:
            raise MappingError(
                f"--map {pair!r}: the file has no column {source.strip()!r}; "
                f"its columns are {', '.join(h.strip() for h in headers)}"
            )
        result[keys.index(key)] = target
    return result


def problems(headers: Sequence[str], mapping: Sequence[str]) -> list[str]:
    """Why ``mapping`` cannot be imported (no e-mail column, a target chosen twice…)."""
    found: list[str] = []
    used: dict[str, list[str]] = {}
    for header, target in zip(headers, mapping, strict=True):
        if target != IGNORE:
            used.setdefault(target, []).append(header.strip() or "(no header)")
    if "email" not in used:
        found.append("no column is imported as the e-mail address")
    if not {"name", "first_name", "last_name"} & set(used):
        found.append("no column is imported as the name")
    if "name" in used and {"first_name", "last_name"} & set(used):
        found.append("choose either a whole-name column or given/family name columns, not both")
    for target, sources in used.items():
        if len(sources) > 1 and target not in MULTI:
            found.append(f"columns {' and '.join(sources)} are both imported as {target}")
    return found


def describe(headers: Sequence[str], mapping: Sequence[str]) -> list[str]:
    """One line per column, ``zip → notes``, as the CLI prints the mapping."""
    return [
        f"{header.strip() or '(no header)'} → {target or 'not imported'}"
        for header, target in zip(headers, mapping, strict=True)
    ]


def from_form(form: Mapping[str, str], limit: int = 1000) -> list[str] | None:
    """The mapping chosen in the preview's selects (``map-0`` …), or None if one is odd."""
    mapping: list[str] = []
    while len(mapping) < limit and (target := form.get(f"map-{len(mapping)}")) is not None:
        if target not in TARGETS:
            return None
        mapping.append(target)
    return mapping or None


_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?")
_NAMED = ("%d %B %Y", "%d %b %Y", "%d-%b-%Y", "%d-%B-%Y", "%B %d, %Y", "%b %d, %Y")


def parse_date(text: str) -> date:
    """A date written year first (``2021-03-04``, ``2021/03/04``, an ISO timestamp) or with the
    month's name (``4 March 2021``, ``04-Mar-2021``); ValueError for ``04/03/2021`` (ambiguous)."""
    if found := _ISO.fullmatch(text):
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    for pattern in _NAMED:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)
