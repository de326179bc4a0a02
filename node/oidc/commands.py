"""``commonground oidc …``: register clients, connect a node, import national members."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from node.commands import fail, with_group

if TYPE_CHECKING:
    from node.groups.models import Group


@click.group("oidc")
def oidc() -> None:
    """National single sign-on (OpenID Connect): hub provider and node clients."""


@oidc.command("register-client")
@with_group("The hub group's slug.")
@click.option("--client-id", required=True, help="The node group's id URL (its public URL).")
@click.option("--redirect-uri", required=True, help="Exact callback URL on the node.")
@click.option("--jwks-uri", help="Where the node publishes its public keys.")
@click.option("--jwks-file", type=click.File("r"), help="A JWK set file with the node's key.")
@click.option("--name", help="Name shown on the consent screen.")
def register_client(
    group: Group,
    client_id: str,
    redirect_uri: str,
    jwks_uri: str | None,
    jwks_file: Any,
    name: str | None,
) -> None:
    """Register a node as a client of the hub (what enrolment does automatically)."""
    from node.extensions import db
    from node.oidc.operations import register_node_client

    try:
        jwks = json.load(jwks_file) if jwks_file else None
    except ValueError as exc:
        fail(str(exc))
    client = register_node_client(
        group, client_id, redirect_uri, jwks_uri=jwks_uri, jwks=jwks, name=name
    )
    db.session.commit()
    click.echo(f"Registered client {client.client_id} ({client.name}).")


@oidc.command("connect")
@with_group("The node group's slug.")
@click.option("--issuer", required=True, help="The hub's issuer URL.")
@click.option(
    "--allow-join-requests", is_flag=True, help="Let unknown national members ask to join."
)
@click.option("--print-registration", is_flag=True, help="Print the hub-side command to run.")
def connect(group: Group, issuer: str, allow_join_requests: bool, print_registration: bool) -> None:
    """Offer "Sign in with your national account" on a node group."""
    from node.extensions import db
    from node.oidc.client import callback_url
    from node.oidc.keys import group_public_jwks
    from node.oidc.operations import connect_to_hub

    conn = connect_to_hub(group, issuer, allow_join_requests=allow_join_requests)
    db.session.commit()
    click.echo(f"{group.slug} now signs members in through {conn.issuer}.")
    if print_registration:
        click.echo(
            json.dumps(
                {
                    "client_id": conn.client_id,
                    "redirect_uri": callback_url(group),
                    "jwks": group_public_jwks(group),
                }
            )
        )


@oidc.command("import-members")
@click.argument("file", type=click.File("rb"))
@with_group("The hub group's slug.")
def import_members(file: Any, group: Group) -> None:
    """Import national membership records from FILE.csv (all or nothing)."""
    from node.extensions import db
    from node.oidc.records import import_national_members

    report = import_national_members(group, file.read(), None)
    if not report.ok:
        db.session.rollback()
        for error in report.errors:
            click.echo(f"{file.name}: {error}", err=True)
        fail(f"nothing imported: {len(report.errors)} problem(s) in {file.name}")
    db.session.commit()
    click.echo(
        f"Imported: {report.created} new, {report.updated} updated, {report.unchanged} unchanged."
    )


COMMANDS = [oidc]
