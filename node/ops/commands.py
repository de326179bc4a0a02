"""`commonground backup`, `restore` and `doctor` (thin: the work is in backup/restore/doctor)."""

from __future__ import annotations

from pathlib import Path

import click

from node.commands import quiet_migrations, with_appcontext


@click.command("backup")
@click.argument("file", required=False, type=click.Path(dir_okay=True, path_type=Path))
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    help="Afterwards delete all but the KEEP newest archives of that folder (the timer uses 14).",
)
@with_appcontext
def backup(file: Path | None, keep: int | None) -> None:
    """Write one archive with the database, keys and secrets (default: <instance>/backups/)."""
    from node.ops.backup import create_backup

    result = create_backup(file, keep=keep)
    counts = result.manifest["database"]["counts"]
    click.echo(
        f"Backup written to {result.path} ({result.path.stat().st_size // 1024} KiB; "
        f"{counts.get('groups', 0)} group(s), {counts.get('members', 0)} member(s))"
    )
    for path in result.pruned:
        click.echo(f"Deleted old backup {path.name}")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an install that already has data.")
@with_appcontext
def restore(file: Path, force: bool) -> None:
    """Restore FILE (from `commonground backup`) into this install: database, keys, secrets."""
    from node.ops.restore import restore_backup

    with quiet_migrations():  # restore upgrades the restored database
        result = restore_backup(file, force=force)
    made = result.manifest["created_at"]
    click.echo(
        f"Restored the backup of {made} (Commonground {result.manifest['version']}): "
        f"{result.counts.get('groups', 0)} group(s), {result.counts.get('members', 0)} member(s)."
    )
    for note in result.notes:
        click.echo(f"Note: {note}")
    click.echo("Restart the services: systemctl restart commonground-web commonground-worker")


@click.command("doctor")
@click.option(
    "--peer",
    "peers",
    multiple=True,
    metavar="URL",
    help="Also check reachability and clock skew against this node or hub (repeatable).",
)
def doctor(peers: tuple[str, ...]) -> None:
    """Check configuration, database, keys, disk, backups, clock and peers; say what to fix."""
    from node.ops.doctor import run_checks
    from node.ops.findings import FAIL

    findings = run_checks(peers)
    for finding in findings:
        click.echo(finding.line())
    failed = sum(f.level == FAIL for f in findings)
    if failed:
        raise click.ClickException(f"{failed} problem(s) need fixing (the FAIL lines above)")
    click.echo("All essential checks passed.")


COMMANDS = [backup, restore, doctor]
