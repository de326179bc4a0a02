"""Shared helpers for the counting tests (kept local to tests/counting)."""

from __future__ import annotations

from pathlib import Path

import pytest

# The real published ballot data lives beside the repository in ../shared.
DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "elections"


@pytest.fixture
def data_dir() -> Path:
    if not DATA_DIR.is_dir():
        pytest.skip(f"real election data not found at {DATA_DIR} (../shared beside the repo)")
    return DATA_DIR
