"""Dead letters: periodic work that keeps failing is given up after GIVE_UP_AFTER attempts,
stays given up (no run retries it), is shown to its own group's officers only as needing a
person, and an officer's "Try again" starts its attempts afresh. Other items and other groups
carry on meanwhile; ``commonground doctor`` counts the given-up items per task.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from node import clock, scheduler, signals
from node.extensions import db
from node.rooms import rooms_of
from node.scheduler import GIVE_UP_AFTER, Item, each_item
from node.scheduler.models import TaskFailure
from tests.security.test_periodic_tasks import ARRANGEMENTS

START = datetime(2030, 6, 10, 9, 0)


def _failures() -> dict[str, TaskFailure]:
    db.session.expire_all()
    return {f.key: f for f in db.session.scalars(select(TaskFailure))}


def test_an_item_is_given_up_after_the_limit_and_only_a_person_brings_it_back(
    app: Any, make_group: Any, make_member: Any
) -> None:
    from node.scheduler import dead_letters

    aston, bootle = make_group("Aston", slug="aston"), make_group("Bootle", slug="bootle")
    officer = make_member(aston, "officer")
    calls: list[str] = []
    broken = {"bad"}

    def work(value: str) -> int:
        calls.append(value)
        if value in broken:
            raise ValueError("the peer answered nonsense")
        return 1

    items = [
        Item("t-bad", aston.id, "Deliver to Peer", "bad"),
        Item("t-ok", aston.id, "Aston's other work", "ok"),
        Item("t-bootle", bootle.id, "Bootle's work", "bootle"),
    ]
    at = START
    for attempt in range(1, GIVE_UP_AFTER + 1):
        with clock.frozen(at):
            assert each_item("test.task", items, work) == 2  # the others are never held up
        failure = _failures()["t-bad"]
        assert failure.attempts == attempt
        if attempt < GIVE_UP_AFTER:
            assert failure.given_up_at is None and failure.next_attempt_at is not None
            at = failure.next_attempt_at
    assert failure.given_up_at == at and failure.next_attempt_at is None
    assert at - START > timedelta(hours=18), "about a day of trying before giving up"
    assert set(_failures()) == {"t-bad"}

    calls.clear()  # given up: never retried by itself, and never forgotten while still due
    for later in (timedelta(hours=6), timedelta(days=40)):
        with clock.frozen(at + later):
            assert each_item("test.task", items, work) == 2
    assert "bad" not in calls and calls.count("ok") == 2
    assert _failures()["t-bad"].given_up_at == at

    broken.clear()  # a person fixed the cause, then an officer tries it again
    with clock.frozen(at + timedelta(days=41)):
        dead_letters.retry(_failures()["t-bad"], aston, officer)
        db.session.commit()
        retried = _failures()["t-bad"]
        assert (retried.attempts, retried.given_up_at) == (0, None)
        assert each_item("test.task", items, work) == 3
    assert _failures() == {}


def test_a_dismissed_dead_letter_is_hidden_and_still_not_retried(
    app: Any, make_group: Any, make_member: Any
) -> None:
    from node.errors import Conflict
    from node.scheduler import dead_letters
    from node.scheduler.setup import failures

    aston = make_group("Aston", slug="aston")
    officer = make_member(aston, "officer")
    calls: list[str] = []

    def work(value: str) -> int:
        calls.append(value)
        raise ValueError("still broken")

    items = [Item("t-bad", aston.id, "Bad", "bad")]
    with clock.frozen(START):
        each_item("test.task", items, work)
        with pytest.raises(Conflict):  # still retried by itself: nothing for a person to do
            dead_letters.dismiss(_failures()["t-bad"], aston, officer)
        failure = _failures()["t-bad"]
        failure.attempts, failure.next_attempt_at = GIVE_UP_AFTER - 1, START
        db.session.commit()
        each_item("test.task", items, work)
        assert _failures()["t-bad"].given_up_at == START
        assert [f.key for f in failures(aston)] == ["t-bad"]
        dead_letters.dismiss(_failures()["t-bad"], aston, officer)
        db.session.commit()
    assert failures(aston) == []
    calls.clear()
    with clock.frozen(START + timedelta(days=2)):
        each_item("test.task", items, work)
    assert calls == [] and _failures()["t-bad"].given_up_at == START


class _Poison:
    """Makes the first item of a task fail on every run; records every item it sees."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.poisoned: str | None = None

    def __call__(self, sender: Any, *, task: str, key: str) -> None:
        self.seen.append(key)
        if self.poisoned in (None, key):
            self.poisoned = key
            raise RuntimeError(f"poisoned item {key}")


@pytest.mark.parametrize("name", list(ARRANGEMENTS))
def test_every_task_gives_up_its_poisoned_item_and_carries_on(
    app: Any, make_group: Any, make_member: Any, name: str
) -> None:
    """In each registered task, the item failing for the last allowed time is given up; the
    other group's item ran, and later runs skip the given-up item only."""
    app.config["ALLOW_PRIVATE_PEERS"] = True
    if name not in {t.name for t in rooms_of(app).tasks}:
        pytest.skip(f"{name} is not registered on this install")
    with clock.frozen(START):
        ARRANGEMENTS[name](make_group, make_member)
    poison = _Poison()
    at = START + timedelta(minutes=5)
    with signals.item_starting.connected_to(poison, sender=app):
        with clock.frozen(at):
            assert scheduler.run_due_tasks()[name] != -1
        assert poison.poisoned is not None
        failure = _failures()[poison.poisoned]
        # The attempts before the last are proven by the focused test above; here the item is
        # one failure short of the limit, retried when its back-off ends.
        failure.attempts, retry_at = GIVE_UP_AFTER - 1, failure.next_attempt_at
        db.session.commit()
        poison.seen.clear()
        with clock.frozen(retry_at):
            assert scheduler.run_due_tasks()[name] != -1
        failure = _failures()[poison.poisoned]
        assert failure.attempts == GIVE_UP_AFTER and failure.given_up_at is not None
        assert failure.group_id is not None or name == "hub-sweep"
        poison.seen.clear()
        with clock.frozen(at + timedelta(hours=7)):
            scheduler.run_due_tasks()
        assert poison.poisoned not in poison.seen
    failures = _failures()
    assert [k for k, f in failures.items() if f.given_up_at] == [poison.poisoned]


# ----------------------------------------------------------------------------- officers' view
@pytest.fixture
def dead_letters_of_two_groups(app: Any, make_group: Any, make_member: Any) -> dict[str, Any]:
    from tests.scheduler.isolation import populate

    made: dict[str, Any] = {}
    for slug in ("aston", "bootle"):
        group = make_group(slug.title(), slug=slug)
        people = {role: make_member(group, role) for role in ("member", "officer")}
        (failure_id,) = populate(group, slug.upper(), people)
        made[slug] = {"group": group, "failure_id": failure_id, **people}
    return made


ASTON = "http://aston.test"


def test_officers_see_their_own_dead_letters_and_retry_or_dismiss_them(
    client: Any, dead_letters_of_two_groups: dict[str, Any]
) -> None:
    aston, bootle = dead_letters_of_two_groups["aston"], dead_letters_of_two_groups["bootle"]
    client.sign_in(aston["officer"].email, base_url=ASTON)
    page = client.get("/", base_url=ASTON).get_data(as_text=True)
    assert "Given up — needs a person" in page and "ASTON work" in page
    assert "BOOTLE" not in page

    own = f"/background-work/{aston['failure_id']}"
    other = f"/background-work/{bootle['failure_id']}"
    for action in ("retry", "dismiss"):  # another group's dead letter is simply not found
        response = client.post_form(f"{other}/{action}", page="/", base_url=ASTON)
        assert response.status_code == 404
    assert client.post(f"{own}/retry", base_url=ASTON).status_code == 400  # no CSRF token

    response = client.post_form(f"{own}/retry", page="/", base_url=ASTON)
    assert response.status_code == 302
    failures = _failures()
    assert failures[f"isolation-{aston['group'].id}"].given_up_at is None
    assert failures[f"isolation-{aston['group'].id}"].attempts == 0
    assert failures[f"isolation-{bootle['group'].id}"].given_up_at is not None
    assert "will be tried again" in client.get("/", base_url=ASTON).get_data(as_text=True)

    again = client.post_form(f"{own}/dismiss", page="/", base_url=ASTON)
    assert again.status_code == 409  # no longer given up: nothing to dismiss


def test_members_cannot_see_or_press_the_buttons(
    client: Any, dead_letters_of_two_groups: dict[str, Any]
) -> None:
    aston = dead_letters_of_two_groups["aston"]
    client.sign_in(aston["member"].email, base_url=ASTON)
    assert "ASTON work" not in client.get("/", base_url=ASTON).get_data(as_text=True)
    own = f"/background-work/{aston['failure_id']}/retry"
    assert client.post_form(own, page="/", base_url=ASTON).status_code == 403
    assert _failures()[f"isolation-{aston['group'].id}"].given_up_at is not None


def test_doctor_counts_dead_letters_per_task(
    monkeypatch: Any, app: Any, database: Any, dead_letters_of_two_groups: dict[str, Any]
) -> None:
    from node.cli import cli

    monkeypatch.setenv("COMMONGROUND_INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("COMMONGROUND_DATABASE_URL", database.url)
    monkeypatch.setenv("COMMONGROUND_SECRET_KEY", secrets.token_urlsafe(48))
    result = CliRunner().invoke(cli, ["doctor"])
    assert "WARN dead letters: test.isolation: 2 item(s) given up" in result.output, result.output
    assert "Try again" in result.output
