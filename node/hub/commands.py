"""``commonground hub …``: enrolment tokens, joining a hub, audit, rebuild, sweep, suspensions.

Thin wrappers over :mod:`node.hub.operations` / :mod:`node.hub.audit`; each fails with a
one-line reason and a non-zero exit code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from node.commands import fail, run_in_transaction, with_appcontext, with_group

if TYPE_CHECKING:
    from node.groups.models import Group


def _hub(slug: str | None) -> Group:
    from sqlalchemy import select

    from node.extensions import db
    from node.groups.models import Group

    stmt = select(Group).where(Group.role == "hub")
    if slug:
        stmt = stmt.where(Group.slug == slug)
    hubs = db.session.scalars(stmt).all()
    if len(hubs) != 1:
        fail(
            "No hub group here (create one with `commonground init --role hub`)."
            if not hubs
            else "Several hubs here: name one with --hub SLUG."
        )
    return hubs[0]


hub_option = click.option("--hub", "hub_slug", help="The hub group's slug (if several).")


@click.group("hub")
def hub_cmd() -> None:
    """The national hub: enrol groups, audit and rebuild, or join a hub from a node."""


@hub_cmd.command("enrol-token")
@click.option("--name", required=True, help="The group's name as the hub will show it.")
@click.option("--region", required=True)
@click.option("--area")
@hub_option
@with_appcontext
def enrol_token(name: str, region: str, area: str | None, hub_slug: str | None) -> None:
    """Issue a one-time enrolment token and print it (only its hash is kept)."""
    from node.hub import operations

    token, row = run_in_transaction(operations.issue_token, _hub(hub_slug), name, region, area)
    click.echo(token)
    click.echo(f"(single use, for {row.name}, expires {row.expires_at:%d %b %Y})", err=True)


@hub_cmd.command("join")
@click.argument("hub_url")
@click.option("--token", required=True, help="The enrolment token the hub's officers gave you.")
@with_group("Your group's slug.")
def join(hub_url: str, token: str, group: Group) -> None:
    """Enrol your group at the hub HUB_URL (run on your group's node)."""
    from node.hub import joining

    link = run_in_transaction(joining.join, group, hub_url, token)
    click.echo(f"Enrolled at {link.name} ({link.hub_url}); hub key {link.keys[0]['kid']} pinned.")


@hub_cmd.command("audit")
@hub_option
@with_appcontext
def audit_cmd(hub_slug: str | None) -> None:
    """Re-verify every stored statement and the log from scratch; exit 1 on any problem."""
    from node.hub.audit import audit
    from node.hub.log.audit import audit_log

    hub = _hub(hub_slug)
    checked, problems = audit(hub)
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"{checked} statements checked, {len(problems)} problem(s).")
    leaves, log_problems = audit_log(hub.id)
    for line in log_problems:
        click.echo(line)
    click.echo(f"{leaves} log entries checked, {len(log_problems)} problem(s).")
    if problems or log_problems:
        raise SystemExit(1)


@hub_cmd.command("rebuild")
@hub_option
@with_appcontext
def rebuild_cmd(hub_slug: str | None) -> None:
    """Rebuild the aggregates from the statement store (statements that verify)."""
    from node.extensions import db
    from node.hub.audit import rebuild

    done, problems = rebuild(_hub(hub_slug))
    db.session.commit()
    click.echo(f"Aggregates rebuilt from {done} statements; {len(problems)} skipped.")
    if problems:
        raise SystemExit(1)


@hub_cmd.command("sweep")
@with_appcontext
def sweep_cmd() -> None:
    """Pull every enrolled group's outbox now (the worker does this every few minutes)."""
    from node.hub.sweep import run_sweep

    click.echo(f"{run_sweep(force=True)} statements stored.")


def _status_command(action: str, help_text: str) -> click.Command:
    @click.argument("group_ref")
    @hub_option
    @with_appcontext
    def command(group_ref: str, hub_slug: str | None) -> None:
        from node.hub import operations

        hub = _hub(hub_slug)
        row = operations.find_enrolled(hub, group_ref)
        run_in_transaction(getattr(operations, action), hub, row)
        click.echo(f"{row.name} is now {row.status}.")

    command.__doc__ = help_text
    return hub_cmd.command(action)(command)


_status_command("suspend", "Stop counting GROUP_REF's statements (id URL, id or name); kept.")
_status_command("reinstate", "Count GROUP_REF's statements again.")
_status_command("remove", "Stop trusting and counting GROUP_REF (its history is kept).")


COMMANDS = [hub_cmd]
