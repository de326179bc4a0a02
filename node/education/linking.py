"""What the education room shows on other rooms' pages: the programmes an event can be a
session of (the event form)."""

from __future__ import annotations

from sqlalchemy import select

from node.education.models import Programme
from node.extensions import db
from node.groups.models import Group
from node.organising.linking import EventLinks


def event_links(group: Group) -> EventLinks:
    programmes = db.session.execute(
        select(Programme.id, Programme.title)
        .where(Programme.group_id == group.id)
        .order_by(Programme.title)
    )
    return EventLinks("programme_id", [(i, title) for i, title in programmes])
