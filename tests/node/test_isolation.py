"""Tenant isolation, proven by walking EVERY route in the URL map.

Two groups share one install (Host-based tenancy): Alpha at http://alpha.test, Bravo at
http://bravo.test. Each room's ``tests/<room>/isolation.py`` may define ``populate(group, prefix,
people) -> list[int]`` to create its objects for a group, with ``prefix`` in every text field,
returning the ids of what it made. Then, on Alpha's host, every route is requested (every
method, every Bravo id in its integer arguments) as:

(a) an anonymous visitor, (b) a member of Bravo only, (c) a plain member of Alpha where the
view requires more, and (d) Alpha's officer with Bravo's ids —

and each must be refused (redirect to sign-in, 403 or 404) with no trace of the other group's data.
"""

from __future__ import annotations

import importlib
import itertools

import pytest

from node.app import room_names
from node.members.access import LEVELS

ALPHA, BRAVO = "ALPHASECRET", "BRAVOSECRET"
REFUSED = {302, 303, 401, 403, 404, 405}


def _populators():
    found = []
    for room in ("members", *room_names()):
        try:
            module = importlib.import_module(f"tests.{room}.isolation")
        except ModuleNotFoundError:
            continue
        found.append(module.populate)
    return found


def _populate_members(group, prefix, people, make_member):
    made = [
        make_member(
            group,
            "member",
            name=f"{prefix} Member",
            notes=f"{prefix} note",
            workplace=f"{prefix} Works",
            union=f"{prefix} Union",
            account=False,
        )
    ]
    return [m.id for m in made] + [p.id for p in people.values()]


@pytest.fixture
def world(app, make_group, make_member):
    app.config["WTF_CSRF_ENABLED"] = False  # authorisation, not CSRF, is under test here
    groups, ids = {}, {}
    for prefix, host in ((ALPHA, "alpha"), (BRAVO, "bravo")):
        group = make_group(f"{host.title()} Group", slug=host, url=f"http://{host}.test")
        people = {
            role: make_member(
                group, role, email=f"{role}@{host}.example.org", name=f"{prefix} {role.title()}"
            )
            for role in ("member", "organiser", "officer")
        }
        made = _populate_members(group, prefix, people, make_member)
        for populate in _populators():
            made += populate(group, prefix, people)
        groups[prefix] = (group, people)
        ids[prefix] = sorted(set(made))
    return groups, ids


def _urls(app, bravo_ids):
    """Every (endpoint, method, path, access) with integer arguments filled by Bravo's ids."""
    adapter = app.url_map.bind("alpha.test")
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        access = getattr(view, "access", None)
        assert access in LEVELS, f"view {rule.endpoint} declares no access level"
        int_args = [
            a
            for a, conv in rule._converters.items()
            if conv.__class__.__name__ == "IntegerConverter"
        ]
        other = {a: "x" for a in rule.arguments if a not in int_args}
        choices = [bravo_ids[:6] or [1]] * len(int_args)
        for combo in itertools.islice(itertools.product(*choices), 12):
            values = dict(other, **dict(zip(int_args, combo, strict=True)))
            path = adapter.build(rule.endpoint, values, force_external=False)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, path, access


def _request(client, method, path):
    return client.open(path, method=method, base_url="http://alpha.test", data={})


def _assert_clean(response, secrets, where):
    body = response.get_data(as_text=True)
    for secret in secrets:
        assert secret not in body, f"{where}: leaked {secret}"


def test_every_route_declares_access(app):
    missing = [
        r.endpoint
        for r in app.url_map.iter_rules()
        if r.endpoint != "static" and not hasattr(app.view_functions[r.endpoint], "access")
    ]
    assert missing == []


def test_anonymous_sees_nothing(app, world):
    _, ids = world
    client = app.test_client()
    checked = 0
    for endpoint, method, path, access in _urls(app, ids[BRAVO]):
        response = _request(client, method, path)
        where = f"anonymous {method} {path} ({endpoint})"
        _assert_clean(response, [BRAVO], where)
        if access != "public":
            assert response.status_code in REFUSED, where
            _assert_clean(response, [ALPHA], where)
        checked += 1
    assert checked > 10


def test_member_of_another_group_is_refused(app, world):
    groups, ids = world
    client = app.test_client()
    client.sign_in(groups[BRAVO][1]["officer"].email, base_url="http://bravo.test")
    for endpoint, method, path, access in _urls(app, ids[ALPHA] + ids[BRAVO]):
        response = _request(client, method, path)
        where = f"Bravo officer on Alpha: {method} {path} ({endpoint})"
        if access not in ("public", "account"):
            assert response.status_code in REFUSED, where
            _assert_clean(response, [ALPHA, BRAVO], where)
        elif access == "account":
            _assert_clean(response, [ALPHA], where)
        else:  # Alpha's public page shows what Alpha published (endorsements); never Bravo's
            _assert_clean(response, [BRAVO], where)


def test_plain_member_cannot_use_officer_pages(app, world):
    groups, ids = world
    client = app.test_client()
    client.sign_in(groups[ALPHA][1]["member"].email, base_url="http://alpha.test")
    rank = {level: i for i, level in enumerate(LEVELS)}
    for endpoint, method, path, access in _urls(app, ids[ALPHA]):
        if rank[access] <= rank["member"]:
            continue
        response = _request(client, method, path)
        where = f"plain member: {method} {path} ({endpoint}) needs {access}"
        assert response.status_code in REFUSED, where
        _assert_clean(response, [BRAVO], where)


def test_officer_cannot_reach_other_groups_objects_by_id(app, world):
    groups, ids = world
    client = app.test_client()
    client.sign_in(groups[ALPHA][1]["officer"].email, base_url="http://alpha.test")
    for endpoint, method, path, _access in _urls(app, ids[BRAVO]):
        if method != "GET":
            continue
        response = _request(client, "GET", path)
        _assert_clean(response, [BRAVO], f"Alpha officer {path} ({endpoint})")
