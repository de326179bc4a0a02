"""What one room shows of another's items, as plain items built by the room that owns them.

Each kind has a provider slot in the registry (``node.rooms``): the owning room registers a
provider, the showing room asks every provider, and neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select

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


@dataclass(frozen=True)
class Segments:
    """One kind of newsletter segment a room defines from its records (who attended an event),
    from a ``rooms.digest_sections`` provider called with the group.

    ``kind`` is stored with the newsletter and each segment's value is the id of the room's row
    it is about, so a choice reads ``"<heading>: <title>"`` and is stored as ``kind:id``.
    """

    kind: str
    heading: str
    choices: Callable[[], list[tuple[int, str]]]  # (id, title) of each, in the order offered
    members: Callable[[int], Select[int]]  # the ids of the members in the segment of one id


@dataclass(frozen=True)
class PublicEvent:
    """An event the group shows everyone, with its times in the event's own zone."""

    id: int
    title: str
    kind: str
    local_start: datetime
    local_end: datetime
    place: str | None = None
    online_url: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class PublicCampaign:
    title: str
    status: str
    summary: str = ""
    partner_list: tuple[str, ...] = ()


@dataclass(frozen=True)
class PublicListing:
    """What one room shows on the group's public home page (a ``rooms.public_listings``
    provider's answer for the group)."""

    events: Sequence[PublicEvent] = ()
    campaigns: Sequence[PublicCampaign] = ()
    # One of the group's public events as an iCalendar file, by id (None: no such public event).
    calendar_file: Callable[[int], bytes | None] | None = None


def commitments(member: object, since: datetime, kind: str) -> list[Commitment]:
    found = (c for provider in rooms_of().commitments for c in provider(member, since))
    return [c for c in found if c.kind == kind]


def event_links(group: object) -> list[EventLinks]:
    return [provider(group) for provider in rooms_of().event_links]


def linked_events(group_id: int, column: str, item_id: int) -> list[LinkedEvent]:
    return [e for p in rooms_of().linked_events for e in p(group_id, column, item_id)]
