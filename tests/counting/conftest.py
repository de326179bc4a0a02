"""Shared helpers for the counting tests (kept local to tests/counting)."""

from __future__ import annotations

from pathlib import Path

import pytest

# Real published ballot data, vendored with its sources in tests/data/elections/README.md.
DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "elections"


@pytest.fixture
def data_dir() -> Path:
    return DATA_DIR
