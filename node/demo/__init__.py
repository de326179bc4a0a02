"""``commonground demo``: a ready-to-try node under ./var with a group, an officer and members.

Used by ``make run``. It only seeds an empty instance, so running it again keeps what you did.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import click

from node.commands import load_app, migrate_upgrade
from node.rooms import rooms_of

DEMO_OFFICER = "officer@example.org"
DEMO_PASSWORD = "solidarity-2026"  # noqa: S105 (the demo's published password)
FIRST = [
    "Aisha", "Ben", "Ciara", "Dev", "Eilidh", "Femi", "Grace", "Harpreet", "Ian", "Jas", "Kofi",
    "Lena", "Mo", "Niamh", "Owen", "Priya", "Rory", "Sade", "Tom", "Uzma", "Vic", "Wren", "Yusuf",
    "Zara", "Callum", "Maria", "Declan", "Shona", "Tariq", "Bethan",
]  # fmt: skip
LAST = [
    "Ahmed", "Byrne", "Campbell", "Davies", "Evans", "Fraser", "Gill", "Hughes", "Iqbal", "Jones",
    "Kaur", "Lewis", "McDonald", "Nowak", "O'Brien", "Patel", "Quinn", "Roberts", "Singh",
    "Taylor", "Walsh", "Young",
]  # fmt: skip
UNIONS = ["Unite", "UNISON", "GMB", "CWU", "NEU", "RMT", "FBU", "PCS", "Usdaw", "TSSA", None, None]
WARDS = ["County", "Anfield", "Everton", "Warbreck", "Fazakerley", "Kirkdale"]
WORK = [
    "Royal Liverpool Hospital", "Merseyrail", "Liverpool City Council", "Amazon LCY3",
    "Walton Centre", "Everton Library", "Sorting office L4", "St Francis Primary", None,
]  # fmt: skip


def add_officer(group: Any, email: str, name: str, joined_on: date, **fields: Any) -> None:
    """A signed-up officer of ``group`` who signs in with ``email`` and the demo password."""
    from werkzeug.security import generate_password_hash

    from node.extensions import db
    from node.members.models import Account, Member

    account = Account(email=email, password_hash=generate_password_hash(DEMO_PASSWORD))
    db.session.add(account)
    db.session.flush()
    db.session.add(
        Member(
            group_id=group.id,
            account_id=account.id,
            email=email,
            name=name,
            role="officer",
            joined_on=joined_on,
            **fields,
        )
    )


def seed(rng: random.Random, name: str = "Walton Momentum", slug: str = "walton") -> str:
    """Create the demo group, a signed-up officer and ~30 members; return the sign-in hint."""
    from node.extensions import db
    from node.groups.operations import create_group
    from node.members.models import Member

    group = create_group(name, slug=slug)
    add_officer(group, DEMO_OFFICER, "Sam Officer", date(2019, 5, 1), union="Unite", ward="County")
    used: set[str] = set()
    while len(used) < 30:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}".lower().replace("'", "") + "@example.org"
        if email in used:
            continue
        used.add(email)
        db.session.add(
            Member(
                group_id=group.id,
                name=f"{first} {last}",
                email=email,
                phone=f"07700 900{rng.randrange(100, 999)}" if rng.random() < 0.6 else None,
                ward=rng.choice(WARDS),
                union=rng.choice(UNIONS),
                workplace=rng.choice(WORK),
                joined_on=date(2026, 11, 1) - timedelta(days=rng.randrange(10, 2500)),
                status="lapsed" if rng.random() < 0.12 else "active",
                role="organiser" if rng.random() < 0.15 else "member",
                consent_email=rng.random() < 0.9,
            )
        )
    db.session.flush()
    for seed in rooms_of().ordered_demo_seeds():
        seed(group, rng)
    return f"Sign in as {DEMO_OFFICER} with password {DEMO_PASSWORD}"


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=int,
    envvar="COMMONGROUND_DEMO_PORT",
    help="Port to serve on (or COMMONGROUND_DEMO_PORT).",
)
@click.option("--no-serve", is_flag=True, help="Only seed the demo data, do not serve.")
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, no_serve: bool) -> None:
    """Seed a demo group into an empty instance, then serve it."""
    from node.cli.serve import listen, serve_app

    # The port first: a busy one is one sentence, before the database is touched.
    sock = (
        None
        if no_serve
        else listen(host, port, "pick another with --port N (or COMMONGROUND_DEMO_PORT=N)")
    )
    with load_app(ctx).app_context() as app_context:
        app = app_context.app
        hint = _seed_if_empty()
        click.echo("")
        click.echo(f"  Commonground demo: http://{host}:{port}/")
        click.echo(f"  {hint}")
        click.echo(f"  Data lives in {app.config['INSTANCE_PATH']} (delete it to start again).")
        click.echo("")
        if sock is not None:
            serve_app(app, sock)


def _seed_if_empty() -> str:
    from sqlalchemy import func, select

    from node.extensions import db
    from node.groups.models import Group

    migrate_upgrade()
    if db.session.scalar(select(func.count()).select_from(Group)):
        return (
            f"Sign in as {DEMO_OFFICER} with password {DEMO_PASSWORD} (if you kept the demo data)"
        )
    hint = seed(random.Random(2026))  # noqa: S311 (repeatable demo data, not secrets)
    db.session.commit()
    click.echo("Seeded a demo group with an officer and 30 members.")
    return hint


COMMANDS = [demo]
