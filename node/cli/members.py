"""Member commands: ``invite`` and ``members import|export`` (CSV, the web import's format)."""

from __future__ import annotations

import sys
from typing import Any

import click

from node.cli.context import fail, run_in_transaction, with_appcontext


def group_by_slug(slug: str) -> Any:
    """The group with ``slug``, or the command fails with the reason."""
    from node.groups.operations import get_group

    try:
        return get_group(slug)
    except ValueError as exc:
        fail(str(exc))


@click.command("invite")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["member", "organiser", "officer"]),
    default="member",
    show_default=True,
)
@click.option("--group", "slug", required=True, help="The group's slug.")
@with_appcontext
def invite(email: str, role: str, slug: str) -> None:
    """E-mail a single-use invitation to EMAIL and print the link."""
    from node.auth.operations import create_invitation

    def run() -> None:
        issued = create_invitation(group_by_slug(slug), email, role=role)
        click.echo(issued.link)

    run_in_transaction(run)


@click.group("members")
def members_cmd() -> None:
    """Import and export the roster as CSV."""


@members_cmd.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--group", "slug", required=True, help="The group's slug.")
@with_appcontext
def members_import(file: Any, slug: str) -> None:
    """Import FILE.csv (all or nothing; members are matched by e-mail)."""
    from node.extensions import db
    from node.members.csv_io import import_members

    group = group_by_slug(slug)
    report = import_members(group, file.read(), None)
    if not report.ok:
        db.session.rollback()
        for error in report.errors:
            click.echo(f"{file.name}: {error}", err=True)
        fail(f"nothing imported: {len(report.errors)} problem(s) in {file.name}")
    db.session.commit()
    click.echo(
        f"Imported: {report.created} new, {report.updated} updated, {report.unchanged} unchanged."
    )


@members_cmd.command("export")
@click.option("--group", "slug", required=True, help="The group's slug.")
@with_appcontext
def members_export(slug: str) -> None:
    """Write the roster as CSV (the import's columns) to standard output."""
    from node.members.csv_io import export_members

    sys.stdout.write(export_members(group_by_slug(slug)))


COMMANDS = [members_cmd, invite]
