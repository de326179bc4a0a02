"""Voting without an account: personal voting links and printed voting codes.

Most members on a roster have no account (groups start by importing a CSV), so a ballot that
needs signing in is a ballot almost nobody can vote in. When a ballot opens, every elector with
an e-mail address is mailed a personal link ``/vote/<token>``; electors without an address (or a
vote in the room) get a printed single-use code that they enter at ``/vote``.

Each secret is a :class:`VotingCredential` of one elector for one ballot, stored only as its
SHA-256. Holding it is what lets someone vote as that elector, once: it is used up by the vote
(in the vote's own transaction), dies when the ballot closes, and re-issuing kills the old one.
Reminders carry a freshly issued link (the old one dies), because a stored hash cannot be turned
back into a link. The vote itself goes through :func:`node.ballots.voting.cast_vote`, so the one
vote per elector rule (UNIQUE on participations) holds whichever way an elector votes, and the
paper is as anonymous as ever: nothing on it refers to the credential.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from node import clock, timefmt
from node.audit import record
from node.auth.operations import token_hash
from node.ballots.electorate import (
    Standing,
    frozen_electorate_query,
    has_voted,
    standing_columns,
)
from node.ballots.models import Ballot, Participation, VotingCredential
from node.ballots.voting import (
    Cast,
    check_open,
    new_code,
    posted_receipt,
    repeat_of,
    submit_vote,
)
from node.errors import Conflict, Invalid, NotFound
from node.extensions import db
from node.groups.models import Group
from node.mail import MailLog, Outgoing, send_many
from node.members.models import Member
from node.tenancy import group_url


def normalise_code(code: str) -> str:
    """A code as typed (any case, with or without spaces or dashes) in its canonical form."""
    raw = "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _revoke(ballot: Ballot, member_ids: Iterable[int], kind: str) -> None:
    ids = list(member_ids)
    if not ids:
        return
    db.session.execute(
        update(VotingCredential)
        .where(
            VotingCredential.ballot_id == ballot.id,
            VotingCredential.member_id.in_(ids),
            VotingCredential.kind == kind,
            VotingCredential.used_at.is_(None),
            VotingCredential.revoked_at.is_(None),
        )
        .values(revoked_at=clock.utcnow_naive())
        .execution_options(synchronize_session=False)
    )


def _issue(ballot: Ballot, members: list[Member], kind: str) -> dict[int, str]:
    """New secrets of ``kind`` for ``members`` (killing their live ones): member id → secret."""
    _revoke(ballot, (m.id for m in members), kind)
    secrets_by_member = {
        m.id: (secrets.token_urlsafe(32) if kind == "link" else new_code()) for m in members
    }
    db.session.add_all(
        VotingCredential(
            group_id=ballot.group_id,
            ballot_id=ballot.id,
            member_id=member_id,
            kind=kind,
            token_hash=token_hash(secret if kind == "link" else normalise_code(secret)),
        )
        for member_id, secret in secrets_by_member.items()
    )
    db.session.flush()
    return secrets_by_member


def link_url(group: Group, token: str) -> str:
    return group_url(group, f"/vote/{token}")


def _closes(ballot: Ballot) -> str:
    return timefmt.when(ballot.closes_at, plain=True)


def opening_mails(ballot: Ballot, group: Group, members: list[Member]) -> list[Outgoing]:
    """One mail per elector with an address, each with that elector's own new voting link."""
    with_address = [m for m in members if m.email]
    links = _issue(ballot, with_address, "link")
    return [
        Outgoing(
            m.email or "",
            _("Ballot open: %(title)s", title=ballot.title),
            _(
                "Dear %(name)s,\n\nA ballot of %(group)s is open and you are entitled to vote."
                "\n\n%(title)s\n%(question)s\n\nVote here with your personal voting "
                "link (no account or password needed):\n%(link)s\n\n"
                "This link is yours alone and works once: whoever opens it can cast your vote, so "
                "do not forward it. Voting closes on %(closes)s. Your vote is secret: the "
                "group records that you voted, never how.\n",
                name=m.name,
                group=group.name,
                title=ballot.title,
                question=ballot.question,
                link=link_url(group, links[m.id]),
                closes=_closes(ballot),
            ),
            category=f"ballot-{ballot.id}-open",
        )
        for m in with_address
    ]


def reminder_mails(ballot: Ballot, group: Group, members: list[Member]) -> list[Outgoing]:
    """Reminders to electors who have not voted, each with a fresh link (the old one dies)."""
    links = _issue(ballot, members, "link")
    return [
        Outgoing(
            m.email or "",
            _("Reminder: %(title)s closes %(closes)s", title=ballot.title, closes=_closes(ballot)),
            _(
                "Dear %(name)s,\n\nYou have not voted yet in %(title)s. Voting closes on "
                "%(closes)s.\n\nVote here with your personal voting link (no account or "
                "password needed):\n%(link)s\n\nThis link replaces the one "
                "in earlier e-mails, which no longer works. Do not forward it: whoever opens it can "
                "cast your vote.\n",
                name=m.name,
                title=ballot.title,
                closes=_closes(ballot),
                link=link_url(group, links[m.id]),
            ),
            category=f"ballot-{ballot.id}-reminder",
        )
        for m in members
    ]


def _elector(ballot: Ballot, member_id: int) -> Member:
    member = db.session.scalar(
        frozen_electorate_query(ballot).where(Member.id == member_id, Member.erased_at.is_(None))
    )
    if member is None:
        raise NotFound(_("That member is not on this ballot's electorate."))
    return member


def reissue_link(ballot: Ballot, member_id: int, actor: Member | None) -> tuple[Member, MailLog]:
    """Kill the elector's link and mail a new one (a lost or forwarded mail); the send log entry
    says whether the mail went."""
    check_open(ballot)
    member = _elector(ballot, member_id)
    if not member.email:
        raise Invalid(
            _("%(name)s has no e-mail address: print a voting code instead.", name=member.name)
        )
    if has_voted(ballot, member):
        raise Conflict(
            _("%(name)s has already voted; there is nothing to re-issue.", name=member.name)
        )
    group = ballot.group
    token = _issue(ballot, [member], "link")[member.id]
    (mailed,) = send_many(
        group,
        [
            Outgoing(
                member.email,
                _("Your new voting link: %(title)s", title=ballot.title),
                _(
                    "Dear %(name)s,\n\nAn officer of %(group)s has sent you a new voting "
                    "link for %(title)s (no account or password needed):\n"
                    "%(link)s\n\nAny earlier link no longer works. Do not forward "
                    "this one: whoever opens it can cast your vote. Voting closes on "
                    "%(closes)s.\n",
                    name=member.name,
                    group=group.name,
                    title=ballot.title,
                    link=link_url(group, token),
                    closes=_closes(ballot),
                ),
                category=f"ballot-{ballot.id}-link",
            )
        ],
    )
    record(group, actor, "reissue-voting-link", f"ballot #{ballot.id}", f"member #{member.id}")
    return member, mailed


def issue_codes(
    ballot: Ballot, member_ids: Iterable[int], actor: Member | None
) -> list[tuple[Member, str]]:
    """Printed voting codes for the chosen electors who have not voted (old codes die)."""
    check_open(ballot)
    members = [_elector(ballot, i) for i in sorted(set(member_ids))]
    if not members:
        raise Invalid(_("Tick at least one elector to print a voting code for."))
    voted = [m.name for m in members if has_voted(ballot, m)]
    if voted:
        raise Conflict(_("Already voted, so no code is needed: %(names)s.", names=", ".join(voted)))
    codes = _issue(ballot, members, "code")
    record(
        ballot.group, actor, "print-voting-codes", f"ballot #{ballot.id}", f"{len(members)} codes"
    )
    return [(m, codes[m.id]) for m in members]


# ----------------------------------------------------------------------------- using a secret
@dataclass
class CredentialRefused(Exception):
    """A link or code that cannot be used: the refusal page's heading, reason and status (404 not
    valid, 409 used, 410 replaced or too late). Its voter has no session, so the voting views
    answer it with their own page rather than the app's error page."""

    heading: str
    message: str
    status: int


def _credential_query(group: Group, secret: str, kind: str) -> Select[VotingCredential]:
    """The credential of this group for ``secret`` (a link's token or a printed code)."""
    key = token_hash(secret if kind == "link" else normalise_code(secret))
    return select(VotingCredential).where(
        VotingCredential.token_hash == key,
        VotingCredential.kind == kind,
        VotingCredential.group_id == group.id,
    )


def find(group: Group, secret: str, kind: str) -> tuple[VotingCredential, Ballot, Member, Standing]:
    """The live credential for ``secret`` on ``group``'s site, its ballot and member and the
    member's standing (read in one query), or :class:`CredentialRefused`.

    Another group's credential is simply not found here (a link for group A's ballot on group
    B's host is refused like a mistyped one).
    """
    elector, voted = standing_columns(VotingCredential.ballot_id, VotingCredential.member_id)
    row = (
        db.session.execute(
            _credential_query(group, secret, kind)
            .add_columns(Ballot, Member, elector, voted)
            .join(Ballot, Ballot.id == VotingCredential.ballot_id)
            .join(Member, Member.id == VotingCredential.member_id)
            .options(joinedload(Ballot.options))  # every page of the link shows or checks them
        )
        .unique()
        .first()
    )
    link = kind == "link"
    if row is None:
        raise CredentialRefused(
            _("This voting link is not valid") if link else _("This voting code is not valid"),
            _(
                "Check that you copied the whole voting link; if it still does not work, ask one "
                "of the group's officers for a new one."
            )
            if link
            else _(
                "Check that you copied the whole voting code; if it still does not work, ask one "
                "of the group's officers for a new one."
            ),
            404,
        )
    credential, ballot, member, on_electorate, voted = row
    place = Standing.of(ballot, member, on_electorate, voted)
    if credential.used_at is not None or place.voted:
        raise CredentialRefused(
            _("This voting link has already been used to vote")
            if link
            else _("This voting code has already been used to vote"),
            _(
                "A vote has already been cast for %(title)s with it (or by its holder in "
                "another way). A vote cannot be changed. If you did not vote, tell an officer.",
                title=ballot.title,
            ),
            409,
        )
    try:
        check_open(ballot)
    except Conflict as exc:
        raise CredentialRefused(
            _("%(title)s: voting is over", title=ballot.title), str(exc), 410
        ) from None
    if credential.revoked_at is not None or member.erased_at is not None:
        raise CredentialRefused(
            _("This voting link has been replaced")
            if link
            else _("This voting code has been replaced"),
            _(
                "A newer voting link was issued and only the newest one works. Use the link in "
                "your most recent e-mail, or ask an officer for a new one."
            )
            if link
            else _(
                "A newer voting code was issued and only the newest one works. Use the link in "
                "your most recent e-mail, or ask an officer for a new one."
            ),
            410,
        )
    return credential, ballot, member, place


def cast_with(
    credential: VotingCredential,
    ballot: Ballot,
    member: Member,
    form: MultiDict[str, str],
    place: Standing | None = None,
) -> Cast:
    """Use up ``credential`` and cast the vote on ``form``, in one committed transaction, or
    recognise the form as a repeat of the vote already cast with it (``place``: the standing
    :func:`find` read)."""
    return submit_vote(
        ballot,
        member,
        form,
        form.getlist("approve"),
        method=credential.kind,
        credential_id=credential.id,
        place=place,
    )


def repeat(
    group: Group, secret: str, kind: str, form: MultiDict[str, str]
) -> tuple[Ballot, Cast] | None:
    """The vote already cast with this used link or code, when ``form`` is the very paper that
    cast it (sent again after a lost reply): its receipt code and that code's check for the
    credential's member. ``None`` for anything else, which keeps the "already used" refusal."""
    credential = db.session.scalar(
        _credential_query(group, secret, kind).where(VotingCredential.used_at.is_not(None))
    )
    ballot = db.session.get(Ballot, credential.ballot_id) if credential else None
    member = db.session.get(Member, credential.member_id) if credential else None
    if ballot is None or member is None:
        return None
    try:
        earlier = repeat_of(ballot, member, posted_receipt(ballot, member, form))
    except Invalid:
        return None
    return None if earlier is None else (ballot, earlier)


# ----------------------------------------------------------------------------- the audit
def turnout_by_method(ballot: Ballot) -> dict[str, int]:
    rows = db.session.execute(
        select(Participation.method, func.count())
        .where(Participation.ballot_id == ballot.id, Participation.group_id == ballot.group_id)
        .group_by(Participation.method)
    ).all()
    return dict(rows)


def not_voted_query(ballot: Ballot) -> Select[Member]:
    voted = select(Participation.member_id).where(Participation.ballot_id == ballot.id)
    return frozen_electorate_query(ballot).where(Member.id.not_in(voted))
