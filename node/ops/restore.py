"""`commonground restore FILE`: put a backup archive back into an empty install.

Order matters: the whole archive is read and checked (manifest, checksums, safe member names,
database backend, migrations this version knows) before anything is touched. Then the database is
replaced (SQLite backup API, or ``psql`` in one transaction on PostgreSQL), the instance files
are written with private permissions, migrations are brought up to this version's heads, and
the row counts are compared with the manifest.

A non-empty install is refused unless ``force`` is given: a restore replaces everything.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from flask import current_app

from node.ops.backup import (
    FORMAT,
    PG_MEMBER,
    SQLITE_MEMBER,
    OpsError,
    backend,
    libpq,
    pg_tool,
    run_tool,
    sqlite_file,
    table_counts,
)

MAX_MEMBERS = 10_000


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    counts: dict[str, int]
    notes: list[str] = field(default_factory=list)


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise OpsError(f"refusing archive member with unsafe name {name!r}")
    return path.as_posix()


def _extract(tar: tarfile.TarFile, entry: tarfile.TarInfo, target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    source = tar.extractfile(entry)
    if source is None:
        raise OpsError(f"cannot read archive member {entry.name!r}")
    digest = hashlib.sha256()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def unpack(archive: Path, into: Path) -> dict[str, Any]:
    """Extract regular files only, check every checksum, return the manifest."""
    if not archive.is_file():
        raise OpsError(f"{archive} is not a file")
    digests: dict[str, str] = {}
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for count, entry in enumerate(tar):
                if count > MAX_MEMBERS:
                    raise OpsError("archive has too many members")
                name = _safe_name(entry.name)
                if entry.isdir():
                    continue
                if not entry.isfile():
                    raise OpsError(f"refusing archive member {name!r}: not a regular file")
                digests[name] = _extract(tar, entry, into / name)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise OpsError(f"{archive} is not a readable Commonground backup: {exc}") from None
    try:
        manifest = json.loads((into / "manifest.json").read_text())
    except (OSError, ValueError):
        raise OpsError(f"{archive} has no readable manifest.json") from None
    if manifest.get("software") != "commonground" or manifest.get("format") != FORMAT:
        raise OpsError(f"{archive}: unknown backup format {manifest.get('format')!r}")
    for name, expected in manifest.get("files", {}).items():
        if digests.get(name) != expected:
            raise OpsError(f"{archive}: {name} is missing or damaged (checksum mismatch)")
    return manifest


def _check_revisions(heads: list[str]) -> None:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    config = current_app.extensions["migrate"].migrate.get_config(
        current_app.extensions["migrate"].directory
    )
    script = ScriptDirectory.from_config(config)
    for head in heads:
        try:
            if script.get_revision(head) is None:
                raise CommandError(head)
        except CommandError:
            raise OpsError(
                f"the backup was made by a newer Commonground (migration {head} unknown here): "
                "install that version or newer first, then restore"
            ) from None


def install_is_empty() -> bool:
    """True when no table holds a row and no group key exists yet."""
    from node.extensions import db

    with db.engine.connect() as conn:
        if any(table_counts(conn).values()):
            return False
    keys = Path(current_app.config["INSTANCE_PATH"]) / "keys"
    return not (keys.is_dir() and any(keys.iterdir()))


def _restore_sqlite(url: str, dump: Path) -> None:
    target = sqlite_file(url)
    if target is None:
        raise OpsError("cannot restore into an in-memory SQLite database")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(dump)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # replaces the whole target database, schema included
    finally:
        src.close()
        dst.close()
    os.chmod(target, 0o600)
    _hand_over(target, target.parent)


def _restore_postgres(url: str, dump: Path) -> None:
    args, env = libpq(url)
    run_tool(
        [
            pg_tool("psql"),
            *args,
            "--quiet",
            "--no-psqlrc",
            "-v",
            "ON_ERROR_STOP=1",
            "--single-transaction",
            "-c",
            "DROP SCHEMA IF EXISTS public CASCADE",
            "-c",
            "CREATE SCHEMA public",
            "-f",
            str(dump),
        ],
        env,
    )


def _hand_over(target: Path, instance: Path) -> None:
    """Run as root (install.sh --restore): give restored files to the instance folder's owner."""
    if os.geteuid() != 0:
        return
    owner = instance.stat()
    path = target
    while path != instance and instance in path.parents:
        os.chown(path, owner.st_uid, owner.st_gid)
        path = path.parent


def _write_instance_files(unpacked: Path, instance: Path) -> list[str]:
    written = []
    source_root = unpacked / "instance"
    files = sorted(p for p in source_root.rglob("*") if p.is_file()) if source_root.is_dir() else []
    for source in files:
        relative = source.relative_to(source_root)
        target = instance / relative
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = source.read_bytes()
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(target, 0o600)
        _hand_over(target, instance)
        written.append(relative.as_posix())
    return written


def restore_backup(archive: Path, force: bool = False) -> RestoreResult:
    from flask_migrate import upgrade

    from node.extensions import db

    config = current_app.config
    url = config["SQLALCHEMY_DATABASE_URI"]
    kind = backend(url)
    instance = Path(config["INSTANCE_PATH"])
    instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(dir=instance, prefix=".restore-") as tmp:
        work = Path(tmp)
        manifest = unpack(Path(archive), work)
        database = manifest["database"]
        if database["backend"] != kind:
            raise OpsError(
                f"the backup holds a {database['backend']} database but this install is "
                f"configured for {kind} (COMMONGROUND_DATABASE_URL); configure the same backend"
            )
        _check_revisions(database.get("heads", []))
        if not force and not install_is_empty():
            raise OpsError(
                "this install already has data; restoring would replace all of it. "
                "Run `commonground backup` first, then repeat with --force"
            )
        db.session.remove()
        db.engine.dispose()
        if kind == "sqlite":
            _restore_sqlite(url, work / SQLITE_MEMBER)
        else:
            _restore_postgres(url, work / PG_MEMBER)
        written = _write_instance_files(work, instance)
        notes = _secret_key_notes(work, instance, written)
    db.engine.dispose()
    upgrade(directory=current_app.extensions["migrate"].directory, revision="heads")
    with db.engine.connect() as conn:
        counts = table_counts(conn)
    for table, expected in database.get("counts", {}).items():
        if counts.get(table) != expected:
            raise OpsError(
                f"restored table {table} has {counts.get(table)} rows, the backup says {expected}"
            )
    return RestoreResult(manifest, counts, notes)


def _secret_key_notes(work: Path, instance: Path, written: list[str]) -> list[str]:
    """Keep the backed-up session key; say so when the environment overrides it."""
    archived = work / "secrets" / "secret_key"
    if not archived.is_file():
        return []
    key = archived.read_text().strip()
    if "secret_key" not in written:
        fd = os.open(instance / "secret_key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(key + "\n")
        _hand_over(instance / "secret_key", instance)
    configured = os.environ.get("COMMONGROUND_SECRET_KEY", "")
    if configured and configured != key:
        return [
            "COMMONGROUND_SECRET_KEY in the environment differs from the backup's session key "
            f"(now in {instance / 'secret_key'}): members will have to sign in again. To keep "
            "their sessions, set COMMONGROUND_SECRET_KEY to that file's content "
            "(install.sh --restore does this for you)."
        ]
    return []
