"""No sentence escapes translation: every page, in a pseudo-locale, shows only translated text.

The catalogue is built here from the source, as ``make messages`` would (``babel.cfg``'s two
patterns, the ``_`` and ``_l`` keywords), and every message is "translated" into a pseudo-locale
that keeps the words readable but marks them: ``⟦Śígń íń⟧``. The isolation walk's world (two
groups, every room's objects) is then walked as an anonymous visitor, a member and an officer,
and each page's visible text and its readable attributes (``title``, ``aria-label``,
``placeholder``, ``alt``) must hold no English left outside the marks, once the data (every string
stored in the database), times (Babel formats them) and code samples are taken out.

A new page, form or message is covered without anyone adding it here: the walk takes every GET
route of the URL map, as the isolation walk does.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from sqlalchemy import JSON, String, Text, select

from tests.node.test_isolation import ALPHA, _urls, world  # noqa: F401  (world is a fixture)

ROOT = Path(__file__).resolve().parents[2]
PSEUDO = "eo"  # a real locale Babel knows, standing in for the pseudo-locale no browser asks for
METHODS = [("node/**.py", "python"), ("node/templates/**.html", "jinja2")]
# Names, not words: the product, standards and formats keep their names in every language.
NAMES = {
    "Commonground", "UTC", "CSV", "BLT", "JSON", "STV", "IRV", "OpenID", "HTTPS", "Markdown",
    "iCalendar", "JWKS", "Ed25519", "SHA", "Meek", "Scottish",
}  # fmt: skip
_KEEP = re.compile(r"(%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}|<[^>]*>|&[a-z#0-9]+;)")
_ACCENTS = str.maketrans("aeiouAEIOUnNcCsS", "áéíóúÁÉÍÓÚńŃćĆśŚ")
# A marked message, or the part of one a tag cut off (text nodes end where an element starts).
_MARKED = re.compile(r"⟦[^⟧]*⟧|⟦[^⟧]*$|^[^⟦]*⟧")
_WORD = re.compile(r"[A-Za-z]{3,}")


def pseudo(text: str) -> str:
    """``text`` with its letters accented, placeholders, tags and entities kept, in ⟦ ⟧."""
    parts = _KEEP.split(text)
    return "⟦" + "".join(p if _KEEP.fullmatch(p) else p.translate(_ACCENTS) for p in parts) + "⟧"


@pytest.fixture(scope="session")
def pseudo_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("translations")
    catalog = Catalog(locale=PSEUDO)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), METHODS, keywords=keywords
    ):
        if isinstance(message, tuple):
            catalog.add(message, tuple(pseudo(m) for m in message), context=context)
        else:
            catalog.add(message, pseudo(message), context=context)
    target = folder / PSEUDO / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as out:
        write_mo(out, catalog)
    return folder


@pytest.fixture
def app_config(app_config: dict[str, Any], pseudo_translations: Path) -> dict[str, Any]:
    return {
        **app_config,
        "BABEL_TRANSLATION_DIRECTORIES": str(pseudo_translations),
        "LOCALE": PSEUDO,
    }


class _Text(HTMLParser):
    """The text a person reads: text nodes and readable attributes, minus times and code."""

    SKIPPED = {"script", "style", "time", "code", "pre"}
    ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.skipping: list[str] = []  # the elements whose text is left out, innermost last
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Text declared in another language (``lang=…``: what a signed statement says, in the
        # protocol's language) is not the page's to translate.
        if tag in self.SKIPPED or (tag != "html" and any(name == "lang" for name, _ in attrs)):
            self.skipping.append(tag)
            self.depth += 1
        self.parts += [value for name, value in attrs if name in self.ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def _stored_strings() -> list[str]:
    """Every string the database holds (names, titles, e-mail addresses…), longest first."""
    from node.extensions import db

    found: set[str] = set()

    def strings(value: Any) -> None:  # JSON columns: a signed statement's body, a result
        if isinstance(value, str) and len(value) > 2:
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                strings(item)
        elif isinstance(value, list):
            for item in value:
                strings(item)

    for table in db.metadata.sorted_tables:
        columns = [c for c in table.c if isinstance(c.type, String | Text | JSON)]
        if columns:
            for row in db.session.execute(select(*columns)):
                for value in row:
                    strings(value)
    return sorted(found, key=len, reverse=True)


def unmarked_words(html: str, data: list[str]) -> list[str]:
    parser = _Text()
    parser.feed(html)
    leftovers = []
    for part in parser.parts:
        text = _MARKED.sub(" ", part)
        for value in data:
            if value in text:
                text = text.replace(value, " ")
        leftovers += [w for w in _WORD.findall(text) if w not in NAMES]
    return leftovers


def test_the_pseudo_locale_marks_words_and_keeps_placeholders_and_tags() -> None:
    assert pseudo("Sign in") == "⟦Śígń íń⟧"
    assert pseudo("Hello %(name)s, <strong>{count}</strong> &amp; more") == (
        "⟦Hélló %(name)s, <strong>{count}</strong> &amp; móré⟧"
    )
    assert unmarked_words("<p>⟦Śígń íń⟧ <time>Tue</time> Walton</p>", ["Walton"]) == []
    assert unmarked_words('<p title="Save now">⟦Śávé⟧ the rest</p>', []) == [
        "Save",
        "now",
        "the",
        "rest",
    ]


HUB = "https://hub.test"


@pytest.mark.parametrize("role", ["anonymous", "member", "officer", "hub staff"])
def test_every_page_shows_only_translated_words(
    app: Any,
    world: Any,  # noqa: F811
    make_group: Any,
    make_member: Any,
    role: str,
) -> None:
    groups, ids = world
    client = app.test_client()
    base = "http://alpha.test"
    if role == "hub staff":  # the national hub's own pages, on an install of its own role
        hub = make_group("National Hub", slug="national", url=HUB, role="hub")
        staff = make_member(hub, "officer", email="staff@hub.example.org", name="Hub Staff")
        base = HUB
        client.sign_in(staff.email, base_url=base)
    elif role != "anonymous":
        client.sign_in(groups[ALPHA][1][role].email, base_url=base)
    data = _stored_strings()
    found: dict[str, list[str]] = {}
    pages = 0
    for endpoint, method, path, _access in _urls(app, ids[ALPHA]):
        if method != "GET":
            continue
        response = client.get(path, base_url=base)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages += 1
        words = unmarked_words(response.get_data(as_text=True), data)
        blueprint = endpoint.split(".")[0]
        if words:
            found.setdefault(blueprint, []).append(f"{path}: {' '.join(words[:12])}")
    assert pages > 5
    assert not found, "words not marked for translation:\n" + "\n".join(
        line for lines in found.values() for line in lines[:5]
    )


def test_no_template_hides_the_translation_function() -> None:
    """``{% set _ = … %}`` (a common way to call a method for its effect) would replace ``_`` for
    the rest of the template or macro, and the next ``_("…")`` fails only on that code path."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "node" / "templates").rglob("*.html")
        if re.search(r"{%-?\s*set\s+_\s*=", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
