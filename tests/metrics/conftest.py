"""An app with /metrics switched on (a token set), the federation tests' two groups talking over
in-process HTTP, and a scrape helper that parses the exposition the way Prometheus would."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.peering.conftest import followed, shepperton, walton, wsgi  # noqa: F401 (fixtures)

TOKEN = "metrics-test-token-0123456789abcdef"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "METRICS_TOKEN": TOKEN}


class Scrape:
    """One parsed scrape: ``value(name, **labels)`` of a sample, 0 when it is absent."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                self.samples[(sample.name, frozenset(sample.labels.items()))] = sample.value

    def value(self, name: str, **labels: str) -> float:
        return self.samples.get((name, frozenset(labels.items())), 0.0)

    def label_values(self, name: str, label: str) -> set[str]:
        return {
            dict(lbls)[label] for (n, lbls) in self.samples if n == name and label in dict(lbls)
        }


def scrape(client: Any) -> Scrape:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return Scrape(response.get_data(as_text=True))
