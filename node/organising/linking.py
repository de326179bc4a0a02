"""What one room shows of another's items, as plain items built by the room that owns them.

Each kind has a provider slot in the registry (``node.rooms``): the owning room registers a
provider, the showing room asks every provider, and neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from node.rooms import rooms_of


@dataclass(frozen=True)
class Commitment:
    """A member's place at something: an action they signed up for, an event they are going to.

    ``rooms.commitments`` providers take ``(member, since)`` and return the member's active
    places at items that are not over by ``since`` (naive UTC), soonest first."""

    kind: str  # action | event
    id: int
    title: str
    local_start: datetime  # in the item's own time zone; the deadline when ``is_deadline``
    status: str
    page: str  # the path of the page about it (for a calendar entry)
    created_at: datetime
    place: str | None = None
    is_deadline: bool = False


@dataclass(frozen=True)
class EventLinks:
    """What an event can belong to: ``rooms.event_links`` providers take the group and return
    the event's column (``campaign_id``, ``programme_id``) and the (id, title) choices for it."""

    column: str
    choices: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class LinkedEvent:
    """An event that belongs to a campaign or programme, with who attended it.

    ``rooms.linked_events`` providers take ``(group_id, column, item_id)``, soonest first."""

    id: int
    title: str
    local_start: datetime
    place: str | None
    attended: frozenset[int]  # member ids


def collect(slot: list[Callable[..., list[Any]]], *args: Any) -> list[Any]:
    """Every provider's items for ``args``, in registration order."""
    return [item for provider in slot for item in provider(*args)]


def commitments(member: Any, since: datetime, kind: str) -> list[Commitment]:
    items: list[Commitment] = collect(rooms_of().commitments, member, since)
    return [c for c in items if c.kind == kind]


def event_links(group: Any) -> list[EventLinks]:
    return [provider(group) for provider in rooms_of().event_links]


def linked_events(group_id: int, column: str, item_id: int) -> list[LinkedEvent]:
    items: list[LinkedEvent] = collect(rooms_of().linked_events, group_id, column, item_id)
    return items
