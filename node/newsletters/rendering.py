"""A newsletter as mail: the Markdown rendered to safe HTML, and the plain-text alternative.

The body is Markdown typed by an organiser, rendered by the one renderer (``node.richtext``:
raw HTML escaped, an allow-list sanitiser after it; links and images only for ``http``,
``https`` and ``mailto``). The plain-text
part is the Markdown source itself — readable as it is — so a client that shows only text, or a
reader who distrusts HTML mail, loses nothing. Both end with the same footer: why you get this,
and the one-click unsubscribe link.
"""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

from node import richtext


def body_html(markdown: str) -> Markup:
    """The Markdown as HTML that is safe to show (in the preview page and in the mail)."""
    return richtext.render(markdown, images=True)


def footer_lines(group_name: str, unsubscribe: str) -> list[str]:
    return [
        _(
            "You get this because you are a member of %(group)s and agreed to e-mails.",
            group=group_name,
        ),
        _("Stop all e-mails from the group: %(link)s", link=unsubscribe),
    ]


def mail_text(group_name: str, markdown: str, unsubscribe: str) -> str:
    return "\n".join(
        [markdown.strip(), "", "-- ", group_name, *footer_lines(group_name, unsubscribe)]
    )


def mail_html(group_name: str, subject: str, markdown: str, unsubscribe: str) -> str:
    """A whole HTML document: simple markup that mail clients render, styles inline."""
    why, _stop = footer_lines(group_name, unsubscribe)
    return (
        "<!doctype html>\n"
        f'<html><head><meta charset="utf-8"><title>{escape(subject)}</title></head>\n'
        '<body style="font-family:sans-serif;line-height:1.5;max-width:40em;margin:auto">\n'
        f"{body_html(markdown)}"
        '<hr><p style="font-size:small;color:#555">'
        f"{escape(group_name)}<br>{escape(why)}<br>"
        f'<a href="{escape(unsubscribe)}">{escape(_("Stop all e-mails from the group"))}</a></p>\n'
        "</body></html>\n"
    )
