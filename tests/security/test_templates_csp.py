"""Our Content-Security-Policy allows styles and scripts only from our own files
(``style-src 'self'``, no inline script), so an inline ``style=`` attribute, a ``<style>`` block
or an inline event handler in a template is silently ignored by browsers: line breaks vanished
from every description that way. Every template is checked, so a new one is covered."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "node" / "templates"
BLOCKED = re.compile(
    r"""\sstyle\s*=|<style[\s>]|\son[a-z]+\s*=\s*["']|<script(?![^>]*\ssrc=)""", re.I
)


def test_no_template_relies_on_what_the_csp_blocks() -> None:
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 50
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:80]}"
        for path in templates
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if BLOCKED.search(line)
    ]
    assert not found, "inline style/script the CSP blocks:\n" + "\n".join(found)


def test_the_stylesheet_keeps_typed_line_breaks() -> None:
    css = (TEMPLATES.parent / "static" / "style.css").read_text()
    assert re.search(r"\.lines\s*\{\s*white-space:\s*pre-line", css)
    uses = [p for p in TEMPLATES.rglob("*.html") if 'class="lines"' in p.read_text()]
    assert len(uses) >= 4  # programme, event, action, campaign descriptions
