"""System tools some tests need (chromium, shellcheck, caddy, systemd-analyze), and how such a
test skips where the tool is missing.

Every such skip carries the reason prefix :data:`PREFIX`, so ``tests/conftest.py`` can gather
them into one closing line that names the tools and the command installing them (a newcomer who is
not root still gets a green run and the way to a full one), and fail the run on CI, where
``.ci/run`` installs the tools and a skip would mean a check silently not done.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

PREFIX = "needs system tool "

# tool -> Debian package that provides it (what .ci/run installs)
PACKAGES = {
    "chromium": "chromium",
    "shellcheck": "shellcheck",
    "caddy": "caddy",
    "systemd-analyze": "systemd",
}
CHROMIUM = "/usr/bin/chromium"  # Debian's build; Playwright drives it, it downloads no browser

_REASON = re.compile(re.escape(PREFIX) + r"(\S+)")


def available(tool: str) -> bool:
    if tool == "chromium":
        return Path(CHROMIUM).exists()
    return shutil.which(tool) is not None


def reason(tool: str) -> str:
    return f"{PREFIX}{tool} (apt package {PACKAGES[tool]})"


def tool_in(skip_reason: str) -> str | None:
    """The tool a skip reason names, or None for any other skip."""
    found = _REASON.search(skip_reason)
    return found.group(1) if found else None


def needs(tool: str) -> pytest.MarkDecorator:
    """Mark a test that runs ``tool``: it skips, with the shared reason, where it is missing."""
    return pytest.mark.skipif(not available(tool), reason=reason(tool))


def require(tool: str) -> None:
    """Skip the calling test or fixture, with the shared reason, where ``tool`` is missing."""
    if not available(tool):
        pytest.skip(reason(tool))


def install_command(tools: list[str]) -> str:
    packages = sorted({PACKAGES.get(t, t) for t in tools})
    return "sudo apt-get install " + " ".join(packages)
