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

from sqlalchemy import select

from node.extensions import db
from node.rooms import AuditNames, rooms_of

SENTENCES: dict[str, str] = {
    # Members and accounts
    "invite": "{actor} invited {target} ({detail})",
    "invite-everyone": "{actor} invited every member without an account ({detail})",
    "accept-invitation": "{actor} accepted the invitation sent to {target}",
    "link-account": "{actor} linked their sign-in account to {target}",
    "import-members": "{actor} imported members from a spreadsheet ({detail})",
    "edit-member": "{actor} changed {target}'s record ({detail})",
    "edit-own-profile": "{actor} changed their own profile ({detail})",
    "lapse-member": "{actor} marked {target} as lapsed",
    "erase-member": "{actor} erased {target}",
    "leave-group": "{actor} left the group",
    "unsubscribe": "{actor} stopped e-mail to {target}",
    # Ballots
    "create-ballot": "{actor} drafted {target}",
    "edit-ballot": "{actor} changed {target}",
    "schedule-ballot": "{actor} scheduled {target} to open on its own",
    "unschedule-ballot": "{actor} took {target} off the schedule",
    "open-ballot": "{actor} opened {target} ({detail})",
    "ballot-not-opened": "{target} could not open at its scheduled time: {detail}",
    "cancel-ballot": "{actor} withdrew {target} ({detail})",
    "close-ballot": "{actor} closed {target} ({detail})",
    "publish-ballot": "{actor} published the result of {target}",
    "publish-decision": "{actor} published the decision of {target} as signed statements",
    "reissue-voting-link": "{actor} sent a new voting link for {target} ({detail})",
    "print-voting-codes": "{actor} printed voting codes for {target} ({detail})",
    # Campaigns, events, education, unions, newsletters
    "create-campaign": "{actor} started {target}",
    "edit-campaign": "{actor} changed {target}",
    "add-action": "{actor} added {target}",
    "message-action": "{actor} e-mailed the people signed up to {target} ({detail})",
    "record-action": "{actor} recorded who turned up to {target}",
    "create-event": "{actor} created {target}",
    "edit-event": "{actor} changed {target}",
    "cancel-event": "{actor} cancelled {target}",
    "record-attendance": "{actor} recorded who came to {target} ({detail})",
    "save-programme": "{actor} saved {target}",
    "complete-programme": "{actor} marked {target} as having completed {detail}",
    "reopen-programme": "{actor} marked {target} as not yet done with {detail}",
    "message-union": "{actor} e-mailed the members in {target} ({detail})",
    "send-newsletter": "{actor} sent {target} ({detail})",
    # Joining and the public page
    "update-public-page": "{actor} changed the group's public page",
    "approve-join": "{actor} approved a request to join: {target} ({detail})",
    "merge-join": "{actor} matched a request to join with {target} ({detail})",
    "decline-join": "{actor} declined {target} ({detail})",
    # National sign-in
    "oidc-join-approved": "{actor} approved {target}'s request to join with a national account",
    "oidc-join-declined": "{actor} declined {target}'s request to join with a national account",
    "oidc-link-member": "{actor} linked {target} to their national account",
    "oidc-register-client": "{actor} registered the group's node {target} for national sign-in",
    "oidc-connect-hub": "{actor} connected the group to the national hub {target}",
    "import-national-members": "{actor} imported the national membership records ({detail})",
    # Federation
    "follow-peer": "{actor} followed the group at {target}",
    "unfollow-peer": "{actor} stopped following the group at {target}",
    "federation-follow": "The group at {target} started following this group",
    "federation-unfollow": "The group at {target} stopped following this group",
    "publish-candidate-endorsement": "{actor} published a candidate endorsement ({target})",
    "publish-campaign-endorsement": "{actor} published a campaign endorsement ({target})",
    "publish-retraction": "{actor} retracted an earlier statement ({target})",
    "publish-key-rotation": "{actor} changed the group's signing key ({target})",
    "publish-registry": "{actor} published the list of enrolled groups ({target})",
    "retry-delivery": "{actor} asked for a failed delivery to {target} to be tried again",
    # The national hub
    "hub-enrol-token": "{actor} issued an enrolment token for {target} ({detail})",
    "hub-enrol": "{target} enrolled with the hub",
    "hub-active": "{actor} reinstated {target}",
    "hub-suspended": "{actor} suspended {target} (its endorsements are no longer counted)",
    "hub-removed": "{actor} removed {target} from the hub",
    # Background work
    "background work retried": "{actor} asked for “{target}” to be tried again",
    "background work dismissed": "{actor} dismissed the failed work “{target}”",
    # Motions
    "propose-motion": "{actor} proposed {target}",
    "second-motion": "{actor} seconded {target}",
    "withdraw-motion": "{actor} withdrew {target}",
    "motion-settings": "{actor} changed how {target} is run ({detail})",
    "motion-on-agenda": "{actor} put {target} on the agenda ({detail})",
    "post-on-motion": "{actor} posted in the discussion of {target}",
    "edit-motion-post": "{actor} edited a post on {target}",
    "hide-motion-post": "{actor} hid a post on {target} ({detail})",
    "propose-amendment": "{actor} proposed an amendment to {target}",
    "accept-amendment": "{actor} accepted {target}",
    "withdraw-amendment": "{actor} withdrew {target}",
    "motion-to-vote": "{actor} put {target} to the vote ({detail})",
    "motion-carried": "{target} was carried ({detail})",
    "motion-lost": "{target} was lost ({detail})",
    "motion-vote-cancelled": "The vote on {target} was withdrawn: it goes back on the agenda",
    "motion-endorsement-held": "The endorsement {target} decided was held back: {detail}",
    "amendment-carried": "{target} was carried ({detail})",
    "amendment-fell": "{target} fell ({detail})",
    # Selections
    "open-selection": "{actor} opened {target}",
    "edit-selection": "{actor} changed {target} ({detail})",
    "nominate": "{actor} made a nomination in {target} ({detail})",
    "second-nomination": "{actor} seconded {target}",
    "write-statement": "{actor} wrote the statement of {target}",
    "accept-nomination": "{actor} accepted {target}",
    "withdraw-nomination": "{actor} withdrew {target}",
    "close-nominations": "{actor} closed nominations in {target} ({detail})",
    "selection-uncontested": "{target} was uncontested: {detail}",
    "selection-held": "{target} was held: {detail}",
    "ask-question": "{actor} asked a question in {target}",
    "moderate-question": "{actor} moderated a question in {target} ({detail})",
    "answer-question": "{actor} answered a question for {target}",
    "publish-answers": "{actor} published the hustings answers of {target}",
    "hustings-event": "{actor} set the hustings event of {target}",
    # The group as a witness of the national hub's log
    "read-witness-evidence": "{actor} marked as read the evidence against the hub's log ({detail})",
}
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
            named[f"{kind} #{ident}"] = name if kind == "member" else f"the {kind} ‘{name}’"
    return named


def lines(group: Any, entries: Sequence[Any]) -> list[Line]:
    """Each entry as a sentence (and what detail the sentence did not already say)."""
    named = _names(group, (e.target for e in entries))
    shown = []
    for entry in entries:
        template = SENTENCES.get(entry.action) or fallback(entry.action)
        target = entry.target or ""
        words = {
            "actor": ACTOR_ID.sub("", entry.actor_label or "") or "Someone",
            "target": named.get(target, target),
            "detail": entry.detail or "",
        }
        sentence = template.format(**words).replace(" ()", "").strip()
        shown.append(Line(sentence, "" if "{detail}" in template else words["detail"]))
    return shown
