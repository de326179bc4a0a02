"""What erasure does to the ballots room (see node.members.erasure): nothing is deleted.

A participation row says that member #N voted in a ballot, and an elector row that they were in
its frozen electorate. Both are kept so that turnouts and the one-vote rule stay right; after
erasure they point at a placeholder row with no name, e-mail or contact details. Voting links and
codes (their hashes) are deleted. How anyone voted was never linked to them: ballot papers are
anonymous.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select

from node.ballots.models import Ballot, Elector, Participation, VotingCredential
from node.extensions import db
from node.members.erasure import Hook, Subject, Summary, count
from node.members.models import Member


def export(member: Member) -> dict[str, Any]:
    """Ballots the member took part in (and when) — never how they voted: that is not linked."""
    rows = db.session.execute(
        select(Ballot.title, Ballot.id, Participation.voted_at)
        .join(Participation, Participation.ballot_id == Ballot.id)
        .where(Participation.member_id == member.id)
        .order_by(Participation.voted_at)
    ).all()
    return {
        "ballots_voted_in": [
            {"ballot": ballot_id, "title": title, "voted_at": at.isoformat()}
            for title, ballot_id, at in rows
        ]
    }


def erase(subject: Subject) -> None:
    """Voting links and codes are deleted: a dead secret's hash tells nothing anyone needs."""
    db.session.execute(
        delete(VotingCredential).where(
            VotingCredential.member_id == subject.member.id,
            VotingCredential.group_id == subject.group_id,
        )
    )


def summary(member: Member) -> Summary:
    links = count(VotingCredential.member_id == member.id, table=VotingCredential)
    voted = count(Participation.member_id == member.id, table=Participation)
    electorates = count(Elector.member_id == member.id, table=Elector)
    return [
        (
            "deleted",
            _(
                "%(num)s voting link(s) and code(s) (only their fingerprints were stored).",
                num=links,
            ),
        ),
        (
            "kept",
            _(
                "That they voted in %(voted)s ballot(s) and were in the electorate of "
                "%(electorates)s: turnouts and the one-vote rule need it. How they voted was "
                "never linked to them.",
                voted=voted,
                electorates=electorates,
            ),
        ),
    ]


HOOK = Hook(
    room="ballots",
    tables={
        "ballot_participations": "kept: who voted (turnout, one vote each); no name left",
        "ballot_electors": "kept: the frozen electorate (turnout denominators); no name left",
        "ballots": "kept: who created a ballot points at the nameless placeholder",
        "ballot_credentials": "deleted: voting links and codes (hashes) of the member",
    },
    export=export,
    erase=erase,
    summary=summary,
)
