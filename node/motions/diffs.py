"""Amendments as word-level changes: shown as a diff, applied to a text that moved on.

Texts are split into words and the spaces between them, so joining the pieces gives the text
back exactly. :func:`render` shows a change with ``<ins>``/``<del>`` around the words added and
removed, every word escaped (a member's text never reaches the page as HTML). :func:`apply`
carries an amendment written against one text (its base) over to the motion's current text, as
a three-way merge does: each change lands where the base's words still stand unchanged in the
current text; if another change already rewrote those words, the amendment does not apply (it
"falls", as an amendment inconsistent with one already carried does at a meeting).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from markupsafe import Markup, escape

_PIECES = re.compile(r"\s+|\S+")


def pieces(text: str) -> list[str]:
    return _PIECES.findall(text)


def _opcodes(a: list[str], b: list[str]) -> Sequence[tuple[str, int, int, int, int]]:
    return SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def render(old: str, new: str) -> Markup:
    """The change from ``old`` to ``new``: removed words in ``<del>``, added in ``<ins>``."""
    a, b = pieces(old), pieces(new)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in _opcodes(a, b):
        if tag == "equal":
            out.append(str(escape("".join(a[i1:i2]))))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return Markup("".join(out))  # noqa: S704  (every piece of text above is escaped)


def changed(old: str, new: str) -> bool:
    return pieces(old) != pieces(new)


def apply(base: str, amended: str, current: str) -> str | None:
    """``current`` with the changes that turn ``base`` into ``amended``, or None if another
    change already rewrote the words one of them touches."""
    if current == base:
        return amended
    b, a, c = pieces(base), pieces(amended), pieces(current)
    where: dict[int, int] = {}  # a word of the base -> the same word's place in current
    for tag, i1, i2, j1, _ in _opcodes(b, c):
        if tag == "equal":
            for k in range(i2 - i1):
                where[i1 + k] = j1 + k
    out = list(c)
    for tag, i1, i2, j1, j2 in reversed(_opcodes(b, a)):
        if tag == "equal":
            continue
        span = _place(where, i1, i2, len(b), len(c))
        if span is None:
            return None
        start, end = span
        out[start:end] = a[j1:j2]
    return "".join(out)


def _place(
    where: dict[int, int], i1: int, i2: int, n_base: int, n_current: int
) -> tuple[int, int] | None:
    """Where the base's words ``i1:i2`` stand in the current text (an insertion when equal)."""
    if i2 > i1:
        spots = [where.get(k) for k in range(i1, i2)]
        if any(s is None for s in spots):
            return None
        first = spots[0]
        if first is None or spots != list(range(first, first + len(spots))):
            return None
        return first, first + len(spots)
    if i1 < n_base and i1 in where:
        return where[i1], where[i1]
    if i1 > 0 and (i1 - 1) in where:
        return where[i1 - 1] + 1, where[i1 - 1] + 1
    if n_base == 0:
        return n_current, n_current
    return None
