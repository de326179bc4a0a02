"""A newsletter as mail: the Markdown rendered to safe HTML, and the plain-text alternative.

The body is Markdown typed by an organiser. It is rendered by markdown-it-py with the
``js-default`` preset and ``html`` off, so raw HTML in the text (a ``<script>``, an ``<img
onerror>``) comes out escaped, as text; links and images are kept only for ``http``, ``https``
and ``mailto`` (anything else stays visible as the Markdown that was typed). The plain-text
part is the Markdown source itself — readable as it is — so a client that shows only text, or a
reader who distrusts HTML mail, loses nothing. Both end with the same footer: why you get this,
and the one-click unsubscribe link.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

ALLOWED_SCHEMES = ("http:", "https:", "mailto:")


class _Markdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        return url.strip().lower().startswith(ALLOWED_SCHEMES)


_md = _Markdown("js-default", {"html": False, "linkify": False, "typographer": False})


def body_html(markdown: str) -> Markup:
    """The Markdown as HTML that is safe to show (in the preview page and in the mail)."""
    return Markup(_md.render(markdown))  # noqa: S704  (html off: markdown-it escapes the text)


def footer_lines(group_name: str, unsubscribe: str) -> list[str]:
    return [
        f"You get this because you are a member of {group_name} and agreed to e-mails.",
        f"Stop all e-mails from the group: {unsubscribe}",
    ]


def mail_text(group_name: str, markdown: str, unsubscribe: str) -> str:
    return "\n".join(
        [markdown.strip(), "", "-- ", group_name, *footer_lines(group_name, unsubscribe)]
    )


def mail_html(group_name: str, subject: str, markdown: str, unsubscribe: str) -> str:
    """A whole HTML document: simple markup that mail clients render, styles inline."""
    why, _ = footer_lines(group_name, unsubscribe)
    return (
        "<!doctype html>\n"
        f'<html><head><meta charset="utf-8"><title>{escape(subject)}</title></head>\n'
        '<body style="font-family:sans-serif;line-height:1.5;max-width:40em;margin:auto">\n'
        f"{body_html(markdown)}"
        '<hr><p style="font-size:small;color:#555">'
        f"{escape(group_name)}<br>{escape(why)}<br>"
        f'<a href="{escape(unsubscribe)}">Stop all e-mails from the group</a></p>\n'
        "</body></html>\n"
    )
