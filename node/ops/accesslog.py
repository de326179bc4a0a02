"""Access logs without secrets: gunicorn's logger class (deploy/gunicorn.conf.py) and the pattern
deploy/Caddyfile uses for the same job.

Some links carry a secret in the path: invitations (``/invite/<token>``), password resets
(``/reset/<token>``), mailed sign-in links (``/signin/link/<token>``), e-mail confirmations,
unsubscribe links, ballot voting links (``/vote/<token>``) and private calendar feeds
(``/events/feed/<token>.ics``); the national sign-in callback carries a one-time code in the
query. Whoever reads the logs (or a backup of them) could use them. So a logged request keeps
the path with each token replaced and no query values, and the Referer (which can carry the same
URL) is redacted too. tests/deploy/test_access_logs.py walks the URL map: a new route with a
``token`` argument fails it until it is covered here.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

REDACTED = "[redacted]"
# Paths whose next segment is a secret (path tenancy's /g/<slug> prefix may come first).
TOKEN_PATHS = ("invite", "reset", "confirm", "unsubscribe", "events/feed", "signin/link", "vote")
# RE2 and Python agree on this pattern; the Caddyfile carries the same text with ${1}${2}.
PATTERN = "(/(?:" + "|".join(TOKEN_PATHS) + r")/)[^/?#\s]+|([?])[^\s#]*"
_SECRETS = re.compile(PATTERN)


def redact(text: str) -> str:
    """``text`` (a request line, path or URL) with path tokens and query values replaced."""
    return _SECRETS.sub(lambda m: (m.group(1) or "") + (m.group(2) or "") + REDACTED, text)


class RedactingLogger(Logger):
    """gunicorn's logger, with request line, path, query and Referer redacted in access logs."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{referer}i"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        if atoms.get("q"):
            atoms["q"] = REDACTED
        return atoms
