"""On the hub, a campaign is described by the group whose campaign it is (its URL lies under
that group's id URL); other groups' endorsements count for it but never name it, so whoever
mentions a campaign first cannot squat its title or origin (issue 13). A rebuild agrees."""

from __future__ import annotations

from sqlalchemy import select

from node.extensions import db
from tests.hub.conftest import deliver, meeting


def _campaign(hub):  # type: ignore[no-untyped-def]
    from node.hub.models import HubCampaign

    db.session.expire_all()
    return db.session.scalars(select(HubCampaign).where(HubCampaign.group_id == hub.id)).all()


def _endorse(group, url, title, origin):  # type: ignore[no-untyped-def]
    from node.peering.operations import publish_campaign_endorsement

    campaign = {"id_url": url, "title": title, "summary": f"{title}, said {group.name}"}
    publish_campaign_endorsement(group, {**campaign, "origin": origin}, meeting())
    db.session.commit()
    deliver()


def test_the_owner_defines_a_campaign_whoever_names_it_first(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    from node.hub.audit import rebuild

    walton, shepperton, crosby = enrolled["walton"], enrolled["shepperton"], enrolled["crosby"]
    url = f"{walton.url}/campaigns/clean-the-mersey"

    _endorse(shepperton, url, "Pave the Mersey", shepperton.url)  # the squatter is first
    [row] = _campaign(hub)
    assert (row.key, row.title, row.summary, row.origin) == (url, url, "", "")
    assert row.endorsements == 1  # it counts as an endorsement, but defines nothing

    _endorse(crosby, url, "Crosby's own name for it", crosby.url)
    [row] = _campaign(hub)
    assert (row.title, row.origin, row.endorsements) == (url, "", 2)

    _endorse(walton, url, "Clean the Mersey", shepperton.url)  # the owner: origin is Walton
    [row] = _campaign(hub)
    assert (row.title, row.summary) == ("Clean the Mersey", "Clean the Mersey, said Walton")
    assert (row.origin, row.endorsements) == (walton.url, 3)
    page = app.test_client().get(f"/hub/campaigns/{row.id}", base_url="http://hub.test")
    assert "Clean the Mersey" in page.get_data(as_text=True)

    _endorse(shepperton, url, "Pave it after all", shepperton.url)  # too late, and never
    [row] = _campaign(hub)
    assert (row.title, row.origin, row.endorsements) == ("Clean the Mersey", walton.url, 4)

    done, problems = rebuild(hub)  # replayed in (issuer, seq) order: the same description
    db.session.commit()
    assert problems == [] and done > 0
    [row] = _campaign(hub)
    assert (row.title, row.origin, row.endorsements) == ("Clean the Mersey", walton.url, 4)
