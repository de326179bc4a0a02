"""Which group a request belongs to, and the one helper every group-owned query goes through.

Two ways to share an install between groups: by Host name (each group has its own domain; the
host of ``Group.url`` selects it) or by path prefix ``/g/<slug>/`` (``COMMONGROUND_TENANCY=path``).
In path mode a small WSGI middleware moves the prefix into ``SCRIPT_NAME``, so ``url_for`` builds
prefixed links and the views never see the prefix. An install with one group serves it whatever
the Host, so ``http://127.0.0.1:PORT/`` just works.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from flask import abort, g, request
from sqlalchemy import Select, select

from node.extensions import Model, db
from node.groups.models import Group

M = TypeVar("M", bound=Model)
_PREFIX = re.compile(r"^/g/([a-z0-9][a-z0-9-]{0,62})(/.*)?$")
ENVIRON_SLUG = "commonground.group_slug"


class PathPrefixMiddleware:
    """Route ``/g/<slug>/…`` to the app with ``SCRIPT_NAME`` ending in the prefix."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        match = _PREFIX.match(environ.get("PATH_INFO", ""))
        if match:
            slug, rest = match.group(1), match.group(2) or "/"
            environ[ENVIRON_SLUG] = slug
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + f"/g/{slug}"
            environ["PATH_INFO"] = rest
        return self.app(environ, start_response)


def _single_group() -> Group | None:
    groups = db.session.scalars(select(Group).limit(2)).all()
    return groups[0] if len(groups) == 1 else None


def resolve_group() -> Group | None:
    """Find the group of the current request (``None`` for install-level pages)."""
    slug = request.environ.get(ENVIRON_SLUG)
    if slug is not None:
        return db.session.scalar(select(Group).where(Group.slug == slug))
    host = (request.host.rsplit(":", 1)[0] if ":" in request.host else request.host).lower()
    host = host.strip("[]")
    port = request.host.rsplit(":", 1)[1] if ":" in request.host.lstrip("[") else None
    candidates = [grp for grp in db.session.scalars(select(Group)) if grp.host == host]
    if len(candidates) > 1 and port:
        exact = [grp for grp in candidates if str(grp.port) == port]
        candidates = exact or candidates
    if len(candidates) == 1:
        return candidates[0]
    return _single_group()


def current_group() -> Group:
    """The request's group, or 404 when the request did not name one."""
    group = g.get("group")
    if group is None:
        abort(404, "No group here. Check the address.")
    return group


def scoped(model: type[M]) -> Select[M]:
    """``select(model)`` limited to the current group: the start of every group-owned query."""
    return select(model).where(model.__table__.c.group_id == current_group().id)


def get_or_404(model: type[M], ident: int) -> M:
    """Fetch one row of the current group; another group's row is simply not found."""
    obj = db.session.scalar(scoped(model).where(model.__table__.c.id == ident))
    if obj is None:
        abort(404)
    return obj


def group_url(group: Group, path: str) -> str:
    """Absolute URL of ``path`` on ``group``'s public site (for e-mails and federation)."""
    return group.url.rstrip("/") + "/" + path.lstrip("/")
