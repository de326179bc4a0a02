"""Every main page, in a real browser at desktop (1280×900) and phone (390×844) size, has zero
axe-core violations of the WCAG 2.1 A and AA rules, of any impact, and does not scroll sideways.

A real server seeded by ``commonground demo`` (a group with ballots, events, campaigns,
programmes and ~30 members) plus an empty national hub. axe-core is the vendored copy in
``tests/data/axe/`` (no network). A failure names each rule, its impact and the elements, so the
fix can start from the message alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import Install

pytestmark = [pytest.mark.slow, pytest.mark.browser]
AXE = Path(__file__).resolve().parents[1] / "data" / "axe" / "axe.min.js"
AXE_SOURCE = AXE.read_text(encoding="utf-8") + "\n;0"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "a-long-test-password"
IDS = """
from sqlalchemy import select
from node.extensions import db
from node.ballots.models import Ballot
from node.campaigns.models import Campaign
from node.education.models import Programme
from node.events.models import Event
from node.members.models import Member
from node.campaigns.models import Action
for name, model in [("ballot", Ballot), ("campaign", Campaign), ("event", Event),
                    ("programme", Programme), ("member", Member), ("action", Action)]:
    print(name, db.session.scalar(select(model.id).order_by(model.id.desc()).limit(1)))
print("counted", db.session.scalar(select(Ballot.id).order_by(Ballot.id).limit(1)))
"""
HUB_OFFICER = f"""
from werkzeug.security import generate_password_hash
from node.extensions import db
from node.groups.operations import get_group
from node.members.models import Account, Member
group = get_group("national")
digest = generate_password_hash({PASSWORD!r}, method="pbkdf2:sha256:1000")
account = Account(email="staff@example.org", password_hash=digest)
db.session.add(account)
db.session.flush()
db.session.add(Member(group_id=group.id, account_id=account.id, email=account.email,
                      name="Hub Staff", role="officer"))
db.session.commit()
print(account.email)
"""


@pytest.fixture(scope="module")
def group(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with Install(tmp_path_factory.mktemp("group")) as install:
        install.cli("demo", "--no-serve")
        out = install.python(IDS)
        install.ids = {line.split()[0]: int(line.split()[1]) for line in out.splitlines()}
        install.start()
        yield install


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with Install(tmp_path_factory.mktemp("hub")) as install:
        install.cli(
            "init",
            "--group",
            "National Hub",
            "--slug",
            "national",
            "--role",
            "hub",
            "--url",
            install.url,
            "--admin",
            "staff@example.org",
        )
        install.email = install.python(HUB_OFFICER).strip()
        install.start()
        yield install


def _signed_in(browser: Any, url: str, email: str, password: str, size: str) -> Any:
    width, height = SIZES[size]
    context = browser.new_context(base_url=url, viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))
    return page


def _violations(page: Any, path: str) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on ``path``, one line per rule with its elements, and
    a line if the page is wider than the window."""
    response = page.goto(path)
    if response is None or response.status >= 400:
        return [f"{path}: HTTP {response.status if response else 'no response'}"]
    # Evaluated through the DevTools protocol, which the page's CSP (no inline scripts) allows,
    # so each page is tested under the CSP it ships with.
    page.evaluate(AXE_SOURCE)
    # WCAG 1.4.10 reflow, which axe leaves out: the page itself never scrolls sideways (a wide
    # table scrolls inside its own region instead).
    wide, viewport = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    reflow = (
        [f"{path}: the page is {wide}px wide in a {viewport}px window"] if wide > viewport else []
    )
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return reflow + [
        f"{path}: {v['id']} ({v['impact']}) {v['help']} — "
        + "; ".join(f"{' '.join(n['target'])} {n['html'][:100]}" for n in v["nodes"][:6])
        for v in result["violations"]
    ]


def _group_pages(ids: dict[str, int]) -> list[str]:
    return [
        "/",
        "/members",
        f"/members/{ids['member']}",
        "/profile",
        "/audit",
        "/ballots",
        f"/ballots/{ids['ballot']}",
        "/events",
        f"/events/{ids['event']}",
        "/campaigns",
        f"/campaigns/{ids['campaign']}",
        "/organising",
        "/education",
        f"/education/{ids['programme']}",
        "/newsletters",
        "/unions",
        f"/ballots/{ids['counted']}",
        f"/ballots/{ids['counted']}/result",
        f"/ballots/{ids['counted']}/papers",
        f"/ballots/{ids['counted']}/turnout",
        f"/ballots/{ids['counted']}/electorate",
        f"/ballots/{ids['counted']}/mail",
        f"/ballots/{ids['counted']}/decision",
        f"/ballots/{ids['ballot']}/turnout",
        "/ballots/new",
        f"/actions/{ids['action']}",
        "/my/commitments",
        "/organising/me",
        f"/organising/members/{ids['member']}",
        "/events/new",
        "/events/feed",
        "/campaigns/new",
        "/education/new",
        "/newsletters/new",
        "/members/invite",
        "/members/invite-everyone",
        "/members/import",
        f"/members/{ids['member']}/edit",
        "/federation/",
        "/federation/admin",
        "/public/settings",
        "/public/applications",
    ]


@pytest.mark.parametrize("size", SIZES)
def test_officer_pages_have_no_violations(browser: Any, group: Any, size: str) -> None:
    from node.demo import DEMO_OFFICER, DEMO_PASSWORD

    page = _signed_in(browser, group.url, DEMO_OFFICER, DEMO_PASSWORD, size)
    found = [line for path in _group_pages(group.ids) for line in _violations(page, path)]
    assert not found, f"{size}: {len(found)} axe violations:\n" + "\n".join(found)

    # The menu marks the page being shown, and only that one.
    page.goto("/members")
    assert page.locator('nav a[aria-current="page"]').all_inner_texts() == ["Members"]
    # A wide table is a region the keyboard reaches; focus shows as a ring at least 2px wide.
    region = page.get_by_role("region", name="Members")
    assert region.get_attribute("tabindex") == "0"
    page.keyboard.press("Tab")
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }"
    )
    assert ring[0] == "solid" and ring[1] >= 2, ring
    assert ring[2] == "rgb(11, 12, 12)", ring  # near-black: contrasts with white and the red header
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_visitor_pages_have_no_violations(browser: Any, group: Any, size: str) -> None:
    width, height = SIZES[size]
    context = browser.new_context(base_url=group.url, viewport={"width": width, "height": height})
    page = context.new_page()
    paths = ("/", "/join", "/signin", "/signin/link", "/reset")
    found = [line for path in paths for line in _violations(page, path)]
    context.close()
    assert not found, f"{size}: {len(found)} axe violations:\n" + "\n".join(found)


@pytest.mark.parametrize("size", SIZES)
def test_hub_pages_have_no_violations(browser: Any, hub: Any, size: str) -> None:
    page = _signed_in(browser, hub.url, hub.email, PASSWORD, size)
    paths = ["/", "/hub/", "/hub/groups", "/hub/candidates", "/hub/campaigns", "/hub/regions"]
    paths += ["/hub/tokens", "/oidc/connections", "/oidc/members", "/members", "/audit"]
    found = [line for path in paths for line in _violations(page, path)]
    page.context.close()
    assert not found, f"{size}: {len(found)} axe violations:\n" + "\n".join(found)


def test_two_charts_on_one_page_have_distinct_ids() -> None:
    """The hub's dashboard shows two charts; each <title> needs its own id for aria-labelledby."""
    from node.hub.charts import stacked_months

    series = {"North West": {"2026-10": 2, "2026-11": 3}}
    ids = {
        re.search(r'<title id="([^"]+)"', str(stacked_months(series, title))).group(1)
        for title in ("Candidate endorsements", "Campaign co-endorsements")
    }
    assert len(ids) == 2, ids
