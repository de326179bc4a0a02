"""What every command that touches an install shares: the app context, errors, migrations.

Rooms define their click commands in ``node/<room>/commands.py`` with these helpers; the
``commonground`` group that lists them is :mod:`node.cli`. An operation's refusal
(:class:`node.errors.OperationError`) ends a command as one ``Error: …`` line and exit status 1.
So does storage trouble (:func:`node.errors.storage_trouble`: a full disk, a read-only or
unreachable database), as one sentence with what to do instead of a traceback; ``--verbose``
also logs the traceback.

``with_appcontext`` is ours rather than Flask's: Flask's needs a ``FlaskGroup`` (its ScriptInfo)
at the top, and ours builds the app only when a command that needs it runs, so ``--help``,
``--version`` and ``tally`` never import Flask. It still uses a ScriptInfo when one is there
(``app.test_cli_runner()`` passes one holding the test's app).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import update_wrapper
from typing import Any, NoReturn, TypeVar, cast

import click

F = TypeVar("F", bound=Callable[..., Any])
VERBOSE = "commonground.verbose"
APP = "commonground.app"


class ConfigProblem(click.ClickException):
    """A COMMONGROUND_* setting is invalid: the invocation's fault, so exit code 2 (usage)."""

    exit_code = 2

    def format_message(self) -> str:
        return f"configuration: {self.message}"


def fail(message: str) -> NoReturn:
    """End the command with ``Error: message`` on stderr and exit code 1."""
    raise click.ClickException(message)


def fail_on_storage_trouble(exc: BaseException) -> None:
    """End the command with one sentence if ``exc`` is storage trouble (a full disk, a
    read-only or unreachable database); return for anything else (its traceback helps)."""
    from node.errors import storage_trouble

    trouble = storage_trouble(exc)
    if trouble is None:
        return
    if is_verbose():  # the one line is enough for an operator; a developer gets the traceback
        import logging

        logging.getLogger(__name__).warning("command failed: %s", trouble.cause, exc_info=exc)
    _roll_back()
    raise click.ClickException(
        f"{trouble.what[0].upper()}{trouble.what[1:]}, so the command stopped "
        f"({trouble.cause}); {trouble.fix}."
    ) from None


def _roll_back() -> None:
    """Give the connection back after a failed command (it may be gone: that is fine)."""
    from flask import current_app

    if not current_app:
        return
    from node.extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the database is the trouble: nothing left to undo
        db.session.remove()


def is_verbose() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(VERBOSE))


def load_app(ctx: click.Context) -> Any:
    """The Flask app for this invocation, built once (or the test runner's, if it passed one)."""
    if APP in ctx.meta:
        return ctx.meta[APP]
    info = ctx.find_root().obj
    if callable(getattr(info, "load_app", None)):  # Flask's ScriptInfo
        app = info.load_app()
    else:
        from node import create_app
        from node.config import ConfigError

        try:
            app = create_app()
        except ConfigError as exc:
            raise ConfigProblem(str(exc)) from None
    ctx.meta[APP] = app
    return app


def with_appcontext(f: F) -> F:
    """Run the command inside the install's app context, building the app if none is active."""

    @click.pass_context
    def wrapper(ctx: click.Context, /, *args: Any, **kwargs: Any) -> Any:
        from flask import current_app

        from node.errors import OperationError

        try:
            if not current_app:
                ctx.with_resource(load_app(ctx).app_context())
            return ctx.invoke(f, *args, **kwargs)
        except OperationError as exc:
            from node.extensions import db

            db.session.rollback()
            fail(exc.message)
        except Exception as exc:
            fail_on_storage_trouble(exc)
            raise

    return cast(F, update_wrapper(wrapper, f))


def with_group(help: str | None = None) -> Callable[[F], F]:
    """Add ``--group SLUG`` (required) and run the command in the app context, passing the Group
    as ``group`` (an unknown slug ends the command with an ``Error:`` line naming the groups)."""

    def decorate(f: F) -> F:
        def command(*args: Any, slug: str, **kwargs: Any) -> Any:
            from node.groups.operations import get_group

            return f(*args, group=get_group(slug), **kwargs)

        wrapped = with_appcontext(update_wrapper(command, f))
        return cast(F, click.option("--group", "slug", required=True, help=help)(wrapped))

    return decorate


@contextmanager
def quiet_migrations() -> Iterator[None]:
    """Hide Alembic's INFO lines unless ``--verbose``: a first run should not print a screen of
    them. (Alembic's env.py reconfigures its loggers on every run, so a level set beforehand
    would not hold; disabling INFO for the duration does.)"""
    if is_verbose():
        yield
        return
    import logging

    previous = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(previous)


def migrate_upgrade() -> None:
    """Apply every branch's pending migrations (safe to run again)."""
    from flask import current_app
    from flask_migrate import upgrade

    with quiet_migrations():
        upgrade(directory=current_app.extensions["migrate"].directory, revision="heads")


def run_in_transaction(func: Callable[..., Any], *args: Any) -> Any:
    """Run an operation and commit; a ValueError (a refusal) rolls back and fails the command."""
    from node.extensions import db

    try:
        result = func(*args)
    except ValueError as exc:
        db.session.rollback()
        fail(str(exc))
    db.session.commit()
    return result
