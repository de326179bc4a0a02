"""Member commands: ``invite`` and ``members import|export`` (CSV, the web import's format)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from node.commands import fail, run_in_transaction, with_group

if TYPE_CHECKING:
    from node.groups.models import Group


@click.command("invite")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["member", "organiser", "officer"]),
    default="member",
    show_default=True,
)
@with_group("The group's slug.")
def invite(email: str, role: str, group: Group) -> None:
    """E-mail a single-use invitation to EMAIL and print the link."""
    from node.auth.operations import create_invitation

    issued = run_in_transaction(lambda: create_invitation(group, email, role=role))
    click.echo(issued.link)


@click.group("members")
def members_cmd() -> None:
    """Import and export the roster as CSV."""


@members_cmd.command("import")
@click.argument("file", type=click.File("rb"))
@with_group("The group's slug.")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="SOURCE=TARGET",
    help="Import the column SOURCE as TARGET (name, first_name, last_name, email, phone, ward, "
    "union, workplace, joined, status, role, consent_email, consent_phone, notes) or 'ignore'. "
    "Repeatable; columns not named are guessed from their headers.",
)
@click.option("--dry-run", is_flag=True, help="Show what the import would do and store nothing.")
def members_import(file: Any, group: Group, maps: tuple[str, ...], dry_run: bool) -> None:
    """Import FILE.csv (all or nothing; members are matched by e-mail).

    Excel (UTF-8 or Windows-1252, comma or semicolon), Google Sheets and LibreOffice files and
    exports with columns such as first_name, last_name, email_address, phone_number are read;
    the encoding, separator and column mapping used are printed first.
    """
    from node.extensions import db
    from node.members import csv_io, csv_mapping

    data = file.read()
    try:
        if dry_run:
            report = csv_io.preview(group, data, overrides=maps)
        else:
            report = csv_io.import_members(group, data, None, overrides=maps)
    except csv_mapping.MappingError as exc:
        raise click.UsageError(str(exc)) from None
    if report.encoding:
        click.echo(f"Read {file.name} as {report.encoding}, {report.separator}-separated.")
    if report.headers:
        click.echo("Columns:")
        for line in csv_mapping.describe(report.headers, report.mapping):
            click.echo(f"  {line}")
    if not report.ok:
        db.session.rollback()
        for error in report.errors:
            click.echo(f"{file.name}: {error}", err=True)
        fail(f"nothing imported: {len(report.errors)} problem(s) in {file.name}")
    counts = f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged."
    if dry_run:
        db.session.rollback()
        click.echo(f"Would import: {counts} Nothing was stored (--dry-run).")
        return
    db.session.commit()
    click.echo(f"Imported: {counts}")


@members_cmd.command("export")
@with_group("The group's slug.")
def members_export(group: Group) -> None:
    """Write the roster as CSV (the import's columns) to standard output."""
    from node.members.csv_io import export_members

    sys.stdout.write(export_members(group))


COMMANDS = [members_cmd, invite]
