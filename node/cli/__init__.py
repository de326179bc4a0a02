"""The ``commonground`` command: our own click group over thin commands that call operations.

Contract (docs and deploy scripts rely on these names and flags): ``init``, ``group create|list``,
``invite``, ``members import|export``, ``serve``, ``db upgrade`` and every room's commands.
Exit codes: 0 ok, 1 failure (one line ``Error: …`` on stderr), 2 usage (a wrong option, or an
invalid COMMONGROUND_* setting).

Import-light on purpose: this module imports click only. Commands are listed in
:mod:`node.cli.lazy` and imported when they run; the Flask app is built only by commands that
need it (:func:`node.cli.context.with_appcontext`). ``--help``, ``--version`` and ``tally`` start
without Flask, SQLAlchemy or joserfc (tests/node/test_cli_startup.py).
"""

from __future__ import annotations

import click

from node import __version__
from node.cli.context import VERBOSE, fail, migrate_upgrade, run_in_transaction, with_appcontext
from node.cli.lazy import COMMANDS, LazyGroup

__all__ = ["cli", "fail", "main", "migrate_upgrade", "run_in_transaction", "with_appcontext"]


@click.group(cls=LazyGroup, table=COMMANDS)
@click.version_option(__version__, prog_name="commonground")
@click.option(
    "-v", "--verbose", is_flag=True, help="Also show progress logs (database migrations)."
)
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Commonground: your local group's own node (members, ballots, signed endorsements)."""
    ctx.meta[VERBOSE] = verbose


def main() -> None:
    """The console script (``[project.scripts]``)."""
    try:
        cli.main(prog_name="commonground")
    except Exception as exc:
        from node.config import ConfigError

        if isinstance(exc, ConfigError):  # raised outside with_appcontext (e.g. a demo's app)
            click.echo(f"Error: configuration: {exc}", err=True)
            raise SystemExit(2) from None
        raise
