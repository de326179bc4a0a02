"""``commonground log prove STATEMENT_ID --group SLUG``: show, with the hub's own proof, that
one of the group's statements is in the hub's transparency log (protocol §14).

Fetches the hub's latest checkpoint, checks its signature with the log key (the pinned one if
the witness has pinned it), asks the hub for the inclusion proof of the statement's leaf and
verifies it. Prints what was proved; on any failure one sentence and a non-zero exit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from node.commands import fail, with_group
from node.hub.log.verify import verify

if TYPE_CHECKING:
    from node.groups.models import Group


@click.group("log")
def log_cmd() -> None:
    """The hub's transparency log: verify all of it, or prove a statement is in it."""


@log_cmd.command("prove")
@click.argument("statement_id")
@with_group("The group whose statement it is.")
def prove(statement_id: str, group: Group) -> None:
    """Prove that the hub's log holds one of the group's statements."""
    from federation.errors import DeliveryError
    from federation.tlog import TlogError
    from node.witness.proving import ProofFailed, prove_statement

    try:
        proved = prove_statement(group, statement_id.strip())
    except ProofFailed as exc:
        fail(str(exc))
    except DeliveryError as exc:
        fail(f"Could not get the proof from the hub: {exc}")
    except TlogError as exc:
        fail(f"The hub's answer does not check out: {exc}")
    for line in proved:
        click.echo(line)


log_cmd.add_command(verify)  # anyone's check of a whole log (the hub's side, node.hub.log)

COMMANDS = [log_cmd]
