"""Spreadsheet formula injection, as a standing test over EVERY CSV export.

Every room's tenant-isolation ``populate`` (tests/<room>/isolation.py) runs with a formula as its
prefix, so every text field it fills starts with ``=HYPERLINK(…)``; members get names, phones,
wards, unions and workplaces starting with each other trigger (``+ - @``, tab, CR). Then every
GET route in the URL map is requested as the group's officer (a node group and a hub group), with
the ids made filled into its integer arguments. No cell of any ``text/csv`` answer may start with
a character a spreadsheet runs as a formula. A new export is covered without anyone adding it
here; and no module may write CSV except through ``node.csv_export``.
"""

from __future__ import annotations

import csv
import inspect
import io
import itertools
import re
from pathlib import Path

import pytest

from node.csv_export import DANGEROUS, cell, unquote
from tests.node.test_isolation import _populators

FORMULA = "=HYPERLINK(CONCAT(A1,B1))"  # no quotes: ballot options refuse them
TRIGGERS = ("+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?\Z")
NODE = Path(__file__).resolve().parents[2] / "node"
# Exports the walk must reach with data (a renamed or dropped route is noticed here).
EXPECTED = {
    "members.export_csv",
    "ballots.electorate_csv",
    "ballots.papers_csv",
    "campaigns.export_csv",
    "campaigns.signups_csv",
    "events.export_csv",
    "events.rsvps_csv",
    "education.enrolments_csv",
    "unions.export_csv",
    "federation.statements_csv",
    "hub.candidates",
    "hub.candidate",
    "hub.campaigns",
    "hub.campaign",
    "hub.regions",
    "hub.groups",
}


def _seed(make_group, make_member, slug, role):  # type: ignore[no-untyped-def]
    group = make_group(f"{slug.title()} Group", slug=slug, url=f"http://{slug}.test", role=role)
    people = {
        r: make_member(group, r, email=f"{r}@{slug}.example.org", name=f"{FORMULA} {r}")
        for r in ("member", "organiser", "officer")
    }
    ids = [p.id for p in people.values()]
    for n, trigger in enumerate(TRIGGERS):
        ids.append(
            make_member(
                group,
                "member",
                email=f"t{n}@{slug}.example.org",
                name=f"{trigger}1+1 name",
                phone=f"{trigger}44 7700 900{n:03}",
                ward=f"{trigger}ward",
                union=f"{trigger}union",
                workplace=f"{trigger}cmd|' /C calc'!A0",
            ).id
        )
    for populate in _populators():
        ids += populate(group, f"{FORMULA} {slug}", people)  # rooms key some rows by prefix
    return group, people, sorted(set(ids))


def _csv_views(app):  # type: ignore[no-untyped-def]
    """Endpoints whose view (or its path) is about CSV: the walk must get a CSV from each."""
    found = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        try:
            source = inspect.getsource(inspect.unwrap(view))
        except (OSError, TypeError):
            source = ""
        if rule.rule.endswith(".csv") or "csv" in source.lower():
            found.add(rule.endpoint)
    return found


def _walk(app, client, base_url, ids, candidates):  # type: ignore[no-untyped-def]
    """Yield (endpoint, path, body) of every CSV answer reachable with GET."""
    adapter = app.url_map.bind(base_url.split("//")[1])
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
            continue
        ints = [a for a, c in rule._converters.items() if type(c).__name__ == "IntegerConverter"]
        other = {a: "x" for a in rule.arguments if a not in ints}
        combos = itertools.product(*[ids] * len(ints))
        limit = 2000 if rule.endpoint in candidates else 1  # others: is it CSV at all?
        for combo in itertools.islice(combos, limit):
            path = adapter.build(rule.endpoint, dict(other, **dict(zip(ints, combo, strict=True))))
            # Pages with a CSV twin (the hub's lists) give it for ?format=csv.
            for query in ("", "?format=csv") if rule.endpoint in candidates else ("",):
                response = client.get(path + query, base_url=base_url)
                if response.mimetype == "text/csv":
                    yield rule.endpoint, path + query, response.get_data(as_text=True)


def _dangerous(value: str) -> bool:
    return value.startswith(DANGEROUS) and not NUMBER.match(value)


def test_no_csv_export_starts_a_cell_with_a_formula(app, make_group, make_member, monkeypatch):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the walk GETs the hub's OIDC pages
    candidates = _csv_views(app)
    reached: set[str] = set()
    formulas = 0
    for slug, role in (("walton", "node"), ("hub", "hub")):
        group, people, ids = _seed(make_group, make_member, slug, role)
        base_url = f"http://{slug}.test"
        client = app.test_client()
        client.sign_in(people["officer"].email, base_url=base_url)
        for endpoint, path, body in _walk(app, client, base_url, ids, candidates):
            reached.add(endpoint)
            for line, row in enumerate(csv.reader(io.StringIO(body, newline="")), 1):
                for value in row:
                    assert not _dangerous(value), f"{path} ({endpoint}) line {line}: {value!r}"
                    formulas += value.startswith("'=HYPERLINK")
    assert reached >= EXPECTED, f"exports the walk did not reach: {EXPECTED - reached}"
    csv_paths = {r.endpoint for r in app.url_map.iter_rules() if r.rule.endswith(".csv")}
    assert csv_paths <= reached, f".csv routes that gave no CSV: {csv_paths - reached}"
    assert formulas > 10  # the seeded formulas really reached the exports, neutralised


def test_every_csv_is_written_by_the_one_writer():
    """No module builds CSV or a text/csv response itself (they would skip the neutralising)."""
    offenders = []
    for path in NODE.rglob("*.py"):
        if path.name == "csv_export.py":
            continue
        text = path.read_text()
        if re.search(r"csv\.(writer|DictWriter)\b|text/csv", text):
            offenders.append(str(path.relative_to(NODE.parent)))
    assert offenders == []


@pytest.mark.parametrize(
    "value",
    [FORMULA, "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx", "＝1+1", "'=1", "''+1", "'", "a=b", ""],
)
def test_neutralised_text_reads_back_unchanged(value):
    written = cell(value)
    assert not _dangerous(written)
    assert unquote(written) == value


def test_numbers_are_not_quoted():
    assert cell(-3) == -3
    assert cell(2.5) == 2.5
