"""A hub and three groups on one install (Host tenancy), talking over HTTP through the
federation tests' in-process transport, so enrolment, pushes and pulls run the real views."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.peering.conftest import WsgiAdapter, routed_through

HUB = "http://hub.test"
GROUPS = {
    "walton": ("Walton", "North West"),
    "shepperton": ("Shepperton", "South East"),
    "crosby": ("Crosby", "North West"),
}


@pytest.fixture
def wsgi(app: Any) -> Iterator[WsgiAdapter]:
    with routed_through(WsgiAdapter(app)) as adapter:
        yield adapter


@pytest.fixture
def hub(make_group: Any) -> Any:
    return make_group("National Hub", slug="hub", url=HUB, role="hub")


@pytest.fixture
def nodes(make_group: Any) -> dict[str, Any]:
    return {
        slug: make_group(name, slug=slug, url=f"http://{slug}.test")
        for slug, (name, _region) in GROUPS.items()
    }


def enrol(hub: Any, group: Any) -> Any:
    from node.extensions import db
    from node.hub import joining, operations

    name, region = GROUPS[group.slug]
    token, _ = operations.issue_token(hub, name, region)
    db.session.commit()
    link = joining.join(group, HUB, token)
    db.session.commit()
    return link


@pytest.fixture
def enrolled(app: Any, wsgi: WsgiAdapter, hub: Any, nodes: dict[str, Any]) -> dict[str, Any]:
    for group in nodes.values():
        enrol(hub, group)
    return nodes


def meeting(summary: str = "Agreed unanimously", turnout: int = 23) -> dict[str, Any]:
    from node.peering.operations import meeting_decision

    return meeting_decision("2026-01-15", "GM/7", summary, turnout=turnout)


def endorse(
    group: Any,
    name: str = "Sam Ortiz",
    office: str = "Mayor",
    area: str = "Liverpool",
    election: str = "2026-05-07",
) -> Any:
    from node.extensions import db
    from node.peering.operations import endorse_candidate

    row = endorse_candidate(group, name, office, area, election, meeting())
    db.session.commit()
    return row


def deliver() -> int:
    from node.peering.worker import deliver_due

    return deliver_due()
