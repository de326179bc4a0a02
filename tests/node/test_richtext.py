"""The one Markdown renderer: what members type can never put live HTML into another's page."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from node.richtext import render

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](https://evil.example/pixel.png)",
    '<a href="https://example.org" onclick="steal()">hi</a>',
    "<iframe src=https://evil.example></iframe>",
    '<svg onload="alert(1)">',
    "<style>body{display:none}</style>",
]


def test_raw_html_is_shown_as_text() -> None:
    html = render("<script>alert(1)</script> and <b>bold</b>")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_only_web_and_mail_links_survive_and_they_carry_rel() -> None:
    html = render("[site](https://example.org) [mail](mailto:a@example.org) [js](javascript:x)")
    assert 'href="https://example.org"' in html
    assert 'href="mailto:a@example.org"' in html
    assert "javascript" not in html.split("[js]")[0]
    assert 'rel="nofollow noopener noreferrer"' in html


def test_images_are_off_in_pages_and_kept_for_mail_on_https_only() -> None:
    assert "<img" not in render("![logo](https://example.org/logo.png)")
    mail = render("![logo](https://example.org/logo.png) ![bad](javascript:x)", images=True)
    assert mail.count("<img") == 1
    assert 'src="https://example.org/logo.png"' in mail


def test_headings_sit_below_the_page_headings() -> None:
    html = render("# Motion\n\n## Background\n\n###### Small")
    assert "<h3>Motion</h3>" in html
    assert "<h4>Background</h4>" in html
    assert "<h6>Small</h6>" in html
    assert "<h1" not in html and "<h2" not in html


def test_ordinary_formatting_is_kept() -> None:
    html = render(
        "*We* **resolve**:\n\n1. one\n2. two\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    for tag in ("<em>", "<strong>", "<ol>", "<blockquote>", "<table>", "<td>"):
        assert tag in html


EVENT_HANDLER = re.compile(r"<[^>]+\son\w+\s*=", re.IGNORECASE)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*HOSTILE, "text", "\n\n", "[", "](", ")", "<", ">", '"']), max_size=12
    )
)
def test_no_combination_of_hostile_pieces_yields_live_html(pieces: list[str]) -> None:
    html = str(render("".join(pieces)))
    lowered = html.lower()
    for tag in ("<script", "<iframe", "<svg", "<style", "<img"):
        assert tag not in lowered
    assert not EVENT_HANDLER.search(html)
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("https:", "http:", "mailto:")) or ":" not in href
