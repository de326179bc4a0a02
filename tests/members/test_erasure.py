"""Erasure reaches every room, and the subject-access export covers the same tables.

Standing tests: (1) every table with an e-mail-like column or a reference to a member or an
account is handled by some room's erasure hook (node.members.erasure), so a new table cannot be
forgotten; (2) a person seeded in every room (through each room's isolation ``populate``) and
in a second group is erased from the first: their e-mail and name are then in no row of that
group, the second group's records and the shared account stay, and erasing them there too
leaves them nowhere in the database.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import JSON, String, Text, cast, func, or_, select

from node.audit import record
from node.extensions import db
from node.members import erasure
from node.members.models import Account, Member
from node.rooms import rooms_of
from tests.node.test_isolation import _populators

EMAIL, NAME = "zeb.quux@example.org", "Zebedee Quux"


def _personal_tables() -> dict[str, list[str]]:
    """Tables with an e-mail-like column or a foreign key to members or accounts."""
    found: dict[str, list[str]] = {}
    for table in db.metadata.tables.values():
        for column in table.columns:
            targets = {fk.target_fullname for fk in column.foreign_keys}
            if (
                "email" in column.name
                or "recipient" in column.name
                or targets & {"members.id", "accounts.id"}
            ):
                found.setdefault(table.name, []).append(column.name)
    return found


def test_every_personal_table_is_handled_by_an_erasure_hook(app):
    handled = {
        table: hook.room
        for hook in [*rooms_of(app).erasure_hooks, erasure.FOUNDATION]
        for table in hook.tables
    }
    missing = {t: cols for t, cols in _personal_tables().items() if t not in handled}
    assert missing == {}, f"tables no erasure hook answers for (say what erasure does): {missing}"
    unknown = set(handled) - set(db.metadata.tables)
    assert unknown == set(), f"hooks name tables that do not exist: {unknown}"
    for hook in [*rooms_of(app).erasure_hooks, erasure.FOUNDATION]:
        for table, words in hook.tables.items():
            assert words.strip(), f"{hook.room}: say what erasure does to {table}"


def _mentions(group_id: int | None) -> list[str]:
    """Tables with a row (of ``group_id``, or anywhere) whose text mentions the person."""
    needles = (EMAIL, NAME.lower())
    found = []
    for table in db.metadata.sorted_tables:
        texts = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if not texts or (group_id is not None and "group_id" not in table.columns):
            continue
        where = [or_(*(func.lower(cast(c, Text)).contains(n) for c in texts for n in needles))]
        if group_id is not None:
            where.append(table.c.group_id == group_id)
        if db.session.scalar(select(func.count()).select_from(table).where(*where)):
            found.append(table.name)
    return found


def _seed_everywhere(group, person, officer, organiser):  # type: ignore[no-untyped-def]
    from node.auth.models import Invitation
    from node.mail import MailLog

    people = {"member": person, "organiser": organiser, "officer": officer}
    for populate in _populators():
        populate(group, f"Seed {group.slug}", people)
    db.session.add_all(
        [
            Invitation(
                group_id=group.id,
                email=EMAIL,
                role="member",
                token_hash=f"{group.slug:x<64}"[:64],
                expires_at=datetime(2099, 1, 1),
            ),
            MailLog(group_id=group.id, recipient=EMAIL.upper(), subject="Welcome", status="sent"),
        ]
    )
    record(group, None, "invite", EMAIL, "role=member")
    record(group, person, "edit-own-profile", f"member #{person.id}", "changed: phone")
    db.session.commit()


def _client(app, email, base_url):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.sign_in(email, base_url=base_url)
    return client


def test_erasure_reaches_every_room_and_spares_other_groups(app, make_group, make_member):
    from node.mail import MailLog
    from node.oidc.models import JoinRequest, NationalLink

    app.config["WTF_CSRF_ENABLED"] = False
    a = make_group("Alpha", slug="alpha", url="http://alpha.test")
    b = make_group("Bravo", slug="bravo", url="http://bravo.test")
    officer_a = make_member(a, "officer", email="officer@alpha.example.org")
    officer_b = make_member(b, "officer", email="officer@bravo.example.org")
    in_a = make_member(a, "member", email=EMAIL, name=NAME, phone="07700 900001")
    in_b = make_member(b, "member", email=EMAIL, name=NAME)
    assert in_a.account_id == in_b.account_id  # one install-wide account
    account_id = in_a.account_id
    organiser = make_member(a, "organiser")
    _seed_everywhere(a, in_a, officer_a, organiser)
    from tests.oidc.isolation import populate as oidc_populate

    oidc_populate(b, "Seed bravo", {"member": in_b})
    db.session.add(MailLog(group_id=None, recipient=EMAIL, subject="Reset", status="sent"))
    db.session.commit()

    person = _client(app, EMAIL, "http://alpha.test")
    mine = json.loads(person.get("/profile/data.json", base_url="http://alpha.test").data)
    for section in (
        "account",
        "invitations",
        "mail_sent_to_you",
        "audit_of_your_actions",
        "national_link",
        "join_requests",
        "event_rsvps",
        "calendar_feed",
        "campaign_actions",
        "programmes",
        "union_details",
        "ballots_voted_in",
    ):
        assert mine.get(section), f"the subject-access export lacks {section}: {mine}"

    client = _client(app, officer_a.email, "http://alpha.test")
    page = client.get(f"/members/{in_a.id}/erase", base_url="http://alpha.test")
    text = page.get_data(as_text=True)
    assert "Kept, and why" in text and "voted in 1 ballot(s)" in text
    assert "other groups on this install still refer to it" in text
    done = client.post(f"/members/{in_a.id}/erase", base_url="http://alpha.test")
    assert done.status_code == 302
    db.session.expire_all()

    assert _mentions(a.id) == []  # nothing of group A names them any more
    assert db.session.get(Account, account_id) is not None  # group B still needs it
    kept_b = db.session.get(Member, in_b.id)
    assert (kept_b.name, kept_b.email, kept_b.account_id) == (NAME, EMAIL, account_id)
    assert db.session.scalar(select(NationalLink).where(NationalLink.group_id == b.id))
    assert db.session.scalar(select(JoinRequest).where(JoinRequest.group_id == b.id))
    _client(app, EMAIL, "http://bravo.test")  # still signs in to group B

    client = _client(app, officer_b.email, "http://bravo.test")
    page = client.get(f"/members/{in_b.id}/erase", base_url="http://bravo.test")
    assert "Their sign-in account (no other group uses it)." in page.get_data(as_text=True)
    client.post(f"/members/{in_b.id}/erase", base_url="http://bravo.test")
    db.session.expire_all()
    assert db.session.get(Account, account_id) is None
    assert _mentions(None) == []  # nowhere in the database at all
