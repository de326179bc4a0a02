"""The audit log in sentences: "Sam Ortiz opened the ballot ‘Chair 2027’" rather than
``open-ballot`` and ``ballot #12``.

``SENTENCES`` maps every action code the code base writes (``tests/members/test_audit_words.py``
collects them from the source) to a sentence with ``{actor}``, ``{target}`` and ``{detail}``.
A target such as ``ballot #12`` is named through the rooms' ``audit_names`` lookups (the room
that owns ballots says what ballot 12 is called); an unknown code still reads as words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from node.extensions import db
from node.i18n import N_
from node.rooms import AuditNames, rooms_of

SENTENCES: dict[str, str] = {
    # Members and accounts
    "invite": N_("{actor} invited {target} ({detail})"),
    "invite-everyone": N_("{actor} invited every member without an account ({detail})"),
    "accept-invitation": N_("{actor} accepted the invitation sent to {target}"),
    "link-account": N_("{actor} linked their sign-in account to {target}"),
    "import-members": N_("{actor} imported members from a spreadsheet ({detail})"),
    "edit-member": N_("{actor} changed {target}'s record ({detail})"),
    "edit-own-profile": N_("{actor} changed their own profile ({detail})"),
    "lapse-member": N_("{actor} marked {target} as lapsed"),
    "erase-member": N_("{actor} erased {target}"),
    "leave-group": N_("{actor} left the group"),
    "unsubscribe": N_("{actor} stopped e-mail to {target}"),
    # Ballots
    "create-ballot": N_("{actor} drafted {target}"),
    "edit-ballot": N_("{actor} changed {target}"),
    "schedule-ballot": N_("{actor} scheduled {target} to open on its own"),
    "unschedule-ballot": N_("{actor} took {target} off the schedule"),
    "open-ballot": N_("{actor} opened {target} ({detail})"),
    "ballot-not-opened": N_("{target} could not open at its scheduled time: {detail}"),
    "cancel-ballot": N_("{actor} withdrew {target} ({detail})"),
    "close-ballot": N_("{actor} closed {target} ({detail})"),
    "publish-ballot": N_("{actor} published the result of {target}"),
    "publish-decision": N_("{actor} published the decision of {target} as signed statements"),
    "reissue-voting-link": N_("{actor} sent a new voting link for {target} ({detail})"),
    "print-voting-codes": N_("{actor} printed voting codes for {target} ({detail})"),
    # Campaigns, events, education, unions, newsletters
    "create-campaign": N_("{actor} started {target}"),
    "edit-campaign": N_("{actor} changed {target}"),
    "add-action": N_("{actor} added {target}"),
    "message-action": N_("{actor} e-mailed the people signed up to {target} ({detail})"),
    "record-action": N_("{actor} recorded who turned up to {target}"),
    "create-event": N_("{actor} created {target}"),
    "edit-event": N_("{actor} changed {target}"),
    "cancel-event": N_("{actor} cancelled {target}"),
    "record-attendance": N_("{actor} recorded who came to {target} ({detail})"),
    "save-programme": N_("{actor} saved {target}"),
    "complete-programme": N_("{actor} marked {target} as having completed {detail}"),
    "reopen-programme": N_("{actor} marked {target} as not yet done with {detail}"),
    "message-union": N_("{actor} e-mailed the members in {target} ({detail})"),
    "send-newsletter": N_("{actor} sent {target} ({detail})"),
    # Joining and the public page
    "update-public-page": N_("{actor} changed the group's public page"),
    "approve-join": N_("{actor} approved a request to join: {target} ({detail})"),
    "merge-join": N_("{actor} matched a request to join with {target} ({detail})"),
    "decline-join": N_("{actor} declined {target} ({detail})"),
    # National sign-in
    "oidc-join-approved": N_("{actor} approved {target}'s request to join with a national account"),
    "oidc-join-declined": N_("{actor} declined {target}'s request to join with a national account"),
    "oidc-link-member": N_("{actor} linked {target} to their national account"),
    "oidc-register-client": N_("{actor} registered the group's node {target} for national sign-in"),
    "oidc-connect-hub": N_("{actor} connected the group to the national hub {target}"),
    "import-national-members": N_("{actor} imported the national membership records ({detail})"),
    # Federation
    "follow-peer": N_("{actor} followed the group at {target}"),
    "unfollow-peer": N_("{actor} stopped following the group at {target}"),
    "federation-follow": N_("The group at {target} started following this group"),
    "federation-unfollow": N_("The group at {target} stopped following this group"),
    "publish-candidate-endorsement": N_("{actor} published a candidate endorsement ({target})"),
    "publish-campaign-endorsement": N_("{actor} published a campaign endorsement ({target})"),
    "publish-retraction": N_("{actor} retracted an earlier statement ({target})"),
    "publish-key-rotation": N_("{actor} changed the group's signing key ({target})"),
    "publish-registry": N_("{actor} published the list of enrolled groups ({target})"),
    "retry-delivery": N_("{actor} asked for a failed delivery to {target} to be tried again"),
    # The national hub
    "hub-enrol-token": N_("{actor} issued an enrolment token for {target} ({detail})"),
    "hub-enrol": N_("{target} enrolled with the hub"),
    "hub-active": N_("{actor} reinstated {target}"),
    "hub-suspended": N_("{actor} suspended {target} (its endorsements are no longer counted)"),
    "hub-removed": N_("{actor} removed {target} from the hub"),
    # Background work
    "background work retried": N_("{actor} asked for “{target}” to be tried again"),
    "background work dismissed": N_("{actor} dismissed the failed work “{target}”"),
    # Motions
    "propose-motion": N_("{actor} proposed {target}"),
    "second-motion": N_("{actor} seconded {target}"),
    "withdraw-motion": N_("{actor} withdrew {target}"),
    "motion-settings": N_("{actor} changed how {target} is run ({detail})"),
    "motion-on-agenda": N_("{actor} put {target} on the agenda ({detail})"),
    "post-on-motion": N_("{actor} posted in the discussion of {target}"),
    "edit-motion-post": N_("{actor} edited a post on {target}"),
    "hide-motion-post": N_("{actor} hid a post on {target} ({detail})"),
    "unhide-motion-post": N_("{actor} showed a hidden post on {target} again"),
    "propose-amendment": N_("{actor} proposed an amendment to {target}"),
    "accept-amendment": N_("{actor} accepted {target}"),
    "withdraw-amendment": N_("{actor} withdrew {target}"),
    "motion-to-vote": N_("{actor} put {target} to the vote ({detail})"),
    "motion-carried": N_("{target} was carried ({detail})"),
    "motion-lost": N_("{target} was lost ({detail})"),
    "motion-vote-cancelled": N_("The vote on {target} was withdrawn: it goes back on the agenda"),
    "motion-endorsement-held": N_("The endorsement {target} decided was held back: {detail}"),
    "amendment-carried": N_("{target} was carried ({detail})"),
    "amendment-fell": N_("{target} fell ({detail})"),
    # Selections
    "open-selection": N_("{actor} opened {target}"),
    "edit-selection": N_("{actor} changed {target} ({detail})"),
    "cancel-selection": N_("{actor} cancelled {target} ({detail})"),
    "nominate": N_("{actor} made a nomination in {target} ({detail})"),
    "second-nomination": N_("{actor} seconded {target}"),
    "write-statement": N_("{actor} wrote the statement of {target}"),
    "accept-nomination": N_("{actor} accepted {target}"),
    "withdraw-nomination": N_("{actor} withdrew {target}"),
    "close-nominations": N_("{actor} closed nominations in {target} ({detail})"),
    "selection-uncontested": N_("{target} was uncontested: {detail}"),
    "selection-held": N_("{target} was held: {detail}"),
    "ask-question": N_("{actor} asked a question in {target}"),
    "moderate-question": N_("{actor} moderated a question in {target} ({detail})"),
    "answer-question": N_("{actor} answered a question for {target}"),
    "publish-answers": N_("{actor} published the hustings answers of {target}"),
    "hustings-event": N_("{actor} set the hustings event of {target}"),
    # The group as a witness of the national hub's log
    "read-witness-evidence": N_(
        "{actor} marked as read the evidence against the hub's log ({detail})"
    ),
}
# The kinds of thing the rooms name (``rooms.audit_name``), as a sentence shows them.
KINDS = (
    N_("action"),
    N_("ballot"),
    N_("campaign"),
    N_("event"),
    N_("newsletter"),
    N_("programme"),
    N_("selection"),
)
# "ballot #12", "member #3": a kind of thing and its id, as operations write targets.
REFERENCE = re.compile(r"^([a-z][a-z ]*?) #(\d+)$")
ACTOR_ID = re.compile(r" \(#\d+\)$")


@dataclass(frozen=True)
class Line:
    """One entry as the audit page shows it."""

    sentence: str
    detail: str


def titles(model: Any, column: str) -> AuditNames:
    """A lookup for ``rooms.audit_name``: the ``column`` of the group's ``model`` rows by id."""

    def lookup(group: Any, ids: list[int]) -> dict[int, str]:
        rows = db.session.execute(
            select(model.id, getattr(model, column)).where(
                model.group_id == group.id, model.id.in_(ids)
            )
        )
        return {ident: str(name) for ident, name in rows}

    return lookup


def fallback(action: str) -> str:
    """A code no sentence covers, as words: ``close-hustings`` → "Close hustings"."""
    words = re.sub(r"[-_]+", " ", action).strip()
    return "{actor}: " + (words[:1].upper() + words[1:] if words else "an action") + " {target}"


def _names(group: Any, targets: Iterable[str | None]) -> dict[str, str]:
    """ "ballot #12" → "the ballot ‘Chair 2027’" for every target a room can name."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for target in targets:
        match = REFERENCE.match(target or "")
        if match:
            wanted[match.group(1)].add(int(match.group(2)))
    if not wanted:
        return {}
    lookups = rooms_of().audit_names
    named: dict[str, str] = {}
    for kind, ids in wanted.items():
        lookup = lookups.get(kind)
        if lookup is None:
            continue
        for ident, name in lookup(group, sorted(ids)).items():
            named[f"{kind} #{ident}"] = (
                name if kind == "member" else _("the %(kind)s ‘%(name)s’", kind=_(kind), name=name)
            )
    return named


def lines(group: Any, entries: Sequence[Any]) -> list[Line]:
    """Each entry as a sentence (and what detail the sentence did not already say)."""
    named = _names(group, (e.target for e in entries))
    shown = []
    for entry in entries:
        known = SENTENCES.get(entry.action)
        template = _(known) if known else fallback(entry.action)
        target = entry.target or ""
        words = {
            "actor": ACTOR_ID.sub("", entry.actor_label or "") or _("Someone"),
            "target": named.get(target, target),
            "detail": entry.detail or "",
        }
        sentence = template.format(**words).replace(" ()", "").strip()
        shown.append(Line(sentence, "" if "{detail}" in template else words["detail"]))
    return shown
