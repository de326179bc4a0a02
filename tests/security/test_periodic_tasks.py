"""Attack class: one failing item in every periodic task (issue 13, finding 4).

One install serves many groups; a periodic task that dies on one group's item stops every
group's work. Every task registered in ``node.scheduler`` (read after ``create_app``, so a new
task is covered) must hand its items to ``node.scheduler.each_item``. For each task the test
arranges due work for two groups, makes the first item the task reaches raise (through
the ``item_starting`` signal, which the scheduler sends before each item), and checks that:

- the task went through ``each_item`` (the hook saw its items — a task that loops on its own
  shows none, and fails here);
- it saw the other group's item too, and that item ran without failing (its work returned; no
  failure is recorded for it);
- the poisoned item's failure is recorded with its group and one attempt, and is not retried
  before its back-off ends; the next run after that retries it, and its success clears it.

A new task without an arrangement below fails ``test_every_registered_task_is_arranged``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from node import clock, scheduler, signals
from node.extensions import db
from node.rooms import rooms_of

UNREACHABLE = "http://127.0.0.1:9"  # the discard port: connections are refused at once

# Tasks whose owners have not moved them onto each_item yet (issue 13, finding 4, (b)). Strict:
# once a task is converted its test passes, the xfail turns into a failure, and the name must go.
NOT_YET_PER_ITEM: dict[str, str] = {}


# ----------------------------------------------------------------------------- arrangements
def _ballots(make_group: Any, make_member: Any) -> None:
    from node.ballots import operations as ops
    from tests.ballots.helpers import make_ballot

    now = clock.utcnow_naive()
    for slug in ("aston", "bootle"):
        group = make_group(slug.title(), slug=slug)
        officer = make_member(group, "officer")
        ballot = make_ballot(group, officer, opens_at=now + timedelta(minutes=1))
        ops.schedule_ballot(ballot, officer)
    db.session.commit()


def _events(make_group: Any, make_member: Any) -> None:
    from node.events import operations as ops

    start = clock.utcnow_naive() + timedelta(hours=3)
    for slug in ("aston", "bootle"):
        group = make_group(slug.title(), slug=slug)
        officer = make_member(group, "officer")
        event = ops.create_event(
            group,
            {"title": "Meeting", "starts_at": start, "ends_at": start + timedelta(hours=1)},
            officer,
        )
        ops.rsvp(event, officer)
    db.session.commit()


def _federation(make_group: Any, make_member: Any) -> None:
    """Each group: a pending delivery to a follower and a peer to pull, both unreachable."""
    from node.peering import operations as ops
    from node.peering.models import Delivery, Follower, Peer

    for slug in ("aston", "bootle"):
        group = make_group(slug.title(), slug=slug)
        row = ops.endorse_candidate(
            group,
            "Ann",
            "Councillor",
            "Ward",
            "2030-05-01",
            ops.meeting_decision("2030-01-01", "M/1", "Agreed"),
        )
        inbox = f"{UNREACHABLE}/{slug}/federation/inbox"
        follower = Follower(
            group_id=group.id,
            actor=f"{UNREACHABLE}/{slug}",
            inbox=inbox,
            kid="k",
            last_request_at=clock.utcnow_naive(),
            last_nonce="n" * 16,
        )
        peer = Peer(
            group_id=group.id,
            issuer=f"{UNREACHABLE}/{slug}-peer",
            name="Peer",
            inbox=f"{UNREACHABLE}/{slug}-peer/federation/inbox",
            outbox=f"{UNREACHABLE}/{slug}-peer/federation/outbox",
            jwks_uri=f"{UNREACHABLE}/{slug}-peer/federation/jwks.json",
            thumbprints=[],
            keys=[],
            status="active",
            last_pulled_seq=0,
        )
        db.session.add_all([follower, peer])
        db.session.flush()
        db.session.add(
            Delivery(group_id=group.id, statement_pk=row.id, destination=inbox, state="pending")
        )
    db.session.commit()


def _hub_sweep(make_group: Any, make_member: Any) -> None:
    """A hub with two enrolled groups whose outboxes are unreachable."""
    from node.hub.models import EnrolledGroup
    from node.peering.models import Peer

    hub = make_group("Hub", slug="hub", role="hub")
    for slug in ("aston", "bootle"):
        url = f"{UNREACHABLE}/{slug}"
        base = {"inbox": f"{url}/inbox", "outbox": f"{url}/outbox", "jwks_uri": f"{url}/jwks"}
        db.session.add(
            EnrolledGroup(group_id=hub.id, url=url, name=slug.title(), region="North", **base)
        )
        db.session.add(
            Peer(
                group_id=hub.id,
                issuer=url,
                name=slug.title(),
                thumbprints=[],
                keys=[],
                status="active",
                last_pulled_seq=0,
                **base,
            )
        )
    db.session.commit()


def _campaigns(make_group: Any, make_member: Any) -> None:
    for slug in ("aston", "bootle"):
        make_group(slug.title(), slug=slug)


def _invite_everyone(make_group: Any, make_member: Any) -> None:
    """Each group: an officer queues invitations for two members without an account."""
    from node.auth import bulk_invite

    for slug in ("aston", "bootle"):
        group = make_group(slug.title(), slug=slug)
        officer = make_member(group, "officer")
        for n in (1, 2):
            make_member(group, "member", email=f"m{n}@{slug}.example.org", account=False)
        bulk_invite.start_run(group, officer)
    db.session.commit()


def _newsletters(make_group: Any, make_member: Any) -> None:
    """Each group: a newsletter queued for its officer and two members."""
    from node.newsletters import operations as ops

    for slug in ("aston", "bootle"):
        group = make_group(slug.title(), slug=slug)
        officer = make_member(group, "officer")
        for n in (1, 2):
            make_member(group, "member", email=f"n{n}@{slug}.example.org")
        draft = ops.save_draft(group, {"subject": "News", "body": "Hi", "segment": "all:"}, officer)
        ops.queue(draft, officer)
    db.session.commit()


def _follows(make_group: Any, make_member: Any) -> None:
    """Each group: two members follow a subject that has news they have not been told of."""
    from node.organising import follows

    for slug in ("aston", "bootle"):
        group = make_group(slug.title(), slug=slug)
        for n in (1, 2):
            member = make_member(group, "member", email=f"f{n}@{slug}.example.org")
            follows.follow(group, member, "motion", 1)
        follows.record_news(group, "motion", 1, "A reply", "/motions/1")
    db.session.commit()


def _follows_prune(make_group: Any, make_member: Any) -> None:
    """Each group: news a week old that nobody follows (the install's newest news is kept, so
    the second group gets two)."""
    from node.organising import follows

    for slug in ("aston", "bootle"):
        group = make_group(slug.title(), slug=slug)
        for n in (1, 2):
            follows.record_news(group, "motion", n, "A reply", f"/motions/{n}")
    db.session.flush()
    for row in db.session.scalars(select(follows.News)):
        row.created_at = clock.utcnow_naive() - follows.PRUNE_AFTER - timedelta(days=1)
    db.session.commit()


def _hub_log_checkpoint(make_group: Any, make_member: Any) -> None:
    """Two hubs on one install, each with a log that has no checkpoint yet (so one is due)."""
    for slug in ("hub-north", "hub-south"):
        make_group(slug.title(), slug=slug, role="hub")


def _witness(make_group: Any, make_member: Any) -> None:
    """Each group joined a hub whose log cannot be reached."""
    from node.hub.models import HubLink

    for slug in ("aston", "bootle"):
        group = make_group(slug.title(), slug=slug)
        hub = f"{UNREACHABLE}/{slug}-hub"
        db.session.add(
            HubLink(group_id=group.id, hub_url=hub, name="Hub", keys=[], registry_url=hub)
        )
    db.session.commit()


def _selections(make_group: Any, make_member: Any) -> None:
    """Each group: a selection whose nominations close in a minute, three standing for one place
    (so closing makes a ballot)."""
    from node.selections import operations as ops
    from tests.selections.helpers import make_selection

    now = clock.utcnow_naive()
    for slug in ("aston", "bootle"):
        group = make_group(slug.title(), slug=slug)
        officer = make_member(group, "officer")
        selection = make_selection(
            group,
            officer,
            places=1,
            seconders_needed=0,
            nominations_close_at=now + timedelta(minutes=1),
        )
        for member in [make_member(group, "member") for _ in range(3)]:
            ops.nominate(selection, member, member.id)
    db.session.commit()


def _motions(make_group: Any, make_member: Any) -> None:
    """Each group: a motion put to the vote whose first ballot was cancelled, so the task has
    the next ballot to open."""
    from node.ballots import operations as ballot_ops
    from node.ballots.models import Ballot
    from node.motions import deciding
    from node.motions import operations as ops

    for slug in ("aston", "bootle"):
        group = make_group(slug.title(), slug=slug)
        officer = make_member(group, "officer")
        ops.set_seconders(group, 0, officer)
        motion = ops.propose(group, ops.Proposal("Motion", "Text"), officer)
        deciding.put_to_vote(motion, 1, None, officer)
        ballot = db.session.get(Ballot, motion.final_ballot_id)
        ballot_ops.cancel_ballot(ballot, officer, "Wrong question")
    db.session.commit()


ARRANGEMENTS: dict[str, Callable[[Any, Any], None]] = {
    "ballots": _ballots,
    "events.reminders": _events,
    "federation": _federation,
    "hub-sweep": _hub_sweep,
    "hub-log-checkpoint": _hub_log_checkpoint,
    "campaigns.sync_received": _campaigns,
    "members.invite_everyone": _invite_everyone,
    "newsletters.send": _newsletters,
    "follows.digest": _follows,
    "follows.prune": _follows_prune,
    "witness": _witness,
    "selections": _selections,
    "motions": _motions,
}


# ----------------------------------------------------------------------------- the tests
def test_every_registered_task_is_arranged(app: Any) -> None:
    """The registry is read from the app: a new task fails here until it has an arrangement."""
    registered = {task.name for task in rooms_of(app).tasks}
    assert registered >= {"ballots", "events.reminders"}
    missing = registered - set(ARRANGEMENTS)
    assert not missing, f"add an arrangement for the new periodic task(s) {sorted(missing)}"


class _Poison:
    """A receiver of ``item_starting``: the first item it sees raises; it records every item seen."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.poisoned: str | None = None
        self.active = True

    def __call__(self, sender: Any, *, task: str, key: str) -> None:
        self.seen.append((task, key))
        if self.active and self.poisoned in (None, key):
            self.poisoned = key
            raise RuntimeError(f"poisoned item {key}")


def _failures() -> dict[str, Any]:
    from node.scheduler.models import TaskFailure

    db.session.expire_all()
    return {f.key: f for f in db.session.scalars(select(TaskFailure))}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=NOT_YET_PER_ITEM[n]))
        if n in NOT_YET_PER_ITEM
        else n
        for n in ARRANGEMENTS
    ],
)
def test_one_failing_item_never_stops_the_others(
    app: Any, make_group: Any, make_member: Any, name: str
) -> None:
    app.config["ALLOW_PRIVATE_PEERS"] = True
    task = next((t for t in rooms_of(app).tasks if t.name == name), None)
    if task is None:
        pytest.skip(f"{name} is not registered on this install")
    start = datetime(2030, 6, 10, 9, 0)
    with clock.frozen(start):
        ARRANGEMENTS[name](make_group, make_member)
    poison = _Poison()
    with signals.item_starting.connected_to(poison, sender=app):
        at = start + timedelta(minutes=5)
        with clock.frozen(at):
            assert scheduler.run_due_tasks()[name] != -1, f"{name} died on one item"
        assert poison.poisoned is not None, f"{name} does not hand its items to each_item"
        others = [key for _, key in poison.seen if key != poison.poisoned]
        assert others, f"{name} stopped after the failing item (saw only {poison.seen})"
        failures = _failures()
        failure = failures.get(poison.poisoned)
        assert failure is not None and failure.attempts == 1, failures
        assert failure.error == f"RuntimeError: poisoned item {poison.poisoned}"
        assert failure.next_attempt_at == at + scheduler.retry_delay(1)
        assert not set(others) & set(failures), "another item failed too"

        poison.seen.clear()
        with clock.frozen(at + timedelta(seconds=30)):  # still in back-off: not retried
            scheduler.run_due_tasks()
        assert _failures()[poison.poisoned].attempts == 1
        assert poison.poisoned not in {key for _, key in poison.seen}

        poison.active = False
        with clock.frozen(at + scheduler.retry_delay(1)):  # retried; it works now
            scheduler.run_due_tasks()
        assert poison.poisoned not in _failures()


def test_a_failure_no_longer_due_is_kept_for_officers_but_not_retried(
    app: Any, make_group: Any
) -> None:
    """each_item itself: retry times double; an item that drops out is marked, then forgotten."""
    from node.scheduler import Item, each_item

    group = make_group("Aston", slug="aston")
    calls: list[str] = []

    def work(value: str) -> int:
        calls.append(value)
        if value == "bad":
            raise ValueError("cannot do it\nsecond line")
        return 1

    items = [Item("t-bad", group.id, "Bad thing", "bad"), Item("t-ok", group.id, "Ok", "ok")]
    start = datetime(2030, 1, 1, 12, 0)
    for minutes, expected_attempts in ((0, 1), (1, 2), (3, 3)):
        with clock.frozen(start + timedelta(minutes=minutes)):
            assert each_item("test.task", items, work) == 1
        failure = _failures()["t-bad"]
        assert failure.attempts == expected_attempts
        assert failure.error == "ValueError: cannot do it"
    assert failure.next_attempt_at == start + timedelta(minutes=3 + 4)
    with clock.frozen(start + timedelta(minutes=8)):
        assert each_item("test.task", items[1:], work) == 1  # "bad" is no longer due
    failure = _failures()["t-bad"]
    assert failure.next_attempt_at is None and failure.attempts == 3
    with clock.frozen(start + timedelta(days=31)):
        each_item("test.task", items[1:], work)
    assert _failures() == {}
