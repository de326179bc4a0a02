"""Without a token there is no /metrics: the same 404 as any unknown address, and no counting."""

from __future__ import annotations

from typing import Any

import pytest

from tests.metrics.conftest import TOKEN


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in app_config.items() if key != "METRICS_TOKEN"}


def test_metrics_is_not_there_when_no_token_is_set(app, client):
    assert app.config["METRICS_TOKEN"] == ""
    unknown = client.get("/no-such-page")
    for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 404
        assert response.get_data() == unknown.get_data()
    assert "metrics" not in app.view_functions
    assert "commonground.metrics" not in app.extensions
