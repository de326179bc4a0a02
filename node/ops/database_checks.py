"""Doctor checks run inside the app: the database connection, migrations, autovacuum, groups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from node.ops.findings import FAIL, OK, WARN, Finding


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


def check_dead_letters() -> list[Finding]:
    """Periodic work given up after repeated failures: it waits for a person (node.scheduler)."""
    from node.scheduler.dead_letters import count_by_task

    try:
        counts = count_by_task()
    except Exception:  # noqa: BLE001 - table missing (migrations pending): the migrations check says so
        from node.extensions import db

        db.session.rollback()
        return []
    if not counts:
        return [Finding(OK, "dead letters", "no periodic work given up")]
    return [
        Finding(
            WARN,
            "dead letters",
            f"{task}: {count} item(s) given up after repeated failures",
            "the group's officers see each on their dashboard with the reason and a "
            "'Try again' button; fix the cause (see `journalctl -u commonground-worker`) first",
        )
        for task, count in counts.items()
    ]


def check_audit_chain() -> list[Finding]:
    """Each group's officers' log verifies as a hash chain (node.audit): nothing edited or removed."""
    from node.audit import verify_chain
    from node.groups.operations import list_groups

    try:
        groups = list_groups()
        breaks = {g.slug: list(verify_chain(g.id)) for g in groups}
    except Exception:  # noqa: BLE001 - columns missing (migrations pending): the migrations check says so
        from node.extensions import db

        db.session.rollback()
        return []
    broken = {slug: found for slug, found in breaks.items() if found}
    if not broken:
        return [Finding(OK, "audit log", f"the hash chain verifies for {len(groups)} group(s)")]
    return [
        Finding(
            FAIL,
            "audit log",
            f"{slug}: the officers' log was altered at entry {found[0].seq} "
            f"({found[0].reason}; {len(found)} problem(s) in all)",
            "someone with access to the database changed the log; restore the database from a "
            "backup taken before that entry and find out who had access",
        )
        for slug, found in broken.items()
    ]


def check_witness_evidence() -> list[Finding]:
    """Evidence a group's witness kept against its hub's log that no officer has read yet."""
    from node.groups.operations import list_groups
    from node.witness.evidence import count_open

    try:
        counts = count_open()
        slugs = {g.id: g.slug for g in list_groups()}
    except Exception:  # noqa: BLE001 - table missing (migrations pending): the migrations check says so
        from node.extensions import db

        db.session.rollback()
        return []
    if not counts:
        return [Finding(OK, "hub log", "the witnesses found nothing wrong with any hub's log")]
    return [
        Finding(
            WARN,
            "hub log",
            f"{slugs.get(group_id, group_id)}: {count} piece(s) of evidence that the hub's log "
            "left out or changed something, or showed another group a different log",
            "the group's officers see it on their dashboard (The hub's log); send the details "
            "to the hub's officers, then mark it as read",
        )
        for group_id, count in sorted(counts.items())
    ]
