"""The web import's two steps: upload → preview (nothing stored) → "Import N members".

The preview shows the encoding and separator read, one ``<select>`` per column of the file (the
guessed target preselected), the failing lines with their reasons, and the counts against the
roster. The file travels with the page (node.members.forms.PayloadField) rather than being kept
on the server; the request size limit applies to both steps. The import button sends a digest
of the preview the officer saw; if the columns were changed, or the roster changed meanwhile,
the import does not run and the new preview is shown instead, so what is stored is always what
was last previewed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import (
    Response,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from node.extensions import db
from node.members import csv_io, csv_mapping
from node.members.forms import ImportForm, ImportPreviewForm, pack, upload_limits
from node.tenancy import current_group

MAX_ERRORS_SHOWN = 200
ROOM_FOR_FORM = 64 * 1024  # the preview form's other fields, within the request size limit


def digest(report: csv_io.ImportReport) -> str:
    return hashlib.sha256(report.signature().encode()).hexdigest()


def _page(report: csv_io.ImportReport | None, form: Any, status: int, **extra: Any) -> Response:
    response = make_response(
        render_template(
            "members/import.html",
            form=form,
            report=report,
            targets=csv_mapping.TARGETS,
            max_errors=MAX_ERRORS_SHOWN,
            limits=upload_limits(),
            **extra,
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"  # the preview shows members' details
    return response


def _preview_page(
    data: bytes, filename: str, report: csv_io.ImportReport, **extra: Any
) -> Response:
    form = ImportPreviewForm(formdata=None)
    form.payload.data = data
    form.filename.data = filename[:255]
    form.previewed.data = digest(report)
    return _page(report, form, 200 if report.ok else 422, upload=ImportForm(formdata=None), **extra)


def handle() -> ResponseReturnValue:
    """The view body of ``/members/import`` (GET: the upload form; POST: preview or import)."""
    group = current_group()
    if "payload" in request.form:
        form = ImportPreviewForm()
        if not form.validate_on_submit() or form.payload.data is None:
            flash(_("The file did not come through from the preview: upload it again."), "error")
            return _page(None, ImportForm(formdata=None), 400)
        data: bytes = form.payload.data
        filename = form.filename.data or _("the file")
        report = csv_io.preview(group, data, csv_mapping.from_form(request.form))
        if request.form.get("action") != "import":
            return _preview_page(data, filename, report)
        if not report.ok or digest(report) != form.previewed.data:
            return _preview_page(data, filename, report, changed=True)
        result = csv_io.store(group, report, g.member)  # the report just previewed, unchanged
        db.session.commit()
        flash(
            _(
                "Imported from %(file)s: %(created)s new, %(updated)s updated, "
                "%(unchanged)s unchanged.",
                file=filename,
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
            ),
            "info",
        )
        return redirect(url_for("members.roster"))
    upload = ImportForm()
    if upload.validate_on_submit():
        data = upload.file.data.read()
        filename = upload.file.data.filename or "the file"
        limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
        if limit and len(pack(data)) > limit - ROOM_FOR_FORM:
            upload.file.errors = [
                "This file is too large to check in the browser: split it into smaller files, "
                "or ask the administrator to run `commonground members import`."
            ]
            return _page(None, upload, 413)
        return _preview_page(data, filename, csv_io.preview(group, data))
    status = 400 if request.method == "POST" else 200
    return _page(None, upload, status)
