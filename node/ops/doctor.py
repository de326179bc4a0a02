"""`commonground doctor`: check an install and say what to do about each problem.

Each check returns :class:`Finding` lines (OK / WARN / FAIL, a message, and for problems the
fix). FAIL means the node is broken or unsafe (the command exits non-zero); WARN means it works
but needs attention. Checks never change anything.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

OK, WARN, FAIL = "OK", "WARN", "FAIL"
MAX_SKEW = timedelta(seconds=30)
DISK_FAIL_BYTES = 200 * 1024 * 1024
DISK_WARN_BYTES = 1024 * 1024 * 1024
BACKUP_MAX_AGE = timedelta(hours=36)


@dataclass(frozen=True)
class Finding:
    level: str
    check: str
    message: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.level:<4} {self.check}: {self.message}"
        return f"{text}\n     -> {self.fix}" if self.fix else text


def check_config(environ: dict[str, str] | None = None) -> tuple[list[Finding], dict[str, Any]]:
    from node.config import ConfigError, load_config

    try:
        config = load_config(environ)
    except ConfigError as exc:
        return [
            Finding(
                FAIL,
                "config",
                str(exc),
                "fix the variable in "
                "/etc/commonground/commonground.env (see docs/configuration.md)",
            )
        ], {}
    found = [Finding(OK, "config", f"settings valid; base URL {config['BASE_URL']}")]
    if config["BASE_URL"].startswith("https://") and not config["SESSION_COOKIE_SECURE"]:
        found.append(
            Finding(
                WARN,
                "config",
                "HTTPS base URL but cookies are not marked Secure",
                "set COMMONGROUND_SECURE_COOKIES=true",
            )
        )
    if config["BASE_URL"].startswith("http://") and "127.0.0.1" not in config["BASE_URL"]:
        found.append(
            Finding(
                WARN,
                "config",
                "the public base URL is plain http",
                "serve it over HTTPS (the Caddyfile does) and set COMMONGROUND_BASE_URL=https://…",
            )
        )
    found += _check_secret(config)
    return found, config


def _check_secret(config: dict[str, Any]) -> list[Finding]:
    """A guessable session key lets anyone forge a member's session cookie: FAIL, with the fix."""
    from node.config import GENERATE_SECRET, secret_key_problem

    secret, where = config.get("SECRET_KEY"), "COMMONGROUND_SECRET_KEY"
    if not secret:
        path = Path(config["INSTANCE_PATH"]) / "secret_key"
        try:
            secret, where = path.read_text().strip(), str(path)
        except OSError:  # absent: generated on first start; unreadable: check_files says so
            return []
    problem = secret_key_problem(str(secret))
    if problem is None:
        return []
    if where == "COMMONGROUND_SECRET_KEY":
        fix = (
            "set COMMONGROUND_SECRET_KEY in /etc/commonground/commonground.env to the output of "
            f"`{GENERATE_SECRET}` and restart (everyone signs in again)"
        )
    else:
        fix = f"delete {where} and restart: a random one is generated (everyone signs in again)"
    return [Finding(FAIL, "secret key", f"{where} {problem}", fix)]


def check_database(app: Any) -> list[Finding]:
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from node.extensions import db
    from node.ops.backup import alembic_heads

    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(alembic_heads(conn))
    except Exception as exc:  # noqa: BLE001 - any driver error means the same thing to the operator
        return [
            Finding(
                FAIL,
                "database",
                f"cannot connect: {type(exc).__name__}",
                "check COMMONGROUND_DATABASE_URL and that the database server runs",
            )
        ]
    migrate = app.extensions["migrate"]
    script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
    heads = set(script.get_heads())
    found = [Finding(OK, "database", f"connected ({db.engine.dialect.name})")]
    if not current:
        found.append(
            Finding(
                FAIL,
                "migrations",
                "the database has no tables yet",
                "run `commonground db upgrade` then `commonground init …`",
            )
        )
    elif not _all_known(script, current):
        found.append(
            Finding(
                FAIL,
                "migrations",
                "the database is newer than this software",
                "install the newer Commonground version (re-run install.sh)",
            )
        )
    elif not (pending := heads - _applied(script, current)):
        # A head other branches depend on is implied, not stored (an "effective head").
        found.append(Finding(OK, "migrations", f"at the {len(heads)} current head(s)"))
    else:
        found.append(
            Finding(
                FAIL,
                "migrations",
                f"{len(pending)} migration(s) pending",
                "run `commonground db upgrade` (install.sh does it on upgrade)",
            )
        )
    return found


def _applied(script: Any, current: set[str]) -> set[str]:
    """Every revision the stored ones imply (their ancestors and dependencies)."""
    return {rev.revision for rev in script.iterate_revisions(tuple(current), "base")}


def _all_known(script: Any, revisions: Iterable[str]) -> bool:
    try:
        return all(script.get_revision(rev) is not None for rev in revisions)
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown revision
        return False


def check_autovacuum() -> list[Finding]:
    """PostgreSQL only: with autovacuum off, tables are never analysed, so the plans prepared
    while they were small stay in use as they grow (measured on a hub: ingest fell from 2,500
    to 530 statements/s at 500,000 statements until an ANALYZE; docs/performance.md)."""
    from sqlalchemy import text

    from node.extensions import db

    if db.engine.dialect.name != "postgresql":
        return []
    try:
        with db.engine.connect() as conn:
            setting = conn.execute(text("SHOW autovacuum")).scalar()
    except Exception:  # noqa: BLE001 - already reported by check_database
        return []
    if setting == "on":
        return [Finding(OK, "autovacuum", "on (tables are analysed as they grow)")]
    return [
        Finding(
            WARN,
            "autovacuum",
            "off: tables are never analysed and query plans go stale as they grow",
            "set `autovacuum = on` in postgresql.conf and reload PostgreSQL",
        )
    ]


def check_groups() -> list[Finding]:
    from node.groups.operations import list_groups

    try:
        groups = list_groups()
    except Exception:  # noqa: BLE001 - the database check already said why
        return []
    if not groups:
        return [
            Finding(
                WARN,
                "groups",
                "no group yet",
                "run `commonground init --group NAME --admin EMAIL --url https://DOMAIN`",
            )
        ]
    return [Finding(OK, "groups", ", ".join(f"{g.slug} ({g.url})" for g in groups))]


def _private_file(path: Path, check: str, level: str = FAIL) -> Finding:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Finding(
            level, check, f"{path} is readable by others (mode {mode:o})", f"chmod 600 {path}"
        )
    if not os.access(path, os.R_OK):
        return Finding(
            FAIL,
            check,
            f"{path} is not readable by this user",
            f"chown commonground: {path} (run commands as the service user)",
        )
    return Finding(OK, check, f"{path} (mode {mode:o})")


def check_files(config: dict[str, Any]) -> list[Finding]:
    instance = Path(config["INSTANCE_PATH"])
    found: list[Finding] = []
    if not instance.is_dir():
        return [
            Finding(
                FAIL, "instance", f"{instance} does not exist", "check COMMONGROUND_INSTANCE_PATH"
            )
        ]
    if not os.access(instance, os.W_OK):
        found.append(
            Finding(
                FAIL,
                "instance",
                f"{instance} is not writable by this user",
                "run as the service user: `sudo commonground doctor`",
            )
        )
    mode = stat.S_IMODE(instance.stat().st_mode)
    if mode & 0o002:
        found.append(
            Finding(
                FAIL, "instance", f"{instance} is writable by everyone", f"chmod 700 {instance}"
            )
        )
    from node.ops.backup import sqlite_file

    url = config["SQLALCHEMY_DATABASE_URI"]
    database = sqlite_file(url) if url.startswith("sqlite") else None
    if database is not None and database.exists():
        found.append(_private_file(database, "database file", WARN))
    secret = instance / "secret_key"
    if secret.exists():
        found.append(_private_file(secret, "secret key"))
    elif os.environ.get("COMMONGROUND_SECRET_KEY"):
        found.append(Finding(OK, "secret key", "from COMMONGROUND_SECRET_KEY"))
    keys = (
        sorted(p for p in (instance / "keys").rglob("*") if p.is_file())
        if (instance / "keys").is_dir()
        else []
    )
    found.extend(_private_file(key, "keys") for key in keys)
    if not keys:
        found.append(Finding(OK, "keys", "no group signing keys yet (made when federation starts)"))
    return found


def check_disk(config: dict[str, Any]) -> list[Finding]:
    usage = shutil.disk_usage(config["INSTANCE_PATH"])
    free = f"{usage.free / 1024**3:.1f} GB free of {usage.total / 1024**3:.1f} GB"
    if usage.free < DISK_FAIL_BYTES:
        return [
            Finding(
                FAIL,
                "disk",
                free,
                "free space now: delete old backups, "
                "`journalctl --vacuum-size=100M`, `apt-get clean`",
            )
        ]
    if usage.free < DISK_WARN_BYTES or usage.free < usage.total * 0.1:
        return [Finding(WARN, "disk", free, "delete old backups or grow the disk soon")]
    return [Finding(OK, "disk", free)]


def check_backups(config: dict[str, Any]) -> list[Finding]:
    from node import clock
    from node.ops.backup import PREFIX, SUFFIX

    folder = Path(config["INSTANCE_PATH"]) / "backups"
    archives = sorted(folder.glob(f"{PREFIX}*{SUFFIX}")) if folder.is_dir() else []
    if not archives:
        return [
            Finding(
                WARN,
                "backups",
                f"no backup in {folder}",
                "enable the timer: `systemctl enable --now commonground-backup.timer`",
            )
        ]
    newest = max(archives, key=lambda p: p.stat().st_mtime)
    age = clock.now().timestamp() - newest.stat().st_mtime
    if age > BACKUP_MAX_AGE.total_seconds():
        return [
            Finding(
                WARN,
                "backups",
                f"newest backup {newest.name} is {age / 3600:.0f} h old",
                "check `systemctl status commonground-backup.service`",
            )
        ]
    return [Finding(OK, "backups", f"newest {newest.name}; copy them off the server too")]


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
    from federation.client import WELL_KNOWN, origin_of
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
                response, _ = client._request(
                    "GET", origin_of(url) + WELL_KNOWN, limit=1024 * 1024, accept_4xx=True
                )
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

    weak_secret = bool(_check_secret(config))
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
            found += check_backups(config)
            found += check_remote([*peers, *federation_targets()])
        finally:
            db.session.remove()
            db.engine.dispose()  # doctor's own app: close its connections, not the caller's
    return found
