"""What a scrape reports: requests by endpoint, ingest, periodic work, deliveries per peer — and
nothing about members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from node import clock
from node.extensions import db
from node.peering import worker
from node.scheduler import run_due_tasks
from node.scheduler.models import TaskFailure
from tests.metrics.conftest import scrape
from tests.peering.conftest import publish

REQUESTS = "commonground_http_requests_total"
LATENCY_COUNT = "commonground_http_request_duration_seconds_count"
INGESTED = "commonground_statements_ingested_total"


def test_requests_are_counted_by_endpoint_and_status_class_not_by_path(client):
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get("/no/such/page/xyzzy-secret-token").status_code == 404
    after = scrape(client)
    ok = {"endpoint": "healthz", "status": "2xx"}
    assert after.value(REQUESTS, **ok) - before.value(REQUESTS, **ok) == 3
    assert after.value(LATENCY_COUNT, **ok) - before.value(LATENCY_COUNT, **ok) == 3
    assert after.value(REQUESTS, endpoint="unmatched", status="4xx") == 1
    assert "xyzzy" not in after.text and "/no/such" not in after.text
    # the first scrape itself was counted once it had answered
    assert after.value(REQUESTS, endpoint="metrics", status="2xx") >= 1


def test_each_app_counts_in_its_own_registry(app, client, app_config):
    from node import create_app

    other = create_app(app_config)
    other_client = other.test_client()
    client.get("/healthz")
    with other.app_context():
        other_page = scrape(other_client)
    assert other_page.value(REQUESTS, endpoint="healthz", status="2xx") == 0
    assert scrape(client).value(REQUESTS, endpoint="healthz", status="2xx") == 1


def test_ingest_and_deliveries_per_peer(app, client, wsgi, walton, shepperton, followed):
    start = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    with clock.frozen(start):
        before = scrape(client).value(INGESTED, type="candidate-endorsement")
        publish(shepperton)  # one delivery to Walton's inbox, due now
        clock.advance(timedelta(minutes=10))
        waiting = scrape(client)
        assert (
            waiting.value("commonground_deliveries", peer="http://walton.test", state="pending")
            == 1
        )
        assert waiting.value("commonground_task_due_items", task="federation.deliver") == 1
        assert (
            waiting.value("commonground_task_oldest_due_seconds", task="federation.deliver") == 600
        )
        assert waiting.value(INGESTED, type="candidate-endorsement") == before
        assert worker.deliver_due() == 1  # pushed through Walton's inbox on this same app
        after = scrape(client)
    assert after.value(INGESTED, type="candidate-endorsement") == before + 1
    assert after.value("commonground_deliveries", peer="http://walton.test", state="pending") == 0
    assert after.value("commonground_task_due_items", task="federation.deliver") == 0
    assert after.value("commonground_statements_held") == 2  # Shepperton's own, Walton's copy
    inbox = {"endpoint": "federation_api.inbox", "status": "2xx"}
    assert after.value(REQUESTS, **inbox) - waiting.value(REQUESTS, **inbox) == 1


def test_a_failing_peer_shows_as_failed_deliveries_and_an_open_circuit(
    app, client, wsgi, walton, shepperton, followed
):
    wsgi.down.add("walton.test")
    publish(shepperton)
    for _ in range(6):  # enough refusals in a row to open the breaker
        worker.deliver_due()
        clock.advance(timedelta(hours=1))
    page = scrape(client)
    states = {
        state: page.value("commonground_deliveries", peer="http://walton.test", state=state)
        for state in ("pending", "failed", "dead")
    }
    assert sum(states.values()) == 1, states
    assert page.value("commonground_peer_circuit_open", peer="http://walton.test") == 1


def test_periodic_work_runs_failures_and_dead_letters(app, client, group):
    now = clock.utcnow_naive()
    common = {"group_id": group.id, "first_failed_at": now, "last_failed_at": now, "error": "x"}
    db.session.add_all(
        [
            TaskFailure(
                task="federation.pull",
                key="pull:901",
                label="Pulling from a peer",
                attempts=2,
                next_attempt_at=now + timedelta(minutes=2),
                **common,
            ),
            TaskFailure(
                task="federation.pull",
                key="pull:902",
                label="Pulling from another",
                attempts=12,
                next_attempt_at=None,
                given_up_at=now,
                **common,
            ),
            TaskFailure(  # no longer due: neither retried nor a dead letter
                task="federation.pull",
                key="pull:903",
                label="Pulling from a third",
                attempts=1,
                next_attempt_at=None,
                **common,
            ),
        ]
    )
    db.session.commit()
    page = scrape(client)
    # (a task other than ballots: any request may run the ballots' due work, which would retire
    # these made-up failures of items that are not due)
    assert page.value("commonground_task_failing_items", task="federation.pull") == 1
    assert page.value("commonground_task_dead_letters", task="federation.pull") == 1
    done = run_due_tasks()
    page = scrape(client)
    for task, count in done.items():
        outcome = "ok" if count >= 0 else "failed"
        assert page.value("commonground_task_runs_total", task=task, outcome=outcome) == 1, task
        assert page.value("commonground_task_run_duration_seconds_count", task=task) == 1


def test_no_member_names_or_addresses_appear(app, client, group, make_member, officer_client):
    make_member(group, name="Zebedee Quorn", email="zebedee.quorn@example.org")
    officer_client.get("/members/")
    officer_client.get("/members/?q=zebedee.quorn%40example.org")
    text = scrape(client).text.lower()
    for needle in ("zebedee", "quorn", "@example.org", group.slug + ".test"):
        assert needle not in text, needle
