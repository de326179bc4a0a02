"""Standing test, open redirects (issue 13, finding 5): no ``next`` sends a browser off-site.

Three layers, so that a new route is covered without anyone remembering it:

1. Every module of ``node`` that reads a ``next`` parameter from the request is found by a
   search of the source; the set must equal ``READERS``, whose success paths are tried below
   with every trick. A new reader fails the test until it is added there (and goes through
   ``node.auth.redirects.safe_next``).
2. Every GET route of the URL map is requested with hostile ``next`` values, anonymously and as
   a signed-in officer; no response may redirect to the hostile host.
3. ``safe_next`` itself is property-tested: whatever it returns is a path on this site as a
   browser would read it (tab/CR/LF dropped, backslash read as slash).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.auth.redirects import safe_next
from tests.support.fixtures import PASSWORD

ROOT = Path(__file__).resolve().parents[2] / "node"
HOST = "localhost"
EVIL = "evil.example"

# The modules that read ``next`` from a request, and the test below that tries each one.
READERS = {"auth/views.py": "test_sign_in_never_redirects_off_site"}

HOSTILE = [
    "//evil.example/x",
    "///evil.example/x",
    "////evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example/x",
    "/\\/evil.example/x",
    "\\/evil.example/x",
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "/\r\n/evil.example/x",
    "\t//evil.example/x",
    "/%09/evil.example/x",
    "/%2F/evil.example/x",
    "/%5Cevil.example/x",
    "https://evil.example/x",
    "http:evil.example",
    "https:/evil.example/x",
    "HTTPS://evil.example",
    "//evil.example@localhost/x",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " /evil.example",
    " //evil.example/x",
    "\x00//evil.example/x",
    "/\x00/evil.example/x",
    "/\x0b/evil.example/x",
    "/%0d%0aLocation:%20//evil.example/x",
    "/\r\nLocation: //evil.example/x",
    "\u3000//evil.example/x",
    "/\u2028/evil.example/x",
    "/\u00a0/evil.example/x",
    "/\ufeff/evil.example/x",
    "\u200b//evil.example/x",
    "/\u200b/evil.example/x",
    "\uff0f\uff0fevil.example/x",
    "%2F%2Fevil.example/x",
    "evil.example",
    "/" + "a" * 5000,
]
SAFE = ["/members", "/members?page=2&q=rosa", "/ballots/3", "/.//x", "/caf%C3%A9"]


def browser_reads(location: str, host: str = HOST) -> tuple[str, str | None]:
    """(scheme, host) a browser on ``http://host/some/page`` goes to for ``location``
    (WHATWG URL: strip leading/trailing C0 controls and spaces, drop tab/CR/LF, ``\\`` is ``/``)."""
    cleaned = re.sub(r"[\t\r\n]", "", location).strip("".join(map(chr, range(0x21))))
    cleaned = cleaned.replace("\\", "/")
    target = urlsplit(urljoin(f"http://{host}/some/page", cleaned))
    return target.scheme.lower(), target.hostname


def assert_same_site(response, where: str) -> None:  # type: ignore[no-untyped-def]
    if response.status_code not in (301, 302, 303, 307, 308):
        return
    location = response.headers.get("Location", "")
    scheme, host = browser_reads(location)
    assert scheme in ("http", "https"), f"{where}: Location {location!r}"
    assert host is None or EVIL not in host, f"{where}: Location {location!r}"


# ----------------------------------------------------------------------------- 1. readers
_READS_NEXT = re.compile(
    r"request\s*\.\s*(?:args|form|values|params|json|get_json\(\))\s*"
    r"(?:\.\s*(?:get|getlist|pop)\s*\(|\[)\s*[\"']next[\"']"
)


def test_every_reader_of_next_is_known():
    found = {
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if _READS_NEXT.search(path.read_text(encoding="utf-8"))
    }
    assert found == set(READERS), (
        "A module reads a `next` parameter: send it through node.auth.redirects.safe_next and "
        "add it to READERS with a test of its success path."
    )


def test_sign_in_never_redirects_off_site(app, client, officer):
    from node.extensions import limiter

    app.config["WTF_CSRF_ENABLED"] = False  # the redirect, not CSRF, is under test
    for target in HOSTILE + SAFE:
        limiter.reset()
        response = client.post(
            "/signin",
            query_string={"next": target},
            data={"email": officer.email, "password": PASSWORD},
        )
        assert response.status_code == 302, target
        location = response.headers["Location"]
        assert browser_reads(location) == ("http", HOST), (target, location)
        if target in SAFE:
            assert location == target
        else:
            assert location == "/", (target, location)


# ----------------------------------------------------------------------------- 2. every route
WALK = ["//evil.example/x", "/\t/evil.example/x", "/\\evil.example/x", "https://evil.example/"]


def _get_paths(app):  # type: ignore[no-untyped-def]
    adapter = app.url_map.bind(HOST)
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
            continue
        values = {
            name: 1 if conv.__class__.__name__ == "IntegerConverter" else "x"
            for name, conv in rule._converters.items()
        }
        yield rule.endpoint, adapter.build(rule.endpoint, values)


def test_no_route_redirects_to_a_hostile_next(app, client, officer):
    app.config["WTF_CSRF_ENABLED"] = False
    signed_in = app.test_client()
    signed_in.sign_in(officer.email)
    checked = 0
    for endpoint, path in _get_paths(app):
        for who, browser in (("anonymous", client), ("officer", signed_in)):
            for target in WALK:
                response = browser.get(path, query_string={"next": target})
                assert_same_site(response, f"{who} GET {path} ({endpoint}) next={target!r}")
                checked += 1
    assert checked > 100


# ----------------------------------------------------------------------------- 3. the rule
@pytest.mark.parametrize("target", HOSTILE)
def test_safe_next_refuses_hostile_targets(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", SAFE)
def test_safe_next_keeps_same_site_paths(target):
    assert safe_next(target) == target


_PIECES = st.sampled_from(
    [
        "/",
        "//",
        "\\",
        "/\\",
        " ",
        "\t",
        "\n",
        "\r",
        "\x00",
        "%09",
        "%2F",
        "%5C",
        "@",
        ":",
        "http:",
        "https://",
        "javascript:",
        "evil.example",
        "\u3000",
        "\u200b",
        "?",
        "#",
        ".",
    ]
)
TARGETS = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=8).map("".join),
)


@settings(max_examples=2000, deadline=None)
@given(TARGETS)
def test_whatever_safe_next_returns_stays_on_this_site(target):
    result = safe_next(target)
    if result is None:
        return
    assert result == target
    parts = urlsplit(result)
    assert not parts.scheme and not parts.netloc
    cleaned = re.sub(r"[\t\r\n]", "", result).replace("\\", "/")
    assert not cleaned.startswith("//")
    assert browser_reads(result) == ("http", HOST)
