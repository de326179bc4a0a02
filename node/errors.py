"""The errors operations raise, and the one place each becomes a page, a JSON body or a CLI line.

An operation (a plain function in a room's ``operations`` module) raises one of these with a
sentence a person can act on; it never knows whether a page, an API client or a command called
it. :func:`init_app` installs the handler that rolls the session back and answers with the
status the class names: a page (``error.html``) for a browser, ``{"error", "detail"}`` for the
API paths, and ``node.commands`` turns them into a one-line message and exit status 1.

A view that re-shows a form with the reason (rather than an error page) catches
:class:`Invalid`; :func:`node.web.submit` does that for the common case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.wrappers import Response


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


HEADINGS = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict"}
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
            "error.html", code=exc.status, heading=HEADINGS[exc.status], detail=exc.message
        )
        response = make_response(page)
    response.status_code = exc.status
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(OperationError, _handle)
