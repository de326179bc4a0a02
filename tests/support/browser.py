"""The ``browser`` fixture: Debian's chromium driven by Playwright, one per test module.

Tests open a fresh context per scenario (``browser.new_context()``), so sharing the browser
within a module keeps them independent. Skipped where chromium is not installed (``.ci/run``
installs it; the run's closing line says how). Every test using this fixture is marked ``slow``
and ``browser`` by ``tests/conftest.py``, so ``make test-fast`` leaves it out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.tools import CHROMIUM, require

ARGS = [
    "--no-sandbox",  # tests run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def accept_invitation(page: Any, link: str, name: str, password: str) -> None:
    """Open an invitation link and join: the same four steps for every person an e2e test signs up."""
    page.goto(link)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Choose a password").fill(password)
    page.get_by_label("Repeat the password").fill(password)
    page.get_by_role("button", name="Join the group").click()
