"""Several processes, one scrape: with PROMETHEUS_MULTIPROC_DIR every process's counters are
added up, and the worker's task backlog is seen, as for gunicorn's workers and
``commonground worker`` sharing the folder."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.metrics.conftest import TOKEN, Scrape

SCRIPT = """
import sys
from flask_migrate import upgrade
from node import create_app

app = create_app()
with app.app_context():
    if sys.argv[1] == "migrate":
        upgrade(revision="heads")
    elif sys.argv[1] == "visit":
        assert app.test_client().get("/healthz").status_code == 200
    elif sys.argv[1] == "work":
        from node.scheduler import run_due_tasks

        run_due_tasks()
    else:
        answer = app.test_client().get("/metrics", headers={"Authorization": "Bearer " + sys.argv[2]})
        sys.stdout.write(answer.get_data(as_text=True))
"""


@pytest.mark.slow
def test_counters_of_separate_processes_are_added_up(tmp_path: Path) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(shared),
        "COMMONGROUND_METRICS_TOKEN": TOKEN,
        "COMMONGROUND_INSTANCE_PATH": str(tmp_path / "instance"),
        "COMMONGROUND_DATABASE_URL": f"sqlite:///{tmp_path / 'node.db'}",
        "COMMONGROUND_SECRET_KEY": secrets.token_urlsafe(48),
        "COMMONGROUND_LOG_LEVEL": "WARNING",
    }

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("migrate")
    run("visit")
    run("visit")
    run("work")  # as `commonground worker` does: its backlog reaches the web's scrape
    page = Scrape(run("scrape", TOKEN))
    assert page.value("commonground_http_requests_total", endpoint="healthz", status="2xx") == 2
    assert page.value("commonground_task_due_items", task="federation.deliver") == 0
    assert {"ballots", "federation.deliver"} <= page.label_values(
        "commonground_task_backlog_items", "task"
    )
    assert list(shared.glob("*.db")), "no process wrote its counters to the shared folder"
