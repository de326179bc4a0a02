"""The one Markdown renderer: text members and officers type, turned into HTML safe to show.

Two layers, because text typed by one member is shown to every other member of the group:
markdown-it-py (CommonMark, raw HTML off, so a typed ``<script>`` comes out as text) makes the
HTML, then nh3 (the Rust ``ammonia`` sanitiser) keeps only an allow-list of tags and attributes
and only ``http``, ``https`` and ``mailto`` links, whatever the first layer let through. Links get
``rel="nofollow noopener noreferrer"`` so a post cannot lend the group's page rank or reach back
into the page that opened it. Images are off unless a caller asks (a newsletter mail may carry
them; a page never loads anything from another site — the content security policy would block it
anyway). Headings are shifted down to ``h3``… so a post never competes with the page's own
``h1``/``h2`` (screen-reader users navigate by headings).

Every room that shows typed text uses :func:`render` or the ``markdown`` template filter; no raw
HTML reaches a page any other way.
"""

from __future__ import annotations

import nh3
from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup

LINK_SCHEMES = frozenset({"http", "https", "mailto"})

_TAGS = frozenset(
    {
        "p", "br", "hr", "em", "strong", "code", "pre", "blockquote",
        "ul", "ol", "li", "h3", "h4", "h5", "h6", "a", "del", "s",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_IMAGE_ATTRIBUTES = {"img": {"src", "alt", "title"}}


class _Markdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        scheme, colon, _ = url.strip().partition(":")
        return not colon or scheme.lower() in LINK_SCHEMES


def _parser(images: bool) -> MarkdownIt:
    md = _Markdown("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    if not images:
        md.disable("image")
    return md


_PARSERS = {False: _parser(False), True: _parser(True)}
_HEADING_SHIFT = {f"<{o}h{n}>": f"<{o}h{min(n + 2, 6)}>" for n in range(1, 7) for o in ("", "/")}


def _shift_headings(html: str) -> str:
    for level in range(6, 0, -1):  # from the deepest, so h1→h3 is not shifted twice
        for closing in ("", "/"):
            tag = f"<{closing}h{level}>"
            html = html.replace(tag, _HEADING_SHIFT[tag])
    return html


def render(text: str | None, *, images: bool = False) -> Markup:
    """``text`` (Markdown) as sanitised HTML, ready to put in a page or a mail."""
    html = _shift_headings(_PARSERS[images].render(text or ""))
    tags = _TAGS | {"img"} if images else _TAGS
    attributes = {**_ATTRIBUTES, **_IMAGE_ATTRIBUTES} if images else _ATTRIBUTES
    clean = nh3.clean(
        html,
        tags=set(tags),
        attributes={tag: set(names) for tag, names in attributes.items()},
        url_schemes=set(LINK_SCHEMES),
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)  # noqa: S704  (sanitised by nh3 against the allow-list above)


def init_app(app: Flask) -> None:
    """The ``markdown`` template filter: ``{{ post.body|markdown }}``."""
    app.add_template_filter(render, "markdown")
