"""The "My data" page a member can read: the same dictionary as the JSON download
(``operations.personal_data``), laid out in plain sections instead of raw keys.

Known keys go to the sections below; a key no section names (a new room's export) still shows,
under "Everything else", so the page never hides what the download holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from node import timefmt
from node.i18n import N_

PROFILE = ("name", "email", "phone", "ward", "union", "workplace", "notes")
MEMBERSHIP = ("role", "status", "joined_on", "created_at", "updated_at")
CONSENTS = {
    "consent_email": N_("The group may e-mail you"),
    "consent_phone": N_("The group may phone or text you"),
}
# (section title, what it says, the export keys it shows)
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        N_("Sign-ups"),
        N_("The actions, events and programmes you signed up for, and campaigns you organise."),
        ("campaign_actions", "event_rsvps", "programmes", "campaigns_organised", "calendar_feed"),
    ),
    (
        N_("Votes cast"),
        N_(
            "The ballots you took part in. How you voted was never linked to you, so no one — "
            "not even this page — can show it."
        ),
        ("ballots_voted_in",),
    ),
    (
        N_("Messages to you"),
        N_("E-mail the group sent you and invitations to your address."),
        (
            "mail_sent_to_you",
            "newsletters_to_you",
            "invitations",
            "invitations_sent_to_everyone_without_an_account",
        ),
    ),
    (
        N_("Records about you"),
        N_("Officers' actions on your record, your own officer actions, and requests to join."),
        (
            "audit",
            "audit_of_your_actions",
            "join_requests",
            "requests_to_join_through_the_public_form",
        ),
    ),
)
LABELS = {
    "name": N_("Name"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "ward": N_("Ward"),
    "union": N_("Union"),
    "workplace": N_("Workplace"),
    "notes": N_("Officers' notes about you"),
    "joined_on": N_("Joined"),
    "created_at": N_("Record created"),
    "updated_at": N_("Last changed"),
    "last_sign_in": N_("Last signed in"),
    "by": N_("By"),
    "at": N_("When"),
    # The other rooms' export keys, in the words label() would make of them.
    "accepted_at": N_("Accepted at"),
    "account": N_("Account"),
    "action": N_("Action"),
    "answer": N_("Answer"),
    "attended": N_("Attended"),
    "audit": N_("Audit"),
    "audit_of_your_actions": N_("Audit of your actions"),
    "ballot": N_("Ballot"),
    "ballots_voted_in": N_("Ballots voted in"),
    "calendar_feed": N_("Calendar feed"),
    "campaign": N_("Campaign"),
    "campaign_actions": N_("Campaign actions"),
    "campaigns_organised": N_("Campaigns organised"),
    "checked_at": N_("Checked at"),
    "decision": N_("Decision"),
    "event": N_("Event"),
    "event_rsvps": N_("Event rsvps"),
    "following": N_("Following"),
    "groups": N_("Groups"),
    "hustings_answers": N_("Hustings answers"),
    "hustings_questions": N_("Hustings questions"),
    "id": N_("Id"),
    "invitations": N_("Invitations"),
    "invitations_sent_to_everyone_without_an_account": N_(
        "Invitations sent to everyone without an account"
    ),
    "join_requests": N_("Join requests"),
    "kind": N_("Kind"),
    "mail_sent_to_you": N_("Mail sent to you"),
    "membership": N_("Membership"),
    "motion": N_("Motion"),
    "motion_amendments": N_("Motion amendments"),
    "motion_posts": N_("Motion posts"),
    "motions_proposed": N_("Motions proposed"),
    "motions_seconded": N_("Motions seconded"),
    "national_link": N_("National link"),
    "newsletters_to_you": N_("Newsletters to you"),
    "nominations_seconded": N_("Nominations seconded"),
    "note": N_("Note"),
    "programme": N_("Programme"),
    "programmes": N_("Programmes"),
    "question": N_("Question"),
    "rep_role": N_("Rep role"),
    "requests_to_join_through_the_public_form": N_("Requests to join through the public form"),
    "sector": N_("Sector"),
    "selection": N_("Selection"),
    "selection_nominations": N_("Selection nominations"),
    "sent": N_("Sent"),
    "since": N_("Since"),
    "starts_at": N_("Starts at"),
    "state": N_("State"),
    "statement": N_("Statement"),
    "status": N_("Status"),
    "subject": N_("Subject"),
    "target": N_("Target"),
    "text": N_("Text"),
    "title": N_("Title"),
    "union_details": N_("Union details"),
    "voted_at": N_("Voted at"),
    "withdrawn_at": N_("Withdrawn at"),
    "role": N_("Role"),
    "branch": N_("Branch"),
}
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Part:
    """One heading's worth: a list of (label, value) pairs, or a table of rows."""

    title: str
    pairs: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    empty: bool = False


@dataclass
class Section:
    title: str
    about: str
    parts: list[Part]


def label(key: str) -> str:
    """``mail_sent_to_you`` → "Mail sent to you" (a readable name for any key). Known keys have
    marked labels; a derived one is translated if some code marked the same words (``N_``)."""
    return _(LABELS.get(key) or key.replace("_", " ").capitalize())


def shown(value: Any, plain: bool = False) -> str:
    """One value as text: yes/no, a formatted time or day (``plain``: without its <time>
    markup, inside a longer text), "—" for nothing."""
    if value is None or value == "":
        return timefmt.NOTHING
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timefmt.when(value, plain=plain)
    if isinstance(value, date):
        return timefmt.day(value, plain=plain)
    if isinstance(value, str) and ISO_MOMENT.match(value):
        try:
            return timefmt.when(datetime.fromisoformat(value), plain=plain)
        except ValueError:
            return value
    if isinstance(value, str) and ISO_DAY.match(value):
        try:
            return timefmt.day(date.fromisoformat(value), plain=plain)
        except ValueError:
            return value
    if isinstance(value, dict):
        return "; ".join(f"{label(k)}: {shown(v, True)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(shown(v, True) for v in value) or timefmt.NOTHING
    return str(value)


def part(key: str, value: Any) -> Part:
    """One export key as a part: a table for a list of records, pairs for a record."""
    title = label(key)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        columns = list(dict.fromkeys(k for row in value for k in row))
        return Part(
            title,
            columns=[label(c) for c in columns],
            rows=[[shown(row.get(c)) for c in columns] for row in value],
        )
    if isinstance(value, dict):
        return Part(title, pairs=[(label(k), shown(v)) for k, v in value.items()])
    if value is None or value == []:
        return Part(title, empty=True)
    return Part(title, pairs=[(title, shown(value))])


def readable(data: dict[str, Any]) -> list[Section]:
    """The sections of the page, from ``personal_data``'s dictionary."""
    member = data.get("member", {})
    group = data.get("group", {})
    membership = [(_("Group"), str(group.get("name", "")))]
    membership += [
        (label(k), _(member[k]) if k in ("role", "status") and member[k] else shown(member.get(k)))
        for k in MEMBERSHIP
        if k in member
    ]
    login = [part("account", data.get("account"))] if "account" in data else []
    if data.get("national_link") is not None:
        login.append(part("national_link", data["national_link"]))
    sections = [
        Section(
            _("Profile"),
            _("What the group holds about you. You can change most of it on your profile."),
            [Part(_("Your details"), pairs=[(label(k), shown(member.get(k))) for k in PROFILE])],
        ),
        Section(
            _("Membership"),
            _("Your place in the group."),
            [Part(_("This group"), membership), *login],
        ),
        Section(
            _("Consents"),
            _("What you agreed the group may do."),
            [
                Part(
                    _("Consents"),
                    pairs=[(_(text), shown(member.get(k))) for k, text in CONSENTS.items()],
                )
            ],
        ),
    ]
    used = {"member", "group", "account", "national_link"}
    for title, about, keys in SECTIONS:
        parts = [part(k, data[k]) for k in keys if k in data]
        used.update(keys)
        if parts:
            sections.append(Section(_(title), _(about), parts))
    rest = [part(k, v) for k, v in data.items() if k not in used]
    if rest:
        sections.append(
            Section(_("Everything else"), _("Other records rooms keep about you."), rest)
        )
    return sections
