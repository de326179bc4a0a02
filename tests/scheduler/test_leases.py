"""Leases: an item another worker holds is skipped (not waited for, not counted as a failure), a
dead worker's lease is taken over once it has run out, and a finished or failed item leaves no
lease behind. The lease is committed before the work starts, so other workers see it while the
item is done. Two real worker processes: ``test_many_workers.py``."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select, text, update

from node import clock
from node.extensions import db
from node.scheduler import Item, each_item, leases
from node.scheduler.models import TaskFailure, TaskLease

TASK = "test.leases"


def _lease(key: str, holder: str, until: Any) -> None:
    db.session.add(TaskLease(task=TASK, key=key, claimed_by=holder, lease_until=until))
    db.session.commit()


def _items(*keys: str) -> list[Item[str]]:
    return [Item(key, None, f"item {key}", key) for key in keys]


def _leases() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(r.key, r.claimed_by) for r in db.session.scalars(select(TaskLease))]


def test_an_item_leased_to_a_live_worker_is_skipped_and_the_rest_done(app: Any) -> None:
    _lease("busy", "other-host:123:abcd", clock.utcnow_naive() + timedelta(minutes=5))
    done: list[str] = []
    assert each_item(TASK, _items("a", "busy", "b"), lambda key: done.append(key) or 1) == 2
    assert done == ["a", "b"]
    assert _leases() == [("busy", "other-host:123:abcd")], "only the other worker's lease is left"
    assert db.session.scalars(select(TaskFailure)).all() == [], "being busy is not a failure"


def test_a_dead_workers_lease_is_taken_over_once_it_has_run_out(app: Any, caplog: Any) -> None:
    _lease("orphan", "dead-host:99:dead", clock.utcnow_naive() - timedelta(seconds=1))
    done: list[str] = []
    with caplog.at_level(logging.WARNING, logger="node.scheduler.leases"):
        assert each_item(TASK, _items("orphan"), lambda key: done.append(key) or 1) == 1
    assert done == ["orphan"]
    assert _leases() == []
    assert "took over orphan from dead-host:99:dead" in caplog.text


def test_a_lease_of_an_ended_process_on_this_machine_is_taken_over_at_once(
    app: Any, caplog: Any
) -> None:
    """A worker killed and restarted (systemd) on the same machine does not leave its batch
    waiting a whole lease; a live process's lease, here or elsewhere, is still respected."""
    import socket
    import subprocess
    import sys

    host = socket.gethostname()[:80]
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    soon = clock.utcnow_naive() + timedelta(minutes=10)
    _lease("crashed", f"{host}:{int(ended.stdout)}:dead", soon)
    _lease("alive", f"{host}:1:beef", soon)  # pid 1 lives as long as the machine does
    _lease("elsewhere", f"other-{host}:{int(ended.stdout)}:beef", soon)
    done: list[str] = []
    with caplog.at_level(logging.WARNING, logger="node.scheduler.leases"):
        each_item(TASK, _items("crashed", "alive", "elsewhere"), lambda k: done.append(k) or 1)
    assert done == ["crashed"]
    assert "took over crashed" in caplog.text and "its process has ended" in caplog.text


def test_the_lease_is_visible_to_other_workers_while_the_item_runs(app: Any) -> None:
    seen: list[Any] = []

    def work(key: str) -> int:
        with db.engine.connect() as other:  # another worker's connection
            seen.extend(other.execute(text("SELECT key, claimed_by FROM task_leases")).all())
        return 1

    each_item(TASK, _items("x"), work)
    assert [tuple(row) for row in seen] == [("x", leases.worker_id())]
    assert _leases() == []


def test_a_failed_item_gives_its_lease_back_and_is_retried_by_the_usual_back_off(
    app: Any,
) -> None:
    def work(key: str) -> int:
        raise RuntimeError("poisoned")

    assert each_item(TASK, _items("bad"), work) == 0
    assert _leases() == []
    failure = db.session.scalars(select(TaskFailure)).one()
    assert (failure.key, failure.attempts) == ("bad", 1)


def test_a_worker_reclaims_its_own_lease_and_a_claim_is_refused_to_others(app: Any) -> None:
    assert leases.claim(TASK, "k") is True
    assert leases.claim(TASK, "k") is True, "the holder itself may go on"
    db.session.execute(update(TaskLease).values(claimed_by="other-host:1:beef"))
    db.session.commit()
    assert leases.claim(TASK, "k") is False


def test_an_item_whose_lease_was_taken_over_during_the_run_is_skipped(app: Any) -> None:
    """The run claims a batch at once; when it reaches an item whose lease another worker took
    over meanwhile (it ran out), the renewal finds it is not ours and the item is left alone."""
    done: list[str] = []

    def work(key: str) -> int:
        if key == "a":  # while "a" runs, another worker takes "b" over
            db.session.execute(
                update(TaskLease).where(TaskLease.key == "b").values(claimed_by="other:2:cafe")
            )
        done.append(key)
        return 1

    assert each_item(TASK, _items("a", "b", "c"), work) == 2
    assert done == ["a", "c"]
    assert _leases() == [("b", "other:2:cafe")]
