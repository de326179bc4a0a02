"""Set-up commands: ``init``, ``group create|list``, ``db upgrade|current|revision``, ``config``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from node.commands import (
    fail,
    migrate_upgrade,
    quiet_migrations,
    run_in_transaction,
    with_appcontext,
)


# ----------------------------------------------------------------------------- database
@click.group("db")
def db_group() -> None:
    """Database migrations (Alembic)."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply all pending migrations (safe to run again)."""
    migrate_upgrade()
    click.echo("Database is up to date.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the database's current migration revision(s)."""
    from flask import current_app
    from flask_migrate import current

    with quiet_migrations():
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
    click.option("--admin", required=True, help="E-mail of the group's first officer."),
]


def group_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The new group's options, ending with ``--admin``, its first officer's e-mail."""
    for option in reversed(GROUP_OPTIONS):
        func = option(func)
    return func


def create_group_with_officer(
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


@click.command("init")
@group_options
@with_appcontext
def init(**group: Any) -> None:
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
    migrate_upgrade()
    run_in_transaction(lambda: create_group_with_officer(**group))


@click.group("group")
def group_cmd() -> None:
    """Add and list the groups on this install."""


@group_cmd.command("create")
@group_options
@with_appcontext
def group_create(**group: Any) -> None:
    """Add a group to this install and print its first officer's invitation link."""
    run_in_transaction(lambda: create_group_with_officer(**group))


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


# ----------------------------------------------------------------------------- settings
@click.command("config")
def config_docs() -> None:
    """Print the table of COMMONGROUND_* settings (as in docs/configuration.md)."""
    from node.config import markdown_table

    click.echo(markdown_table())


COMMANDS = [init, group_cmd, db_group, config_docs]
