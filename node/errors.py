"""The errors operations raise, and the one place each becomes a page, a JSON body or a CLI line.

An operation (a plain function in a room's ``operations`` module) raises one of these with a
sentence a person can act on; it never knows whether a page, an API client or a command called
it. :func:`init_app` installs the handler that rolls the session back and answers with the
status the class names: a page (``error.html``) for a browser, ``{"error", "detail"}`` for the
API paths, and ``node.commands`` turns them into a one-line message and exit status 1.

A view that re-shows a form with the reason (rather than an error page) catches
:class:`Invalid`; :func:`node.web.submit` does that for the common case.

Storage trouble is not an operation's refusal but the server's: a full disk, a read-only
database, a database that is down or restarting. :func:`storage_trouble` names it in plain
words with what to do; the web answers it with a 503 page (JSON on API paths) and Retry-After,
after retrying an idempotent request once (a dropped connection is usually back at once:
``pool_pre_ping``), and ``node.commands`` ends a command with one line instead of a traceback.
The log gets the cause (the driver's message, never the SQL or its values).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DatabaseError, DataError, DBAPIError, IntegrityError
from werkzeug.wrappers import Response

from node.i18n import N_

log = logging.getLogger(__name__)


class OperationError(ValueError):
    """Something the caller asked for cannot be done; the message says why in plain words."""

    status: ClassVar[int] = 400
    name: ClassVar[str] = "invalid"

    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        # field name -> what is wrong with it, for forms that mark the field
        self.fields: dict[str, str] = dict(fields or {})


class Invalid(OperationError):
    """The input breaks a rule (400): the same request will fail again until it is changed."""


class Forbidden(OperationError):
    """The person may not do this (403)."""

    status = 403
    name = "forbidden"


class NotFound(OperationError):
    """What the request names does not exist, or not in this group (404)."""

    status = 404
    name = "not-found"


class Conflict(OperationError):
    """The request is fine but the state does not allow it now (409): already done, closed, …"""

    status = 409
    name = "conflict"


HEADINGS = {
    400: N_("Bad Request"),
    403: N_("Forbidden"),
    404: N_("Not Found"),
    409: N_("Conflict"),
}
API_PREFIXES = ("/api/", "/federation/", "/.well-known/")


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.path.startswith(
        API_PREFIXES
    )


def _handle(exc: OperationError) -> Response:
    from node.extensions import db

    db.session.rollback()
    if wants_json():
        body: dict[str, Any] = {"error": exc.name, "detail": exc.message}
        if exc.fields:
            body["fields"] = exc.fields
        response = jsonify(body)
    else:
        page = render_template(
            "error.html", code=exc.status, heading=_(HEADINGS[exc.status]), detail=exc.message
        )
        response = make_response(page)
    response.status_code = exc.status
    return response


class Trouble(NamedTuple):
    """Storage trouble in plain words: what happened, what the operator does, and the cause (the
    exception's kind and the driver's first line, safe to log and print)."""

    what: str
    fix: str
    cause: str


STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}
DISK_FULL = "free space on the server (old backups, `journalctl --vacuum-size=100M`) and try again"
RETRY_AFTER = 15  # seconds: a restarting database is back in a few; a full disk needs a person
UNAVAILABLE = N_(
    "The site cannot use its database just now, so nothing from this page was saved. Wait a "
    "minute and try again; if it keeps happening, tell whoever runs the site."
)
RETRIED = "commonground.database_retried"


def storage_trouble(exc: BaseException) -> Trouble | None:
    """What ``exc`` means if it is storage trouble (disk, database file, database server);
    None for anything else (a bug, a refused row: those keep their traceback)."""
    if isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS:
        where = f" ({exc.filename})" if exc.filename else ""
        cause = f"{type(exc).__name__}: {exc.strerror or exc}{where}"
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return Trouble("the disk is full", DISK_FULL, cause)
        if exc.errno == errno.EROFS:
            return Trouble("the disk is read-only", "remount it read-write and try again", cause)
        if exc.errno == errno.EIO:
            return Trouble("the disk failed to read or write", "check the disk (dmesg)", cause)
        return Trouble(
            "a file cannot be written by this user",
            "run the command as the service user (sudo -u commonground …)",
            cause,
        )
    if isinstance(exc, sqlite3.DatabaseError):  # the driver's own (backup uses it directly)
        if isinstance(exc, (sqlite3.IntegrityError, sqlite3.DataError)):
            return None
        orig: BaseException | None = exc
    elif not isinstance(exc, DatabaseError) or isinstance(exc, (IntegrityError, DataError)):
        return None
    else:
        orig = exc.orig if isinstance(exc, DBAPIError) else None
    message = (str(orig or exc).strip().splitlines() or [""])[0][:200]
    cause = f"{type(orig or exc).__name__}: {message}"
    text = message.lower()
    if "full" in text or "no space" in text:
        return Trouble("the disk is full", DISK_FULL, cause)
    if "disk i/o" in text:  # SQLite's word for a write the file system refused (often: full)
        return Trouble(
            "the database could not write to its disk",
            "check its free space (`df -h`) and the disk, then try again",
            cause,
        )
    if "readonly" in text or "read-only" in text:
        return Trouble(
            "the database is read-only",
            "check that its disk is mounted read-write and the service user owns the file",
            cause,
        )
    if "locked" in text or "busy" in text:
        return Trouble("the database is busy", "try again in a minute", cause)
    if "no such table" in text or "does not exist" in text:
        return Trouble("the database is not set up", "run `commonground db upgrade`", cause)
    if "unable to open" in text:
        return Trouble(
            "the database file cannot be opened",
            "check COMMONGROUND_DATABASE_URL and the folder's owner",
            cause,
        )
    if isinstance(exc, DBAPIError) and exc.connection_invalidated or "connect" in text:
        return Trouble(
            "the database cannot be reached (it may be restarting)",
            "check that it runs (`systemctl status postgresql`) and try again in a minute",
            cause,
        )
    return Trouble("the database refused the work", "run `commonground doctor` to see why", cause)


def _storage(exc: Exception) -> Response:
    """A 503 with Retry-After for storage trouble; an idempotent request is retried once first."""
    trouble = storage_trouble(exc)
    if trouble is None:
        raise exc  # not storage trouble: the usual 500 (and traceback in the log)
    from node.extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone: start a new session
        db.session.remove()
    where = f"{request.method} {request.path}"
    if request.method in ("GET", "HEAD") and not g.get(RETRIED):
        setattr(g, RETRIED, True)
        log.warning("%s: %s (%s); retrying once", where, trouble.what, trouble.cause)
        try:
            answer = current_app.preprocess_request()
            if answer is None:
                answer = current_app.dispatch_request()
        except Exception as again:  # noqa: BLE001 - answered as if the first attempt raised it
            answer = current_app.handle_user_exception(again)
        return current_app.make_response(answer)
    log.error("%s answered 503: %s (%s)", where, trouble.what, trouble.cause)
    for name in ("member", "account", "group"):  # the page's menu would read them from the
        g.pop(name, None)  # database it reports unavailable: a 500 in place of the 503
    if wants_json():
        response = jsonify({"error": "unavailable", "detail": UNAVAILABLE})
    else:
        response = make_response(render_template("errors/503.html", detail=_(UNAVAILABLE)))
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def size_in_words(limit: int) -> str:
    """A byte limit as people read it: "5 MB", "512 KB"."""
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):.3g} MB"
    return f"{max(1, limit // 1024)} KB"


def _too_large(exc: Exception) -> Response:
    """A request body over ``MAX_CONTENT_LENGTH`` (413): the app's own page saying the limit and
    what to do instead, not werkzeug's bare one (a CSV import is the usual cause)."""
    limit = size_in_words(int(current_app.config.get("MAX_CONTENT_LENGTH") or 0))
    if wants_json():
        detail = f"The request is larger than this server accepts ({limit})."
        response = jsonify({"error": "too-large", "detail": detail})
    else:
        response = make_response(render_template("errors/413.html", limit=limit))
    response.status_code = 413
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(413, _too_large)
    app.register_error_handler(OperationError, _handle)
    app.register_error_handler(DatabaseError, _storage)
    app.register_error_handler(OSError, _storage)
