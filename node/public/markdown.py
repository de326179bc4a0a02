"""The group's description, written by an officer in Markdown, rendered safely for the public.

markdown-it-py's CommonMark preset with raw HTML off: any ``<script>`` or ``<img onerror>`` an
officer types (or pastes) is shown as text. Its link check already refuses ``javascript:``,
``vbscript:``, ``file:`` and ``data:`` links; images are switched off too, so the public page
never loads anything from another site (the content security policy would block it anyway).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    "image"
)


def render(text: str | None) -> Markup:
    """``text`` as HTML safe to put in a page (every HTML tag in it is escaped)."""
    return Markup(_MD.render(text or ""))  # noqa: S704  (html=False: markdown-it escapes)
