"""A group: the tenant. Every piece of group-owned data carries its ``group_id``."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from node import clock
from node.extensions import Model

ROLES = ("node", "hub")


class Group(Model):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Public base URL: links in e-mails, Host-based tenancy, and the group's federation identity.
    url: Mapped[str] = mapped_column(String(500), unique=True)
    role: Mapped[str] = mapped_column(String(10), default="node")
    region: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    # A published ballot's anonymised papers (BLT), counting rules and result are public, so
    # anyone can recount what the group's signed decision claims; a group may keep them for
    # members only (issue 20).
    results_public: Mapped[bool] = mapped_column(default=True, server_default="1")

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def port(self) -> int | None:
        return urlsplit(self.url).port

    @property
    def is_hub(self) -> bool:
        return self.role == "hub"

    def __repr__(self) -> str:
        return f"<Group {self.slug}>"
