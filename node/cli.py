"""The ``commonground`` command: thin wrappers that call the same operations as the web views.

Contract (docs and deploy scripts rely on these names and flags): ``init``, ``group create|list``,
``invite``, ``members import|export``, ``serve``, ``db upgrade``. Every command reads the same
configuration as the web app and fails with a one-line reason and a non-zero exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click
from flask.cli import FlaskGroup, with_appcontext

from node import __version__


def _create_app() -> Any:
    from node import create_app

    return create_app()


class CommongroundGroup(FlaskGroup):
    """FlaskGroup without entry-point plugins, so our own ``db`` group is the one used."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._loaded_plugin_commands = True


@click.group(
    cls=CommongroundGroup,
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
)
@click.version_option(__version__, prog_name="commonground")
def cli() -> None:
    """Commonground: your local group's own node (members, ballots, signed endorsements)."""


def fail(message: str) -> None:
    raise click.ClickException(message)


def _migrate_upgrade() -> None:
    from flask import current_app
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory, revision="heads")


# ----------------------------------------------------------------------------- database
@cli.group("db")
def db_group() -> None:
    """Database migrations (Alembic)."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply all pending migrations (safe to run again)."""
    _migrate_upgrade()
    click.echo("Database is up to date.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the database's current migration revision(s)."""
    from flask import current_app
    from flask_migrate import current

    current(directory=current_app.extensions["migrate"].directory)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--head", default="head")
@with_appcontext
def db_revision(message: str, head: str) -> None:
    """Autogenerate a migration from model changes (for developers)."""
    from flask import current_app
    from flask_migrate import migrate

    migrate(directory=current_app.extensions["migrate"].directory, message=message, head=head)


# ----------------------------------------------------------------------------- groups
GROUP_OPTIONS = [
    click.option(
        "--group", "name", required=True, help='The group\'s name, e.g. "Walton Momentum".'
    ),
    click.option("--slug", help="Short name for URLs and commands (default: from the name)."),
    click.option(
        "--url",
        help="The group's public base URL, e.g. https://walton.example.org "
        "(default: COMMONGROUND_BASE_URL, http://127.0.0.1:8000).",
    ),
    click.option(
        "--role",
        type=click.Choice(["node", "hub"]),
        default="node",
        show_default=True,
        help="node for a local group, hub for the national hub.",
    ),
    click.option("--region", help="Region (used by the national hub)."),
]


def group_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(GROUP_OPTIONS):
        func = option(func)
    return func


def _create_group_with_officer(
    name: str, slug: str | None, url: str | None, role: str, region: str | None, admin: str
) -> None:
    from node.auth.operations import create_invitation
    from node.groups.operations import create_group

    group = create_group(name, slug=slug, url=url, role=role, region=region)
    issued = create_invitation(group, admin, role="officer", send=False)
    click.echo(f"Created group {group.name!r} (slug {group.slug}) at {group.url}")
    click.echo(
        f"First officer invitation for {admin} (single use, expires in "
        f"{issued.invitation.expires_at:%d %b %Y}):"
    )
    click.echo(issued.link)


@cli.command("init")
@group_options
@click.option("--admin", required=True, help="E-mail of the group's first officer.")
@with_appcontext
def init(
    name: str, slug: str | None, url: str | None, role: str, region: str | None, admin: str
) -> None:
    """Create the database and the first group, and print its first officer's invitation link."""
    from sqlalchemy import func, inspect, select

    from node.extensions import db
    from node.groups.models import Group

    if inspect(db.engine).has_table("groups") and db.session.scalar(
        select(func.count()).select_from(Group)
    ):
        fail(
            "This instance is already initialised; use `commonground group create` to add a group."
        )
    _migrate_upgrade()
    _run_in_transaction(_create_group_with_officer, name, slug, url, role, region, admin)


def _run_in_transaction(func: Callable[..., Any], *args: Any) -> Any:
    from node.extensions import db

    try:
        result = func(*args)
    except ValueError as exc:
        db.session.rollback()
        fail(str(exc))
    db.session.commit()
    return result


@cli.group("group")
def group_cmd() -> None:
    """Add and list the groups on this install."""


@group_cmd.command("create")
@group_options
@click.option("--admin", required=True, help="E-mail of the group's first officer.")
@with_appcontext
def group_create(
    name: str, slug: str | None, url: str | None, role: str, region: str | None, admin: str
) -> None:
    """Add a group to this install and print its first officer's invitation link."""
    _run_in_transaction(_create_group_with_officer, name, slug, url, role, region, admin)


@group_cmd.command("list")
@with_appcontext
def group_list() -> None:
    """List the groups (slug, role, URL, name)."""
    from node.groups.operations import list_groups

    groups = list_groups()
    if not groups:
        click.echo("No groups yet: run `commonground init --group NAME --admin EMAIL`.")
    for grp in groups:
        click.echo(f"{grp.slug}\t{grp.role}\t{grp.url}\t{grp.name}")


def _group(slug: str) -> Any:
    from node.groups.operations import get_group

    return get_group(slug)


@cli.command("invite")
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
        issued = create_invitation(_group(slug), email, role=role)
        click.echo(issued.link)

    _run_in_transaction(run)


@cli.group("members")
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

    try:
        group = _group(slug)
    except ValueError as exc:
        fail(str(exc))
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

    try:
        group = _group(slug)
    except ValueError as exc:
        fail(str(exc))
    sys.stdout.write(export_members(group))


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Run the development server (production: gunicorn node.wsgi:app)."""
    from flask import current_app

    click.echo(f"Serving on http://{host}:{port}/ (Ctrl-C to stop)")
    from werkzeug.serving import run_simple

    run_simple(host, port, current_app._get_current_object(), threaded=True)


@cli.command("config")
def config_docs() -> None:
    """Print the table of COMMONGROUND_* settings (as in docs/configuration.md)."""
    from node.config import markdown_table

    click.echo(markdown_table())


def _register_rooms() -> None:
    """Add each room's commands: ``node/<room>/commands.py`` exports ``COMMANDS`` (click objects)."""
    from node.app import ROOMS, optional_module

    for command in (_tally(), _demo()):
        cli.add_command(command)
    for room in ROOMS:
        module = optional_module(f"node.{room}.commands")
        for command in getattr(module, "COMMANDS", ()):
            cli.add_command(command)


def _tally() -> click.Command:
    from node.ballots.counting.cli import tally

    return tally


def _demo() -> click.Command:
    from node.demo import demo

    return demo


_register_rooms()


def main() -> None:
    from node.config import ConfigError

    try:
        cli.main(prog_name="commonground")
    except ConfigError as exc:
        click.echo(f"Error: configuration: {exc}", err=True)
        sys.exit(2)
