"""``make screenshots``: the main pages of a demo instance, at desktop (1280×900) and phone
(390×844) size, as PNGs in this folder, with an index (``README.md``) that links them.

A fresh instance in a temporary folder is seeded by ``commonground demo`` (the demo group, its
ballots, events, campaigns and programmes), served by gunicorn as the browser tests serve one
(``tests/support/server.py``), and photographed by the real chromium at ``/usr/bin/chromium``
through Playwright. Only the window is captured (not the whole scrolled page), which keeps each
file small; run it again after changing how a page looks, and commit the PNGs.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
# (file name, what it shows, path; {ids} filled from the demo's rows); None: nobody signed in.
PAGES: dict[str | None, list[tuple[str, str, str]]] = {
    None: [
        ("signin", "Signing in", "/signin"),
        ("join", "Asking to join the group", "/join"),
    ],
    "officer": [
        ("dashboard", "An officer's dashboard", "/"),
        ("members", "The member list", "/members"),
        ("member", "One member's record", "/members/{member}"),
        ("import", "Importing members from a CSV file", "/members/import"),
        ("ballots", "Ballots", "/ballots"),
        ("ballot-kind", "A new ballot: what are you deciding?", "/ballots/new"),
        ("ballot-form", "A new candidate selection", "/ballots/new?kind=candidate-selection"),
        ("ballot-paper", "An open ballot and its paper", "/ballots/{open}"),
        ("ballot-result", "A counted ballot's result, round by round", "/ballots/{counted}/result"),
        ("ballot-papers", "The published papers and “find my paper”", "/ballots/{counted}/papers"),
        ("events", "Events", "/events"),
        ("event", "One event", "/events/{event}"),
        ("campaign", "A campaign and its actions", "/campaigns/{campaign}"),
        ("education", "Political education programmes", "/education"),
        ("audit", "The officers' audit log", "/audit"),
    ],
}
IDS = """
from sqlalchemy import select
from node.extensions import db
from node.ballots.models import Ballot
from node.campaigns.models import Campaign
from node.events.models import Event
from node.members.models import Member
first = lambda stmt: db.session.scalar(stmt.limit(1))
print("open", first(select(Ballot.id).where(Ballot.state == "open")))
print("counted", first(select(Ballot.id).where(Ballot.state == "published")))
print("campaign", first(select(Campaign.id).order_by(Campaign.id)))
print("event", first(select(Event.id).order_by(Event.starts_at)))
print("member", first(select(Member.id).where(Member.role == "member").order_by(Member.name)))
"""


def _shoot(browser: Any, url: str, ids: dict[str, str]) -> list[tuple[str, str]]:
    from node.demo import DEMO_OFFICER, DEMO_PASSWORD

    index = []
    for who, pages in PAGES.items():
        for size, (width, height) in SIZES.items():
            context = browser.new_context(base_url=url, viewport={"width": width, "height": height})
            context.set_default_timeout(60_000)
            page = context.new_page()
            if who is not None:
                page.goto("/signin")
                page.get_by_label("E-mail").fill(DEMO_OFFICER)
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(f"{url}/")
            for name, caption, path in pages:
                response = page.goto(path.format(**ids))
                if response is None or response.status != 200:
                    raise SystemExit(f"{path}: HTTP {response.status if response else '?'}")
                file = f"{name}-{size}.png"
                page.screenshot(path=HERE / file)
                if size == "desktop":
                    index.append((name, caption))
            context.close()
    return index


def _write_index(index: list[tuple[str, str]]) -> None:
    lines = [
        "# Screenshots",
        "",
        "The main pages of the demo instance (`commonground demo`), at desktop and phone size.",
        "Made by `make screenshots` ([take.py](take.py)); run it again after changing a page.",
        "",
        "| Page | Desktop (1280×900) | Phone (390×844) |",
        "| --- | --- | --- |",
    ]
    for name, caption in index:
        lines.append(
            f"| {caption} | [![{caption}, desktop]({name}-desktop.png)]({name}-desktop.png) "
            f"| [![{caption}, phone]({name}-phone.png)]({name}-phone.png) |"
        )
    (HERE / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from tests.support.browser import ARGS
    from tests.support.server import Install
    from tests.support.tools import CHROMIUM

    for old in HERE.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp, Install(Path(tmp) / "demo") as install:
        install.cli("demo", "--no-serve")
        ids = dict(line.split() for line in install.python(IDS).splitlines() if " " in line)
        install.start()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            index = _shoot(browser, install.url, ids)
            browser.close()
    _write_index(index)
    total = sum(f.stat().st_size for f in HERE.glob("*.png"))
    print(f"{len(index) * 2} screenshots, {total // 1024} KB, in {HERE.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
