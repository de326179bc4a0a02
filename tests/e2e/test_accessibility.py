"""Every page of every role, in a real browser at desktop (1280×900) and phone (390×844) size,
has zero axe-core violations of the WCAG 2.1 A and AA rules, of any impact, and does not scroll
sideways.

The pages are not a hand list: they come from the tenant-isolation walk's sources. Each room's
``tests/<room>/isolation.py`` populates a group (here, on top of ``commonground demo``'s seeds: a
group with ballots, events, campaigns, programmes and ~30 members, and on an empty national
hub), and every GET rule of the URL map is filled with the ids of its kind (then any populated
id) until the role gets a page: a 200 with HTML. Each role (anonymous, member, officer, hub
staff) walks every route its access level allows, plus the links of its menu. axe-core is the
vendored copy in ``tests/data/axe/`` (no network). A failure names each rule, its impact and the
elements, so the fix can start from the message alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from node.members.access import LEVELS
from tests.support.server import Install

pytestmark = [pytest.mark.slow, pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "data" / "axe" / "axe.min.js"
AXE_SOURCE = AXE.read_text(encoding="utf-8") + "\n;0"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "a-long-test-password"
PROBES = 24  # paths tried per route before giving up on finding one this role may see
SHOWN_STATES = 3  # a show page is walked in up to this many states (a draft, an open, a counted…)
# Fewest pages each role must reach: a walk that quietly found nothing would pass otherwise.
AT_LEAST = {"anonymous": 6, "member": 25, "officer": 70, "hub": 15}

# Run in the install's own process (app context bound): people to sign in as, every room's
# isolation rows for the install's group, then every GET rule with the paths to try for it.
WALK = f"""
import importlib, itertools, json, re, sys
sys.path.insert(0, {str(ROOT)!r})
from sqlalchemy import select
from werkzeug.security import generate_password_hash
from node.app import room_names
from node.extensions import db
from node.groups.models import Group
from node.members.models import Account, Member

group = db.session.scalar(select(Group).order_by(Group.id).limit(1))
digest = generate_password_hash({PASSWORD!r}, method="pbkdf2:sha256:1000")


def person(role, email):
    account = Account(email=email, password_hash=digest)
    db.session.add(account)
    db.session.flush()
    member = Member(group_id=group.id, account_id=account.id, email=email,
                    name="Walk " + role.title(), role=role)
    db.session.add(member)
    db.session.flush()
    return member


people = {{role: person(role, role + ".walk@example.org")
          for role in ("member", "organiser", "officer")}}
made = []
for room in ("members", *room_names()):
    try:
        module = importlib.import_module("tests." + room + ".isolation")
    except ModuleNotFoundError:
        continue
    made += module.populate(group, "Walk", people)
db.session.commit()


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


models = {{}}
for mapper in db.Model.registry.mappers:
    cls = mapper.class_
    models.setdefault(snake(cls.__name__), cls)
    models.setdefault(cls.__tablename__, cls)


def ids_for(arg):
    base = arg.removesuffix("_id")
    cls = models.get(base) or models.get(base + "s")
    found = []
    if cls is not None and "id" in cls.__table__.c:
        stmt = select(cls.id)
        if "group_id" in cls.__table__.c:
            stmt = stmt.where(cls.group_id == group.id)
        found = list(db.session.scalars(stmt.order_by(cls.id.desc()).limit(12)))
    return found + [i for i in sorted(set(made)) if i not in found]


adapter = app.url_map.bind("localhost")
routes = []
for rule in app.url_map.iter_rules():
    if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
        continue
    ints = [a for a, c in rule._converters.items() if type(c).__name__ == "IntegerConverter"]
    other = {{a: "x" for a in rule.arguments if a not in ints}}
    combos = itertools.islice(itertools.product(*[ids_for(a) for a in ints]), {PROBES})
    paths = [adapter.build(rule.endpoint, dict(other, **dict(zip(ints, c)))) for c in combos]
    access = getattr(app.view_functions[rule.endpoint], "access", "officer")
    routes.append({{"endpoint": rule.endpoint, "access": access, "paths": paths}})
print("WALK " + json.dumps(routes))
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


def _routes(install: Install) -> list[dict[str, Any]]:
    out = install.python(WALK)
    line = next(line for line in out.splitlines() if line.startswith("WALK "))
    routes: list[dict[str, Any]] = json.loads(line.removeprefix("WALK "))
    return routes


@pytest.fixture(scope="module")
def group(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with Install(tmp_path_factory.mktemp("group")) as install:
        install.cli("demo", "--no-serve")
        install.routes = _routes(install)
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
        install.routes = _routes(install)
        install.start()
        yield install


# Each role: the install, who signs in (None: nobody) and the access level it walks up to.
ROLES = {
    "anonymous": ("group", None, "public"),
    "member": ("group", "member.walk@example.org", "member"),
    "officer": ("group", "demo-officer", "officer"),
    "hub": ("hub", "staff", "officer"),
}
_walked: dict[str, list[str]] = {}


def _page(browser: Any, install: Any, who: str | None, size: str) -> Any:
    from node.demo import DEMO_OFFICER, DEMO_PASSWORD

    width, height = SIZES[size]
    context = browser.new_context(base_url=install.url, viewport={"width": width, "height": height})
    context.set_default_timeout(120_000)
    # axe-core in every document of the context, through the DevTools protocol (which the
    # page's CSP, no inline scripts, allows): each page is tested under the CSP it ships with.
    context.add_init_script(script=AXE_SOURCE)
    page = context.new_page()
    if who is None:
        return page
    email, password = {
        "demo-officer": (DEMO_OFFICER, DEMO_PASSWORD),
        "staff": (getattr(install, "email", ""), PASSWORD),
    }.get(who, (who, PASSWORD))
    page.goto("/signin")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))
    return page


def _is_page(page: Any, path: str) -> bool:
    response = page.request.get(path, max_redirects=0)
    html = response.headers.get("content-type", "").startswith("text/html")
    return response.status == 200 and html


def _walk(page: Any, routes: list[dict[str, Any]], level: str) -> list[str]:
    """The paths this signed-in (or not) page may see: per route, the first path (or, for a show
    page, the first few) answering 200 with HTML; then the menu's links not already there."""
    found: list[str] = []
    for route in routes:
        if LEVELS.index(route["access"]) > LEVELS.index(level):
            continue
        wanted = SHOWN_STATES if route["endpoint"].endswith(".show") else 1
        hits = [path for path in route["paths"][:PROBES] if _is_page(page, path)][:wanted]
        found += hits
    page.goto("/")
    menu = page.locator("nav a[href]").evaluate_all(
        "links => links.filter(a => a.origin === location.origin).map(a => a.pathname)"
    )
    found += [path for path in dict.fromkeys(menu) if path not in found and _is_page(page, path)]
    return found


def _violations(page: Any, path: str) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on ``path``, one line per rule with its elements, and
    a line if the page is wider than the window."""
    response = page.goto(path)
    if response is None or response.status >= 400:
        return [f"{path}: HTTP {response.status if response else 'no response'}"]
    # WCAG 1.4.10 reflow, which axe leaves out: the page itself never scrolls sideways (a wide
    # table scrolls inside its own region instead).
    wide, viewport = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    reflow = (
        [f"{path}: the page is {wide}px wide in a {viewport}px window"] if wide > viewport else []
    )
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return reflow + [
        f"{path}: {v['id']} ({v['impact']}) {v['help']} — "
        + "; ".join(f"{' '.join(n['target'])} {n['html'][:100]}" for n in v["nodes"][:6])
        for v in result["violations"]
    ]


def _on_one_worker(role: str) -> Any:
    """A role's two sizes, and all roles of one install, on one xdist worker: the install is
    built and each role's pages are found once (the walk), not once per worker."""
    return pytest.param(role, marks=pytest.mark.xdist_group(f"a11y-{ROLES[role][0]}"))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", [_on_one_worker(role) for role in ROLES])
def test_every_page_of_every_role_has_no_violations(
    request: pytest.FixtureRequest, browser: Any, role: str, size: str
) -> None:
    fixture, who, level = ROLES[role]
    install = request.getfixturevalue(fixture)
    page = _page(browser, install, who, size)
    if role not in _walked:  # the same pages at both sizes
        _walked[role] = _walk(page, install.routes, level)
    paths = _walked[role]
    assert len(paths) >= AT_LEAST[role], f"{role} reached only {paths}"
    found = [line for path in paths for line in _violations(page, path)]
    page.context.close()
    assert not found, f"{role}, {size}: {len(found)} axe violations:\n" + "\n".join(found)


@pytest.mark.xdist_group("a11y-group")
@pytest.mark.parametrize("size", SIZES)
def test_menu_marks_the_page_and_focus_is_visible(browser: Any, group: Any, size: str) -> None:
    page = _page(browser, group, "demo-officer", size)
    # The menu marks the page being shown, and only that one.
    page.goto("/members")
    current = page.locator('nav a[aria-current="page"]')
    assert current.count() == 1 and current.evaluate("a => a.pathname") == "/members"
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


def test_two_charts_on_one_page_have_distinct_ids() -> None:
    """The hub's dashboard shows two charts; each <title> needs its own id for aria-labelledby."""
    from node.hub.charts import stacked_months

    series = {"North West": {"2026-10": 2, "2026-11": 3}}
    ids = {
        re.search(r'<title id="([^"]+)"', str(stacked_months(series, title))).group(1)
        for title in ("Candidate endorsements", "Campaign co-endorsements")
    }
    assert len(ids) == 2, ids
