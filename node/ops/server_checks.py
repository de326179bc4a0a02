"""Doctor checks of the server itself, run before the app starts: settings and the session key,
file permissions in the instance folder, free disk, and the age of the newest backup."""

from __future__ import annotations

import os
import shutil
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

from node.ops.findings import FAIL, OK, WARN, Finding

DISK_FAIL_BYTES = 200 * 1024 * 1024
DISK_WARN_FLOOR_MB = 200  # COMMONGROUND_MIN_FREE_MB below the FAIL line would never warn
BACKUP_MAX_AGE = timedelta(hours=36)


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
    found += check_secret(config)
    return found, config


def check_secret(config: dict[str, Any]) -> list[Finding]:
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
    """Free space where the node writes: the instance folder (keys, backups, a SQLite file by
    default) and, when elsewhere, the SQLite database's disk. A full disk stops every write:
    votes are refused, commands fail (cleanly, node.errors.storage_trouble), so warn early."""
    from node.ops.backup import sqlite_file

    places = {"instance folder": Path(config["INSTANCE_PATH"])}
    url = config["SQLALCHEMY_DATABASE_URI"]
    database = sqlite_file(url) if url.startswith("sqlite") else None
    if database is not None and database.parent.is_dir():
        places["database"] = database.parent
    seen: set[int] = set()
    found: list[Finding] = []
    warn_below = max(DISK_WARN_FLOOR_MB, int(config.get("MIN_FREE_MB", 1024))) * 1024 * 1024
    for what, path in places.items():
        device = path.stat().st_dev
        if device in seen:  # the same file system: one line is enough
            continue
        seen.add(device)
        found.append(_free_space(what, path, warn_below))
    return found


def _size(size: int) -> str:
    return f"{size / 1024**3:.1f} GB" if size >= 1024**3 else f"{size // 1024**2} MB"


def _free_space(what: str, path: Path, warn_below: int) -> Finding:
    usage = shutil.disk_usage(path)
    free = f"{what} {path}: {_size(usage.free)} free of {_size(usage.total)}"
    if usage.free < DISK_FAIL_BYTES:
        return Finding(
            FAIL,
            "disk",
            free,
            "free space now (writes fail when it is full): delete old backups, "
            "`journalctl --vacuum-size=100M`, `apt-get clean`",
        )
    if usage.free < warn_below or usage.free < usage.total * 0.1:
        return Finding(
            WARN,
            "disk",
            free,
            "delete old backups or grow the disk soon (the threshold is COMMONGROUND_MIN_FREE_MB)",
        )
    return Finding(OK, "disk", free)


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
