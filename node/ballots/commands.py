"""``commonground ballots …``: run what is due now (for cron, if no worker runs)."""

from __future__ import annotations

import click

from node.ballots.counting.cli import tally
from node.commands import with_appcontext


@click.group("ballots")
def ballots_cmd() -> None:
    """Ballots: open, remind and close on time."""


@ballots_cmd.command("run-due")
@with_appcontext
def run_due_cmd() -> None:
    """Open scheduled ballots, send reminders and close ballots that are due now."""
    from node.ballots.scheduling import run_due

    click.echo(f"Ballots: {run_due()} action(s) taken.")


COMMANDS = [ballots_cmd, tally]  # tally: the pure counter from the shell
