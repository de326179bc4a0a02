"""What a room offers the newsletters and the public home page, as plain items.

The room that owns the records registers a provider, called with the group: in
``rooms.digest_sections`` one returning :class:`Segments` (members a newsletter can go to), in
``rooms.public_listings`` one returning a :class:`PublicListing`. The newsletters and public
rooms read only these items, so neither imports the room that made them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select


@dataclass(frozen=True)
class Segments:
    """One kind of newsletter segment a room defines from its records (who attended an event).

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
    """What one room shows on the group's public home page."""

    events: Sequence[PublicEvent] = ()
    campaigns: Sequence[PublicCampaign] = ()
    # One of the group's public events as an iCalendar file, by id (None: no such public event).
    calendar_file: Callable[[int], bytes | None] | None = None
