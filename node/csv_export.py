"""The one CSV writer of the app: every export goes through :func:`to_csv` / :func:`response`.

Spreadsheet formula injection: a cell that starts with ``= + - @``, a tab or a carriage return
is run as a formula by Excel, LibreOffice and Google Sheets when an officer opens the export
(``=HYPERLINK(…)`` in a member's name can send the roster's next cells to a stranger). As OWASP
advises, such a text cell is written with a leading single quote, which spreadsheets show as
text and do not evaluate. Numbers (Python ``int``/``float``) are written as they are: a
negative number is not a formula.

A text that already starts with quotes before a dangerous character gets one more quote, so
:func:`unquote` (used by the roster import) undoes exactly one and an exported roster
re-imports to the same values. ``tests/security/test_csv_exports.py`` requests every CSV route
and checks that no module writes CSV any other way.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from flask import Response

# The formula triggers (OWASP "CSV Injection") and their full-width forms, which some
# spreadsheets normalise before parsing.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_NEEDS_QUOTE = re.compile("'*[" + re.escape("".join(DANGEROUS)) + "]")


def cell(value: Any) -> Any:
    """``value`` as safe to put in a spreadsheet cell (text that could start a formula is quoted)."""
    if isinstance(value, str) and _NEEDS_QUOTE.match(value):
        return "'" + value
    return value


def unquote(value: str) -> str:
    """Undo :func:`cell` on an imported text: drop the one quote it added, nothing else."""
    if value.startswith("'") and _NEEDS_QUOTE.match(value, 1):
        return value[1:]
    return value


def to_csv(rows: Iterable[Iterable[Any]], *, lineterminator: str = "\r\n") -> str:
    """Rows (the header first) as CSV text, every cell through :func:`cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue()


def response(body: str, filename: str, *, private: bool = True) -> Response:
    """A CSV download; ``private`` (member data) also tells browsers and proxies not to keep it."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if private:
        headers["Cache-Control"] = "no-store"
    return Response(body, mimetype="text/csv", headers=headers)
