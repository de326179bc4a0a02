"""Rows of the members room for the tenant-isolation walk (tests/node/test_isolation.py): a run
of "invite everyone without an account" with one queued recipient and one sent to the member."""

from __future__ import annotations

from typing import Any

from node import clock
from node.auth import bulk_invite
from node.auth.models import InvitationRunItem
from node.extensions import db
from node.members.models import Member


def populate(group: Any, prefix: str, people: dict[str, Any]) -> list[int]:
    slug = prefix.lower().replace(" ", "-")
    member = Member(group_id=group.id, name=f"{prefix} Invitee", email=f"{slug}.inv@example.org")
    db.session.add(member)
    db.session.flush()
    run = bulk_invite.start_run(group, people["officer"])
    person = people["member"]  # a line of the send log about them (erasure must reach it)
    db.session.add(
        InvitationRunItem(
            run_id=run.id,
            group_id=group.id,
            member_id=person.id,
            email=person.email,
            state="sent",
            sent_at=clock.utcnow_naive(),
        )
    )
    db.session.commit()
    return [member.id, run.id]
