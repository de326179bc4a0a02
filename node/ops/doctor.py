"""`commonground doctor`: check an install and say what to do about each problem.

Each check returns :class:`~node.ops.findings.Finding` lines (OK / WARN / FAIL, a message, and for
problems the fix). FAIL means the node is broken or unsafe (the command exits non-zero); WARN
means it works but needs attention. Checks never change anything. The server checks
(:mod:`node.ops.server_checks`) run first, then the app's (:mod:`node.ops.database_checks`), then
reachability and clock skew of the hub and peers (here).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from email.utils import parsedate_to_datetime

from node.ops.database_checks import (
    check_audit_chain,
    check_autovacuum,
    check_database,
    check_dead_letters,
    check_groups,
    check_witness_evidence,
)
from node.ops.findings import FAIL, OK, WARN, Finding
from node.ops.server_checks import (
    check_backups,
    check_config,
    check_disk,
    check_files,
    check_secret,
)

MAX_SKEW = timedelta(seconds=30)


def federation_targets() -> list[str]:
    """Base URLs of the peers this node follows and the hubs it is enrolled with (if any)."""
    from sqlalchemy import select

    from node.extensions import db
    from node.hub.models import HubLink
    from node.peering.models import Peer

    urls: set[str] = set()
    for column in (Peer.issuer, HubLink.hub_url):
        try:
            urls.update(db.session.scalars(select(column)))
        except Exception:  # noqa: BLE001 - table missing (migrations pending): the migrations check says so
            db.session.rollback()
    return sorted(urls)


def check_remote(urls: Iterable[str]) -> list[Finding]:
    """Reachability and clock skew against each remote's HTTP Date header."""
    from federation.errors import DeliveryError
    from node import clock

    urls = list(urls)
    if not urls:
        return [Finding(OK, "clock", "no hub or peers configured: skew not checked")]
    found: list[Finding] = []
    from node.peering.net import new_client

    client = new_client(timeout=(3.05, 5))
    try:
        for url in urls:
            try:
                response = client.probe(url)
            except DeliveryError as exc:
                found.append(
                    Finding(
                        WARN,
                        "reach",
                        f"{url}: {exc}",
                        "check the address, the peer's server, and outgoing HTTPS "
                        "(firewall) from this server",
                    )
                )
                continue
            found.append(Finding(OK, "reach", f"{url} answers ({response.status_code})"))
            date = response.headers.get("Date")
            if not date:
                continue
            skew = clock.now() - parsedate_to_datetime(date)
            if abs(skew) > MAX_SKEW:
                found.append(
                    Finding(
                        FAIL,
                        "clock",
                        f"{abs(skew.total_seconds()):.0f} s off {url}",
                        "enable time sync: `timedatectl set-ntp true`",
                    )
                )
            else:
                found.append(Finding(OK, "clock", f"within {MAX_SKEW.seconds} s of {url}"))
    finally:
        client.close()
    return found


def run_checks(peers: Iterable[str] = ()) -> list[Finding]:
    found, config = check_config()
    if not config:
        return found
    found += check_files(config)
    found += check_disk(config)
    from node import create_app

    weak_secret = bool(check_secret(config))
    try:
        # The app refuses to start with a guessable key (reported above); the remaining checks
        # never use the key, so they run with a throwaway one and the operator sees every line.
        app = create_app({"SECRET_KEY": secrets.token_urlsafe(48)} if weak_secret else None)
    except Exception as exc:  # noqa: BLE001 - keep going: the operator needs every line
        return [
            *found,
            Finding(
                FAIL,
                "app",
                f"the application does not start: {exc}",
                "see `journalctl -u commonground-web`",
            ),
        ]
    from node.extensions import db

    with app.app_context():
        try:
            found += check_database(app)
            found += check_autovacuum()
            found += check_groups()
            found += check_dead_letters()
            found += check_audit_chain()
            found += check_witness_evidence()
            found += check_backups(config)
            found += check_remote([*peers, *federation_targets()])
        finally:
            db.session.remove()
            db.engine.dispose()  # doctor's own app: close its connections, not the caller's
    return found
