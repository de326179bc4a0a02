"""Creating and listing groups (the tenants of an install)."""

from __future__ import annotations

import re
import unicodedata

from flask import current_app
from sqlalchemy import select

from node import signals
from node.errors import Conflict, Invalid, NotFound
from node.extensions import db
from node.forms import single_line_problem
from node.groups.models import ROLES, Group

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def slugify(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:63].strip("-") or "group"


def default_url(slug: str) -> str:
    base = current_app.config["BASE_URL"].rstrip("/")
    if current_app.config["TENANCY"] == "path":
        return f"{base}/g/{slug}"
    return base


def create_group(
    name: str,
    slug: str | None = None,
    url: str | None = None,
    role: str = "node",
    region: str | None = None,
) -> Group:
    name = name.strip()
    if not name or len(name) > 200:
        raise Invalid("A group needs a name of 1 to 200 characters.")
    if problem := single_line_problem(name):  # the name is the sender's name on every e-mail
        raise Invalid(f"The group's name: {problem}")
    slug = slug or slugify(name)
    if not SLUG_RE.match(slug):
        raise Invalid(f"Slug {slug!r} must be lower-case letters, digits and dashes.")
    if role not in ROLES:
        raise Invalid(f"Role must be one of {', '.join(ROLES)}.")
    url = (url or default_url(slug)).rstrip("/")
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", url):
        raise Invalid(f"URL {url!r} must be an http(s) address like https://walton.example.org")
    if db.session.scalar(select(Group).where(Group.slug == slug)):
        raise Conflict(f"A group with slug {slug!r} already exists.")
    if db.session.scalar(select(Group).where(Group.url == url)):
        raise Conflict(f"Another group already uses the URL {url}.")
    group = Group(name=name, slug=slug, url=url, role=role, region=region)
    db.session.add(group)
    db.session.flush()
    signals.send(signals.group_created, group=group)
    return group


def list_groups() -> list[Group]:
    return list(db.session.scalars(select(Group).order_by(Group.slug)))


def get_group(slug: str) -> Group:
    group = db.session.scalar(select(Group).where(Group.slug == slug))
    if group is None:
        known = ", ".join(g.slug for g in list_groups()) or "none yet"
        raise NotFound(f"No group with slug {slug!r} (groups here: {known}).")
    return group
