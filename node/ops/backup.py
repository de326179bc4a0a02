"""`commonground backup`: one archive that is enough to rebuild the node on a new server.

The archive (tar.gz, mode 0600 because it holds keys and secrets) contains:

- ``manifest.json``: format, software version, Alembic heads, ``created_at`` (``node.clock``),
  the database backend, row counts per table and a SHA-256 of every other member;
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the node runs) or
  ``database.sql`` (``pg_dump`` in the same snapshot as the row counts);
- ``instance/…``: the instance folder (group signing keys, ``secret_key``…), without the SQLite
  file itself and without earlier backups;
- ``secrets/secret_key``: the session key in force, even when it came from the environment.

Run by the systemd timer with ``--keep N``, older archives of the same folder are pruned.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url

from node import __version__, clock
from node.errors import OperationError

FORMAT = 1
PREFIX = "commonground-"
SUFFIX = ".tar.gz"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.sql"
# Files of the instance folder that are never copied as files: the live SQLite database (copied
# through the backup API instead), its journals, and the backups themselves.
SKIP_SUFFIXES = ("-wal", "-shm", "-journal")


class OpsError(OperationError):
    """A backup or restore could not be done; the message says why and what to do (a command
    ends with it as its ``Error:`` line)."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    pruned: list[Path] = field(default_factory=list)


# ----------------------------------------------------------------------------- database helpers
def backend(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise OpsError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def sqlite_file(url: str) -> Path | None:
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    return Path(database).resolve()


def libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/psql; the password travels in the environment only."""
    parsed = make_url(url)
    args = []
    if parsed.host:
        args += ["--host", parsed.host]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    args += ["--dbname", parsed.database or "postgres"]
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return args, env


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise OpsError(
            f"{name} not found: install the PostgreSQL client (apt install postgresql-client)"
        )
    return path


def run_tool(args: list[str], env: dict[str, str]) -> None:
    # args[0] is the path of pg_dump / psql found on PATH, the rest are our own options.
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise OpsError(f"{Path(args[0]).name} failed: {' | '.join(detail)}")


def table_counts(conn: Any) -> dict[str, int]:
    from node.extensions import db

    present = set(inspect(conn).get_table_names())
    return {
        table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
        if table.name in present
    }


def alembic_heads(conn: Any) -> list[str]:
    if not inspect(conn).has_table("alembic_version"):
        return []
    return sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


# ----------------------------------------------------------------------------- the dump
def _dump_sqlite(url: str, target: Path) -> dict[str, Any]:
    from sqlalchemy import create_engine

    source = sqlite_file(url)
    if source is None or not source.exists():
        raise OpsError(
            f"the SQLite database {source} does not exist: run `commonground db upgrade`"
        )
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)  # online and consistent, even while the node writes
    src.close()
    dst.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            return {"heads": alembic_heads(conn), "counts": table_counts(conn)}
    finally:
        engine.dispose()


def _dump_postgres(url: str, target: Path) -> dict[str, Any]:
    """pg_dump inside the snapshot the row counts were taken in, so both agree exactly."""
    from node.extensions import db

    args, env = libpq(url)
    connection = db.engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with connection as conn, conn.begin():
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        info = {"heads": alembic_heads(conn), "counts": table_counts(conn)}
        run_tool(
            [
                pg_tool("pg_dump"),
                *args,
                "--no-owner",
                "--no-privileges",
                "--format=plain",
                f"--snapshot={snapshot}",
                "--file",
                str(target),
            ],
            env,
        )
    return info


# ----------------------------------------------------------------------------- instance files
def instance_files(instance: Path, db_file: Path | None, backups: Path) -> Iterator[Path]:
    """Regular files of the instance folder worth keeping (keys, secret_key…)."""
    for root, dirs, files in os.walk(instance):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if (here / d).resolve() != backups.resolve())
        for name in sorted(files):
            path = here / name
            if path.is_symlink() or not path.is_file():
                continue
            if db_file is not None and (
                path.resolve() == db_file
                or (name.startswith(db_file.name) and name.endswith(SKIP_SUFFIXES))
            ):
                continue
            yield path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_folder() -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / "backups"


def default_name() -> str:
    return f"{PREFIX}{clock.now():%Y%m%dT%H%M%SZ}{SUFFIX}"


def create_backup(dest: Path | None = None, keep: int | None = None) -> BackupResult:
    """Write one archive to ``dest`` (default: ``<instance>/backups/commonground-<time>.tar.gz``)."""
    config = current_app.config
    url = config["SQLALCHEMY_DATABASE_URI"]
    kind = backend(url)
    instance = Path(config["INSTANCE_PATH"])
    folder = default_folder()
    dest = Path(dest) if dest is not None else folder / default_name()
    if dest.is_dir():
        dest = dest / default_name()
    dest = dest.resolve()
    if dest.exists():
        raise OpsError(f"{dest} already exists; choose another file name")
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".backup-") as tmp:
        work = Path(tmp)
        member = SQLITE_MEMBER if kind == "sqlite" else PG_MEMBER
        dump = work / member
        info = _dump_sqlite(url, dump) if kind == "sqlite" else _dump_postgres(url, dump)
        files = {member: dump}
        for path in instance_files(
            instance, sqlite_file(url) if kind == "sqlite" else None, folder
        ):
            files["instance/" + path.relative_to(instance).as_posix()] = path
        secret = work / "secret_key"
        secret.write_text(str(config["SECRET_KEY"]) + "\n")
        files["secrets/secret_key"] = secret
        manifest = {
            "format": FORMAT,
            "software": "commonground",
            "version": __version__,
            "created_at": clock.now().isoformat(timespec="seconds"),
            "database": {"backend": kind, "file": member, **info},
            "files": {name: sha256(path) for name, path in files.items()},
        }
        partial = work / "archive.partial"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            body = json.dumps(manifest, indent=2, sort_keys=True).encode()
            entry = tarfile.TarInfo("manifest.json")
            entry.size, entry.mode, entry.mtime = len(body), 0o600, int(clock.now().timestamp())
            tar.addfile(entry, io.BytesIO(body))
            for name, path in files.items():
                tar.add(path, arcname=name, recursive=False, filter=_private)
        os.replace(partial, dest)
    pruned = prune(dest.parent, keep) if keep else []
    return BackupResult(dest, manifest, pruned)


def _private(entry: tarfile.TarInfo) -> tarfile.TarInfo:
    entry.uid = entry.gid = 0
    entry.uname = entry.gname = ""
    entry.mode = 0o600
    return entry


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest ``commonground-*.tar.gz`` archives of ``folder``."""
    if keep < 1:
        raise OpsError("--keep must be at least 1")
    archives = sorted(folder.glob(f"{PREFIX}*{SUFFIX}"), key=lambda p: p.name, reverse=True)
    doomed = archives[keep:]
    for path in doomed:
        path.unlink()
    return doomed
