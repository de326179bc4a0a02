"""The ``commonground`` click group: a table of commands, each imported only to run it.

Why a table: importing every room's ``commands.py`` pulls in Flask, SQLAlchemy and joserfc
(~0.5 s), which ``commonground --help``, ``--version`` and ``tally`` never need. The table knows
each command's name, where it lives (``module:attribute``), its one-line help and its section
of the help screen, so the help is printed from the table alone and only the command that runs
is imported. The group itself (``cli``) lives here too, so that :mod:`node.cli` (the console
script) imports click only when a command needs it. tests/node/test_cli_startup.py imports
every room's ``COMMANDS`` and fails if the table misses a command or its help line drifts
from the command's docstring.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, NamedTuple

import click

from node import __version__
from node.commands import VERBOSE


class Entry(NamedTuple):
    target: str  # "module:attribute" of the click command
    help: str  # its short help (the docstring's first sentence), checked by a test
    section: str


SECTIONS = ("Try it", "Set up", "Members", "Ballots", "Federation", "Hub", "Operations")


def _table(*rows: tuple[str, str, str, str]) -> dict[str, Entry]:
    return {name: Entry(target, help_, section) for name, target, help_, section in rows}


COMMANDS: dict[str, Entry] = _table(
    ("demo", "node.demo:demo", "Seed a demo group into an empty instance, then serve it.", "Try it"),
    ("demo-federation", "node.demo.federation:demo_federation", "Run a hub and two groups locally (seeded on first run), with their workers.", "Try it"),
    ("init", "node.cli.setup:init", "Create the database and the first group, and print its first officer's invitation link.", "Set up"),
    ("group", "node.cli.setup:group_cmd", "Add and list the groups on this install.", "Set up"),
    ("db", "node.cli.setup:db_group", "Database migrations (Alembic).", "Set up"),
    ("config", "node.cli.setup:config_docs", "Print the table of COMMONGROUND_* settings (as in docs/configuration.md).", "Set up"),
    ("members", "node.cli.members:members_cmd", "Import and export the roster as CSV.", "Members"),
    ("invite", "node.cli.members:invite", "E-mail a single-use invitation to EMAIL and print the link.", "Members"),
    ("ballots", "node.ballots.commands:ballots_cmd", "Ballots: open, remind and close on time.", "Ballots"),
    ("tally", "node.ballots.counting.cli:tally", "Count the ballots in FILE.blt and print the result.", "Ballots"),
    ("endorse", "node.peering.commands:endorse", "Publish a decision taken at a meeting as a signed statement.", "Federation"),
    ("retract", "node.peering.commands:retract", "Withdraw one of the group's statements (a signed retraction is published).", "Federation"),
    ("peers", "node.peering.commands:peers", "Follow other groups (the allowlist of trusted issuers).", "Federation"),
    ("statements", "node.peering.commands:statements", "Statements this group holds (its own and received).", "Federation"),
    ("keys", "node.peering.commands:keys", "The group's signing keys.", "Federation"),
    ("hub", "node.hub.commands:hub_cmd", "The national hub: enrol groups, audit and rebuild, or join a hub from a node.", "Hub"),
    ("log", "node.witness.commands:log_cmd", "The hub's transparency log: verify all of it, or prove a statement is in it.", "Hub"),
    ("oidc", "node.oidc.commands:oidc", "National single sign-on (OpenID Connect): hub provider and node clients.", "Hub"),
    ("serve", "node.cli.serve:serve", "Run the development server (production: gunicorn node.wsgi:app).", "Operations"),
    ("worker", "node.peering.commands:worker", "Deliver statements, pull peers, and run other rooms' periodic tasks.", "Operations"),
    ("backup", "node.ops.commands:backup", "Write one archive with the database, keys and secrets (default: <instance>/backups/).", "Operations"),
    ("restore", "node.ops.commands:restore", "Restore FILE (from `commonground backup`) into this install: database, keys, secrets.", "Operations"),
    ("doctor", "node.ops.commands:doctor", "Check configuration, database, keys, disk, backups, clock and peers; say what to fix.", "Operations"),
)  # fmt: skip


def load(name: str, entry: Entry) -> click.Command:
    """Import the command an entry names (a table that names the wrong object is a bug)."""
    module, _, attribute = entry.target.partition(":")
    # __import__, not importlib.import_module: the latter bypasses the import statement's
    # machinery, so `python -X importtime` would not list the module (test_cli_startup.py).
    command = getattr(__import__(module, fromlist=[attribute]), attribute)
    if not isinstance(command, click.Command) or command.name != name:
        raise RuntimeError(f"node.cli.lazy: {entry.target} is not the {name!r} command")
    return command


class LazyGroup(click.Group):
    """A click group over :data:`COMMANDS`: help from the table, imports only on use.

    ``commands`` (click's dict of every command) still works for code that wants them all,
    such as the app factory adding them to ``app.cli``: reading it imports every command.
    """

    def __init__(self, *args: Any, table: dict[str, Entry], **kwargs: Any) -> None:
        self._table = table
        self._loaded: dict[str, click.Command] = {}
        super().__init__(*args, **kwargs)

    @property
    def commands(self) -> MutableMapping[str, click.Command]:
        for name in self._table:
            self._resolve(name)
        return self._loaded

    @commands.setter
    def commands(self, value: MutableMapping[str, click.Command]) -> None:
        self._loaded.update(value)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        name = name or cmd.name
        if name is None:
            raise TypeError("Command has no name.")
        self._loaded[name] = cmd

    def _resolve(self, name: str) -> click.Command | None:
        if name not in self._loaded:
            entry = self._table.get(name)
            if entry is None:
                return None
            self._loaded[name] = load(name, entry)
        return self._loaded[name]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._resolve(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self._table, *(name for name in self._loaded if name not in self._table)]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """One help section per :data:`SECTIONS` entry, in the table's order, without imports."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        for section in SECTIONS:
            rows = [
                (name, click.Command(name, help=entry.help).get_short_help_str(limit))
                for name, entry in self._table.items()
                if entry.section == section
            ]
            if rows:
                with formatter.section(section):
                    formatter.write_dl(rows)
        extra = [
            (name, cmd.get_short_help_str(limit))
            for name, cmd in self._loaded.items()
            if name not in self._table and not cmd.hidden
        ]
        if extra:
            with formatter.section("Other"):
                formatter.write_dl(extra)


@click.group(cls=LazyGroup, table=COMMANDS)
@click.version_option(__version__, prog_name="commonground")
@click.option(
    "-v", "--verbose", is_flag=True, help="Also show progress logs (database migrations)."
)
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Commonground: your local group's own node (members, ballots, signed endorsements)."""
    ctx.meta[VERBOSE] = verbose
