"""What every view does the same way: a page of results, a CSV download, the form-post ritual.

A view names the object (``node.tenancy.get_or_404``), checks the form, calls one operation and
says what happened. The ritual around that call lives here:

- :func:`check_form` refuses a POST whose CSRF token is missing or stale (400, one sentence);
- :func:`submit` runs an operation for a valid form: on :class:`node.errors.Invalid` it rolls
  back, shows the reason (on the fields it names, else as a message) and returns None so the view
  shows the form again; on success it commits and returns the view's answer;
- :func:`done` commits, flashes and redirects after an action that needs no form page;
- :func:`form_page` renders a form page with 400 when it is shown again after a failed POST.

Other :class:`node.errors.OperationError`\\ s are not caught here: the app's handler turns them
into an error page (``node.errors``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, select
from werkzeug.wrappers import Response

from node import csv_export
from node.errors import Invalid
from node.extensions import db
from node.i18n import N_

T = TypeVar("T")
PAGE_SIZE = 25
FORM_EXPIRED = N_("The form expired; please try again.")
MAX_IDS = 5000


@dataclass(frozen=True)
class Page:
    """One page of a query's results; iterates as (items, page, pages, total) for templates."""

    items: Sequence[Any]
    page: int
    pages: int
    total: int

    def __iter__(self) -> Iterator[Any]:
        return iter((self.items, self.page, self.pages, self.total))

    def context(self, name: str) -> dict[str, Any]:
        """Template values: the items as ``name``, and ``page``, ``pages`` and ``total``."""
        return {name: self.items, "page": self.page, "pages": self.pages, "total": self.total}


def paginate(stmt: Select[Any], per_page: int = PAGE_SIZE, *, scalars: bool = True) -> Page:
    """Run ``stmt`` for the page named in ``?page=`` (out-of-range pages show the nearest one)."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(math.ceil(total / per_page), 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    window = stmt.limit(per_page).offset((page - 1) * per_page)
    items = db.session.scalars(window).all() if scalars else db.session.execute(window).all()
    return Page(items, page, pages, total)


def filters(*names: str, limit: int = 120) -> dict[str, str]:
    """The named query-string filters, trimmed and length-capped."""
    return {name: request.args.get(name, "").strip()[:limit] for name in names}


def csv_download(rows: Any, filename: str, *, private: bool = True) -> Response:
    """``rows`` (header first) as a CSV attachment, through the one formula-safe writer."""
    return csv_export.response(csv_export.to_csv(rows), filename, private=private)


def ids_from_form(name: str) -> set[int]:
    """The integer values of a multi-valued form field (checkboxes), at most 5,000."""
    return {int(v) for v in request.form.getlist(name)[:MAX_IDS] if v.isdigit()}


def check_form(form: FlaskForm | None = None) -> None:
    """Refuse a POST without a valid CSRF token (and valid fields, when ``form`` is given)."""
    if form is None:
        from node.forms import EmptyForm

        form = EmptyForm()
    if not form.validate_on_submit():
        abort(400, _(FORM_EXPIRED))


def show_invalid(form: FlaskForm | None, exc: Invalid) -> None:
    """Put an operation's refusal where the person will see it: on its fields, or as a message."""
    placed = False
    for name, message in exc.fields.items():
        field = getattr(form, name, None) if form is not None else None
        if field is not None:
            field.errors = [*field.errors, message]
            placed = True
    if not placed or exc.message not in exc.fields.values():
        flash(exc.message, "error")


def submit(form: FlaskForm, operation: Callable[[], T], answer: Callable[[T], Any]) -> Any | None:
    """For a valid POST of ``form``: run ``operation``, commit, return ``answer(result)``.

    None when the form is not submitted or not valid, or the operation refused the input
    (:class:`Invalid`, rolled back and shown): the view then shows the form again."""
    if not form.validate_on_submit():
        return None
    try:
        result = operation()
    except Invalid as exc:
        db.session.rollback()
        show_invalid(form, exc)
        return None
    db.session.commit()
    return answer(result)


def done(message: str, endpoint: str, category: str = "info", **values: Any) -> Response:
    """Commit, say what happened, and go to ``endpoint``."""
    db.session.commit()
    if message:
        flash(message, category)
    return redirect(url_for(endpoint, **values))


def form_page(template: str, **context: Any) -> tuple[str, int]:
    """A form page: 400 when shown again after a POST that did not go through."""
    return render_template(template, **context), 400 if request.method == "POST" else 200
