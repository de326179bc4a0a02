"""Union details of one group's member, for the tenant-isolation walk."""

from __future__ import annotations


def populate(group, prefix, people):  # type: ignore[no-untyped-def]
    from node.extensions import db
    from node.unions import operations as ops

    member = people["member"]
    member.union = f"{prefix} Union"
    member.workplace = f"{prefix} Workplace"
    details = ops.declare(member, f"{prefix} Sector", "shop steward")
    db.session.commit()
    return [details.id]
