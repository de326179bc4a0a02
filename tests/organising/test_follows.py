"""Following a subject and the one digest mail (node.organising.follows)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from node import clock

AT = datetime(2030, 3, 2, 9, 0)


def _news(group: Any, text: str, actor: Any = None, subject: int = 7) -> None:
    from node.extensions import db
    from node.organising import follows

    follows.record_news(group, "motion", subject, text, f"/motions/{subject}", actor=actor)
    db.session.commit()


def test_one_digest_lists_what_is_new_since_the_last(
    app: Any, group: Any, make_member: Any, smtp_sink: Any
) -> None:
    from node.extensions import db
    from node.organising import follows

    ann = make_member(group, email="ann@example.org", name="Ann")
    bob = make_member(group, email="bob@example.org", name="Bob")
    with clock.frozen(AT):
        _news(group, "Before Ann followed")
        follows.follow(group, ann, "motion", 7)
        follows.follow(group, ann, "motion", 7)  # idempotent
        follows.follow(group, bob, "motion", 7)
        db.session.commit()
        _news(group, "A reply by Bob", actor=bob)
        _news(group, "An amendment by Ann", actor=ann)
        _news(group, "Another subject", subject=8)
        assert follows.send_digests() == 2
    (mail,) = smtp_sink.to("ann@example.org")
    body = smtp_sink.body(mail)
    assert "A reply by Bob" in body and "http://localhost/motions/7" in body
    assert "Before Ann followed" not in body and "Another subject" not in body
    assert "An amendment by Ann" not in body  # one's own news is not news
    assert "/unsubscribe/" in body and mail["List-Unsubscribe"]
    (bobs,) = smtp_sink.to("bob@example.org")
    assert "An amendment by Ann" in smtp_sink.body(bobs)

    smtp_sink.clear()
    with clock.frozen(AT + timedelta(hours=1)):
        _news(group, "Second reply", actor=bob)
        assert follows.send_digests() == 0  # a day between digests
    with clock.frozen(AT + timedelta(days=1, minutes=1)):
        assert follows.send_digests() == 1  # Ann only: Bob's own reply is not news to Bob
    (mail,) = smtp_sink.to("ann@example.org")
    assert "Second reply" in smtp_sink.body(mail) and "A reply by Bob" not in smtp_sink.body(mail)
    with clock.frozen(AT + timedelta(days=3)):
        assert follows.send_digests() == 0  # nothing new


def test_consent_withdrawn_gets_nothing_and_unfollow_stops(
    app: Any, group: Any, make_member: Any, smtp_sink: Any
) -> None:
    from node.extensions import db
    from node.organising import follows

    quiet = make_member(group, email="quiet@example.org", consent_email=False)
    ann = make_member(group, email="ann@example.org")
    with clock.frozen(AT):
        follows.follow(group, quiet, "motion", 7)
        follows.follow(group, ann, "motion", 7)
        follows.unfollow(group, ann, "motion", 7)
        db.session.commit()
        assert not follows.is_following(ann, "motion", 7)
        assert follows.is_following(quiet, "motion", 7)
        _news(group, "News")
        assert follows.send_digests() == 0
    assert smtp_sink.messages == []
    with clock.frozen(AT + timedelta(days=2)):
        assert follows.due_members(clock.utcnow_naive()) == []  # marked read, not piled up


def test_news_is_tidied_and_links_stay_on_the_site(app: Any, group: Any) -> None:
    import pytest

    from node.organising import follows

    row = follows.record_news(group, "motion", 1, "Line\none\x00 " + "x" * 400, "/motions/1")
    assert "\n" not in row.text and "\x00" not in row.text and len(row.text) == follows.MAX_TEXT
    for bad in ("https://evil.example/", "//evil.example/x", "motions/1"):
        with pytest.raises(ValueError, match="paths"):
            follows.record_news(group, "motion", 1, "x", bad)
    with pytest.raises(ValueError, match="kind"):
        follows.record_news(group, "Motion; DROP", 1, "x", "/m")


def test_a_member_of_another_group_cannot_follow(
    app: Any, group: Any, make_group: Any, make_member: Any
) -> None:
    import pytest

    from node.errors import Invalid
    from node.organising import follows

    other = make_group("Other", slug="other")
    stranger = make_member(other)
    with pytest.raises(Invalid):
        follows.follow(group, stranger, "motion", 1)


def test_erasure_deletes_follows(app: Any, group: Any, make_member: Any) -> None:
    from sqlalchemy import select

    from node.extensions import db
    from node.members import erasure
    from node.organising import follows

    ann = make_member(group, email="ann@example.org")
    follows.follow(group, ann, "motion", 3)
    news = follows.record_news(group, "motion", 3, "x", "/motions/3", actor=ann)
    db.session.commit()
    erasure.erase(ann)
    db.session.commit()
    assert db.session.scalars(select(follows.Follow)).all() == []
    db.session.refresh(news)
    assert news.actor_id is None


def test_news_every_follower_has_had_is_deleted_a_week_later(
    app: Any, group: Any, make_member: Any, smtp_sink: Any
) -> None:
    """Pruning keeps what a follower still awaits, what is under a week old and the install's
    newest news: on SQLite the next news would otherwise take that id again, equal to Ann's
    mark, and never be told. News made after a prune is told."""
    from sqlalchemy import select

    from node.extensions import db
    from node.organising import follows

    ann = make_member(group, email="ann@example.org", name="Ann")
    bob = make_member(group, email="bob@example.org", name="Bob")
    with clock.frozen(AT):
        follows.follow(group, ann, "motion", 7)
        db.session.commit()
        _news(group, "Told to Ann", actor=bob)
        _news(group, "Ann's own", actor=ann)
        _news(group, "Nobody follows this", subject=9)
        assert follows.send_digests() == 1
    with clock.frozen(AT + timedelta(hours=12)):
        follows.follow(group, bob, "motion", 8)
        db.session.commit()
        _news(group, "Told to Bob", subject=8)
        assert follows.send_digests() == 1  # Bob's first; Ann's is not due
    with clock.frozen(AT + timedelta(hours=13)):
        _news(group, "Awaited by Bob", subject=8)
    with clock.frozen(AT + timedelta(days=1, minutes=1)):
        _news(group, "The newest, told to Ann", actor=bob)
        assert follows.send_digests() == 1  # Ann's; Bob's is not due

    def texts() -> list[str]:
        db.session.expire_all()
        return [n.text for n in db.session.scalars(select(follows.News).order_by(follows.News.id))]

    with clock.frozen(AT + follows.PRUNE_AFTER - timedelta(minutes=1)):
        assert follows.prune() == 0  # nothing is a week old yet
    with clock.frozen(AT + timedelta(days=1) + follows.PRUNE_AFTER + timedelta(hours=2)):
        assert follows.prune() == 4
    assert texts() == ["Awaited by Bob", "The newest, told to Ann"]

    smtp_sink.clear()
    with clock.frozen(AT + timedelta(days=9)):
        _news(group, "After the prune", actor=bob)
        assert follows.send_digests() == 2
    assert "After the prune" in smtp_sink.body(smtp_sink.to("ann@example.org")[0])
    assert "Awaited by Bob" in smtp_sink.body(smtp_sink.to("bob@example.org")[0])
