"""Witness objects for the tenant-isolation walk (tests/node/test_isolation.py): a checked hub
log and one piece of evidence per group, the prefix in every text field."""

from __future__ import annotations

from typing import Any


def populate(group: Any, prefix: str, people: dict[str, Any]) -> list[int]:
    from node.extensions import db
    from node.witness.models import Evidence, WitnessState

    hub = f"http://{prefix.lower()}-hub.test"
    state = WitnessState(
        group_id=group.id, hub_url=hub, size=1, scanned_to=0, failures=1,
        checkpoint=f"{prefix}-hub.test/log\n1\n{prefix}\n", last_error=f"{prefix} error",
    )  # fmt: skip
    row = Evidence(
        group_id=group.id, hub_url=hub, kind="inconsistent", fingerprint=prefix,
        detail=f"{prefix} detail", checkpoint=f"{prefix} checkpoint", proof={"p": prefix},
    )  # fmt: skip
    db.session.add_all([state, row])
    db.session.commit()
    return [state.id, row.id]
