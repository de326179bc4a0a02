"""The ``commonground`` command: our own click group over thin commands that call operations.

Contract (docs and deploy scripts rely on these names and flags): ``init``, ``group create|list``,
``invite``, ``members import|export``, ``serve``, ``db upgrade`` and every room's commands.
Exit codes: 0 ok, 1 failure (one line ``Error: …`` on stderr), 2 usage (a wrong option, or an
invalid COMMONGROUND_* setting).

Import-light on purpose: this module imports nothing but :mod:`sys` until it is used. The
group (``cli``, in :mod:`node.cli.lazy`) is looked up on first use (rooms' commands import
their helpers, ``fail``, ``with_appcontext``, …, from :mod:`node.commands`), so the console
script can hand a plain ``commonground tally FILE --method M`` to
:mod:`node.ballots.counting.quick` without importing click at all (click is a quarter of such a
process; docs/performance.md). Commands are listed in :mod:`node.cli.lazy` and imported when
they run; the Flask app is built only by commands that need it. ``--help``, ``--version`` and
``tally`` start without Flask, SQLAlchemy or joserfc (tests/node/test_cli_startup.py).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~2 ms at start-up)
if TYPE_CHECKING:
    from typing import Any

    from node.cli.lazy import cli

__all__ = ["cli", "main"]

_LAZY = {"cli": "node.cli.lazy"}


def __getattr__(name: str) -> Any:
    """``cli``, imported on first use (it imports click)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(__import__(module, fromlist=[name]), name)
    globals()[name] = value
    return value


def main() -> None:
    """The console script (``[project.scripts]``)."""
    if sys.argv[1:2] == ["tally"] and _quick_tally(sys.argv[2:]):
        return
    import click

    from node.cli.lazy import cli

    try:
        cli.main(prog_name="commonground")
    except Exception as exc:
        from node.config import ConfigError

        if isinstance(exc, ConfigError):  # raised outside with_appcontext (e.g. a demo's app)
            click.echo(f"Error: configuration: {exc}", err=True)
            raise SystemExit(2) from None
        from node.commands import fail_on_storage_trouble

        try:  # storage trouble outside with_appcontext (doctor, demo): one line, not a traceback
            fail_on_storage_trouble(exc)
        except click.ClickException as problem:
            problem.show()
            raise SystemExit(problem.exit_code) from None
        raise


def _quick_tally(args: list[str]) -> bool:
    """Run a plain ``tally`` without click; False if click's command should run instead.

    The cycle collector is off meanwhile (the parse allocates ~50,000 containers and makes no
    cycles worth finding); after a count the process ends with ``os._exit`` once stdout and
    stderr are flushed, so the interpreter does not spend ~7 ms freeing the ballots one by one
    (nothing in this path registers an atexit handler).
    """
    import gc

    gc.disable()
    from node.ballots.counting.quick import run

    if not run(args):
        gc.enable()
        return False
    import os

    sys.stderr.flush()
    os._exit(0)
    return True  # not reached: os._exit ends the process
