"""The room registry: what each room adds to one app, collected in one object per app.

A room is a package under ``node/`` (ballots, campaigns, events, …) with a ``setup`` module whose
``init_app(app, rooms)`` registers its blueprints on ``app`` and adds its navigation links,
dashboard panels, periodic tasks, erasure hook, demo content and page sections to ``rooms``.
``node.app.ROOMS`` lists the setup modules in order; nothing is looked up by name and nothing is
kept at module level, so building three apps in one process gives three equal registries
(``tests/node/test_rooms.py``).

Rooms talk to each other through the signals of :mod:`node.signals`, not through the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, current_app

from node.i18n import N_

T = TypeVar("T")
EXTENSION_KEY = "commonground.rooms"

# (group, member) -> the panel's template context with "title" and "template", or None to hide it.
Panel = Callable[[Any, Any], "dict[str, Any] | None"]
# () -> how many things the task did (``node.scheduler``).
TaskRun = Callable[[], int]
# (group, ids) -> {id: name}: what the audit log calls "ballot #12" (node.members.audit_words).
AuditNames = Callable[[Any, list[int]], dict[int, str]]
# (group, random.Random) -> None: adds demo content once the demo members exist.
DemoSeed = Callable[[Any, Any], None]


# The menu's top-level entries, in order, grouped by task: never more than six, whatever the
# role. Every nav link names one (``rooms.nav(..., section="decisions")``); a section with one
# link for this member is that link, a section with more is a page listing them
# (``home.section``) and a second row of links while one of its pages is shown.
SECTIONS: dict[str, str] = {
    "home": N_("Home"),  # the dashboard; a "home" link replaces it (the hub's national dashboard)
    "decisions": N_("Decisions"),  # ballots, endorsements, motions, selections
    "organising": N_("Organising"),  # campaigns, events, education, unions, newsletters
    "members": N_("Members"),  # the member list, development; on a hub, the enrolled groups
    "group": N_("Group"),  # how the group runs: its public page, the audit log
    "you": N_("You"),  # your profile, your data, your record
}
# Where a link shows: on a local group's menu, on the national hub's, or on both.
PLACES = ("group", "hub", "both")


@dataclass(frozen=True)
class NavLink:
    label: str
    endpoint: str
    role: str  # the lowest role that sees it: member | organiser | officer
    section: str  # a key of SECTIONS
    where: str  # one of PLACES

    def shown_at(self, group: Any) -> bool:
        is_hub = bool(getattr(group, "is_hub", False))
        return self.where == "both" or self.where == ("hub" if is_hub else "group")


@dataclass(frozen=True)
class MenuEntry:
    """One top-level entry of the menu: a section and the links of it this member may follow."""

    section: str
    label: str
    links: tuple[NavLink, ...]

    @property
    def endpoints(self) -> set[str]:
        return {link.endpoint for link in self.links}


@dataclass(frozen=True)
class Task:
    name: str
    run: TaskRun


@dataclass(frozen=True)
class Hook:
    """What erasing a member does in one room (node.members.erasure runs the hooks)."""

    room: str
    tables: Mapping[str, str]  # table name -> what erasure does with it, and why
    export: Callable[[Any], dict[str, Any]]  # member -> the room's part of a data download
    erase: Callable[[Any], None] | None = None  # node.members.erasure.Subject -> None
    summary: Callable[[Any], list[tuple[str, str]]] = field(default=lambda member: [])


@dataclass(frozen=True)
class Endorsable:
    """A campaign a ballot can decide to back, as the room that keeps it describes it."""

    title: str
    summary: str
    id_url: str  # the campaign's absolute address: its id in a signed endorsement
    origin: str  # the address of the group whose campaign it is


@dataclass(frozen=True)
class EndorsableSource:
    """A provider for the ``endorsable`` slot: the campaigns a group's ballots can back."""

    choices: Callable[[Any], list[tuple[int, str]]]  # group -> (id, label) for the ballot form
    describe: Callable[[Any, int], Endorsable | None]  # (group, id) -> the campaign, or None
    mark_endorsed: Callable[[Any, int, Any], None]  # (group, id, naive UTC datetime)


@dataclass
class Rooms:
    """Everything the rooms of one app contributed, in registration order."""

    names: list[str] = field(default_factory=list)
    nav_links: list[NavLink] = field(default_factory=list)
    panels: list[tuple[int, Panel]] = field(default_factory=list)
    panel_places: dict[Panel, str] = field(default_factory=dict)  # panel -> one of PLACES
    tasks: list[Task] = field(default_factory=list)
    erasure_hooks: list[Hook] = field(default_factory=list)
    demo_seeds: list[tuple[int, DemoSeed]] = field(default_factory=list)
    # Templates included on a member's page (members/show.html) by rooms that add to it.
    member_sections: list[str] = field(default_factory=list)
    # The group's page for visitors who are not signed in; without it they go to sign-in.
    public_home: Callable[[Any], Any] | None = None
    # What one room shows on another's pages, asked for by the page's room: each provider is
    # registered by the room that owns the data, and its item types live in the kernel
    # (node.organising) or the foundation, so neither room imports the other.
    digest_sections: list[Callable[..., Any]] = field(default_factory=list)  # newsletters
    public_listings: list[Callable[..., Any]] = field(default_factory=list)  # the public page
    record_entries: list[Callable[..., Any]] = field(default_factory=list)  # organiser record
    endorsable: list[EndorsableSource] = field(default_factory=list)  # what a ballot backs
    commitments: list[Callable[..., Any]] = field(default_factory=list)  # a member's sign-ups
    event_links: list[Callable[..., Any]] = field(default_factory=list)  # what events belong to
    linked_events: list[Callable[..., Any]] = field(default_factory=list)  # a thing's events
    # "ballot" -> the names of the group's ballots by id, so the audit log names what it means.
    audit_names: dict[str, AuditNames] = field(default_factory=dict)
    # ballot -> {option position: address of more about that option} (a candidate's statement),
    # linked from the ballot paper; the ballots room asks, the room that made the ballot answers.
    option_details: list[Callable[[Any], dict[int, str]]] = field(default_factory=list)

    def nav(
        self, label: str, endpoint: str, role: str = "member", *, section: str, where: str = "group"
    ) -> None:
        """A menu link under ``section`` (a key of ``SECTIONS``), for ``role`` and above, on a
        local group's menu, the hub's, or both (``where``, one of ``PLACES``)."""
        if section not in SECTIONS:
            raise ValueError(f"nav section {section!r} is not one of {', '.join(SECTIONS)}")
        if where not in PLACES:
            raise ValueError(f"nav place {where!r} is not one of {', '.join(PLACES)}")
        self.nav_links.append(NavLink(label, endpoint, role, section, where))

    def audit_name(self, kind: str, lookup: AuditNames) -> None:
        """How the audit log names a ``kind`` of target ("ballot" in "ballot #12")."""
        if kind in self.audit_names:
            raise ValueError(f"two rooms name the audit targets {kind!r}")
        self.audit_names[kind] = lookup

    def panel(self, panel: Panel, order: int = 50, *, where: str = "group") -> None:
        """A dashboard panel; lower ``order`` comes first (ties keep registration order). On a
        local group's dashboard, or also (``where="both"``) on the hub's national dashboard."""
        if where not in PLACES:
            raise ValueError(f"panel place {where!r} is not one of {', '.join(PLACES)}")
        self.panels.append((order, panel))
        self.panel_places[panel] = where

    def task(self, name: str, run: TaskRun) -> None:
        if any(task.name == name for task in self.tasks):
            raise ValueError(f"two periodic tasks are called {name!r}")
        self.tasks.append(Task(name, run))

    def erasure(self, hook: Hook) -> None:
        if any(existing.room == hook.room for existing in self.erasure_hooks):
            raise ValueError(f"room {hook.room!r} registered two erasure hooks")
        self.erasure_hooks.append(hook)

    def demo(self, seed: DemoSeed, order: int = 50) -> None:
        """A demo seed; lower ``order`` runs first (ties keep registration order)."""
        self.demo_seeds.append((order, seed))

    def details_of(self, ballot: Any) -> dict[int, str]:
        """Option position -> a page about that option, from every ``option_details`` provider."""
        found: dict[int, str] = {}
        for provider in self.option_details:
            found.update(provider(ballot))
        return found

    def ordered_panels(self) -> list[Panel]:
        return _by_order(self.panels)

    def panels_for(self, group: Any) -> list[Panel]:
        """The panels of ``group``'s dashboard: a local group's, or the national hub's."""
        place = "hub" if getattr(group, "is_hub", False) else "group"
        return [p for p in self.ordered_panels() if self.panel_places[p] in (place, "both")]

    def ordered_demo_seeds(self) -> list[DemoSeed]:
        return _by_order(self.demo_seeds)

    def nav_for(self, member: Any, group: Any = None) -> list[NavLink]:
        """The links ``member`` may follow in ``group`` (none for a visitor)."""
        if member is None:
            return []
        return [
            link for link in self.nav_links if member.has_role(link.role) and link.shown_at(group)
        ]

    def menu_for(self, member: Any, group: Any = None) -> list[MenuEntry]:
        """The top-level entries ``member`` sees, in ``SECTIONS`` order, empty sections left
        out; Home is the dashboard unless a "home" link is registered for this place."""
        if member is None:
            return []
        links = self.nav_for(member, group)
        entries = []
        for key, label in SECTIONS.items():
            mine = tuple(link for link in links if link.section == key)
            if key == "home" and not mine:
                mine = (NavLink(label, "home.index", "member", "home", "both"),)
            if mine:
                entries.append(MenuEntry(key, label, mine))
        return entries


def current_section(menu: list[MenuEntry], endpoint: str | None) -> str | None:
    """The section the page of ``endpoint`` belongs to: the one holding that very link, else
    the first holding a link of the same blueprint (a ballot's page is under Ballots')."""
    if not endpoint:
        return None
    for entry in menu:
        if endpoint in entry.endpoints:
            return entry.section
    blueprint = endpoint.rpartition(".")[0]
    for entry in menu:
        if any(e.rpartition(".")[0] == blueprint for e in entry.endpoints):
            return entry.section
    return None


def _by_order(items: list[tuple[int, T]]) -> list[T]:
    """The items by their order number; a stable sort keeps registration order among equals."""
    return [item for _, item in sorted(items, key=lambda pair: pair[0])]


def init_rooms(app: Flask) -> Rooms:
    rooms = Rooms()
    app.extensions[EXTENSION_KEY] = rooms
    return rooms


def rooms_of(app: Flask | None = None) -> Rooms:
    """The registry of ``app`` (by default the current one)."""
    target = app if app is not None else current_app
    registry: Rooms = target.extensions[EXTENSION_KEY]
    return registry
