"""A draft and a sent newsletter (with a recipient) of one group, for the tenant-isolation walk."""

from __future__ import annotations


def populate(group, prefix, people):  # type: ignore[no-untyped-def]
    from node.extensions import db
    from node.newsletters import operations as ops

    officer = people["officer"]
    draft = ops.save_draft(
        group, {"subject": f"{prefix} Draft", "body": f"{prefix} body", "segment": "all:"}, officer
    )
    sent = ops.save_draft(
        group, {"subject": f"{prefix} Sent", "body": f"{prefix} text", "segment": "all:"}, officer
    )
    ops.queue(sent, officer)
    db.session.commit()
    return [draft.id, sent.id]
