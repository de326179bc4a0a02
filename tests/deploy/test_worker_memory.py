"""gunicorn as deployed replaces a worker by its memory, not by a count of requests: over the
ceiling (``COMMONGROUND_WEB_MAX_MEMORY_MB``) a worker finishes what it has and a fresh one takes
over without a request failing; under it, a worker serves on (deploy/gunicorn.conf.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.server import Install

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
REQUESTS = 120  # the hook looks every 50 requests


def _serve(tmp_path: Path, ceiling_mb: str) -> str:
    with Install(tmp_path / "node", workers=1) as node:
        node.init("Walton", slug="walton")
        node.start(env={"COMMONGROUND_WEB_MAX_MEMORY_MB": ceiling_mb}, config=CONFIG)
        statuses = [node.get("/healthz").status_code for _ in range(REQUESTS)]
        node.stop()
        assert statuses == [200] * REQUESTS
        return node.log.read_text()


@pytest.mark.slow
def test_a_worker_over_the_memory_ceiling_is_replaced_without_a_failed_request(tmp_path):
    log = _serve(tmp_path, "1")  # every worker is over 1 MB
    assert log.count("Replacing worker:") >= 2
    assert log.count("Booting worker with pid") >= 3


@pytest.mark.slow
def test_a_worker_under_the_ceiling_serves_on(tmp_path):
    log = _serve(tmp_path, "200")
    assert "Replacing worker:" not in log
    assert log.count("Booting worker with pid") == 1
