"""The public room's objects for the tenant-isolation walk: a public description, a confirmed
join request waiting for an officer, an unconfirmed one, a public event and a public campaign."""

from __future__ import annotations

from datetime import timedelta


def populate(group, prefix, people):  # type: ignore[no-untyped-def]
    from node import clock
    from node.campaigns.models import Campaign
    from node.events.models import Event
    from node.extensions import db
    from node.public.models import MembershipApplication, PublicProfile

    slug = group.slug
    # What is public carries no prefix: the walk rightly shows a group's public page to anyone
    # (tests/public/test_home.py checks one group's public items never reach another's page).
    # What is not public carries it, so the walk proves it never reaches a public page.
    db.session.add(PublicProfile(group_id=group.id, description=f"{slug} is who we are"))
    made = []
    for status in ("pending", "unconfirmed"):
        application = MembershipApplication(
            group_id=group.id,
            status=status,
            name=f"{prefix} Applicant {status}",
            email=f"{status}.applicant@{slug}.example.org",
            ward=f"{prefix} Ward",
            union=f"{prefix} Union",
            consent_email=True,
            consent_data=True,
            token_hash=f"{prefix}{status}".ljust(64, "0")[:64] if status == "unconfirmed" else None,
            token_expires_at=clock.utcnow_naive() + timedelta(days=7),
            confirmed_at=clock.utcnow_naive() if status == "pending" else None,
        )
        db.session.add(application)
        db.session.flush()
        made.append(application.id)
    start = clock.utcnow_naive() + timedelta(days=3)
    for public in (True, False):
        label = f"{slug} public" if public else f"{prefix} members-only"
        event = Event(
            group_id=group.id,
            title=f"{label} meeting",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            public=public,
        )
        campaign = Campaign(group_id=group.id, title=f"{label} campaign", public=public)
        db.session.add_all([event, campaign])
        db.session.flush()
        made += [event.id, campaign.id]
    db.session.commit()
    return made
