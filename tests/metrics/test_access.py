"""Who may read /metrics: only a request with the configured bearer token."""

from __future__ import annotations

import pytest

from tests.metrics.conftest import TOKEN, scrape


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer ",
        "Bearer wrong-token-0123456789abcdef0000",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        TOKEN,
    ],
)
def test_a_missing_or_wrong_token_is_refused_and_shows_nothing(client, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "commonground_" not in response.get_data(as_text=True)


def test_the_right_token_gets_a_parsable_exposition(client):
    page = scrape(client)  # checks the status and the content type, then parses
    assert "# HELP commonground_task_due_items " in page.text
    assert page.label_values("commonground_task_due_items", "task") >= {
        "ballots",
        "federation.deliver",
        "federation.pull",
    }
    assert "process_resident_memory_bytes" in page.text


def test_the_token_is_a_setting_with_a_floor():
    from node.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="COMMONGROUND_METRICS_TOKEN"):
        load_config({"COMMONGROUND_METRICS_TOKEN": "short"})
    config = load_config({"COMMONGROUND_METRICS_TOKEN": f" {TOKEN} "})
    assert config["METRICS_TOKEN"] == TOKEN
    assert load_config({})["METRICS_TOKEN"] == ""
