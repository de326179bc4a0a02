"""Where a page may send the browser after sign-in: same-site paths only (open redirects).

``safe_next`` is the one reader of a ``next`` target; the standing test
tests/security/test_open_redirect.py walks every view that mentions ``next`` and tries the known
tricks against it, and property-tests this function.

Browsers are lenient where a server's parser is strict: they drop tab, CR and LF anywhere in a
URL, treat ``\\`` as ``/``, and skip leading spaces and control characters, so ``/\\t/evil``,
``/\\\\evil`` or `` //evil`` all become ``//evil`` (another site). So the rule is strict rather than
clever: the target must start with exactly one ``/``, contain no backslash and no character of
the Unicode categories C (control, format…) or Z (any space), not even percent-encoded in the
path, and parse (urllib.parse) with no scheme and no host.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2000


def _clean(text: str) -> bool:
    return "\\" not in text and not any(unicodedata.category(c)[0] in "CZ" for c in text)


def safe_next(target: object) -> str | None:
    """``target`` if it is a same-site path (with optional query), else ``None``."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return None
    if not target.startswith("/") or target.startswith("//") or not _clean(target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    path = unquote(parts.path)
    if path.startswith("//") or not _clean(path):
        return None
    return target
