"""``commonground endorse|retract|peers|statements|keys|worker``: thin wrappers over operations.

Contract (docs and tests rely on these names and flags):
``endorse candidate --group SLUG --name --office --area --election-date --meeting-date --minute``,
``endorse campaign --group SLUG --title --summary [--url] --meeting-date --minute``,
``retract STATEMENT_ID --group SLUG --reason``, ``peers follow URL --group SLUG
[--fingerprint]``, ``statements list|verify --group SLUG``, ``keys rotate --group SLUG``,
``worker [--once] [--max N]``.
"""

from __future__ import annotations

import signal
import threading
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

from node.commands import fail, run_in_transaction, with_appcontext, with_group

if TYPE_CHECKING:
    from node.groups.models import Group
    from node.peering.models import Statement


def date_option(name: str) -> Any:
    """A required ``YYYY-MM-DD`` option, passed to the command as a ``date``."""

    def to_date(ctx: click.Context, param: click.Parameter, value: datetime) -> date:
        return value.date()

    return click.option(
        name, required=True, type=click.DateTime(formats=["%Y-%m-%d"]), callback=to_date
    )


def published(row: Statement) -> None:
    click.echo(f"Published statement {row.seq} ({row.statement_id}): {row.type}")


# ----------------------------------------------------------------------------- endorse
@click.group("endorse")
def endorse() -> None:
    """Publish a decision taken at a meeting as a signed statement."""


@endorse.command("candidate")
@with_group()
@click.option("--name", required=True, help="The candidate's name.")
@click.option("--office", required=True, help="Office or seat, e.g. Surrey County Council.")
@click.option("--area", required=True, help="Ward or division.")
@date_option("--election-date")
@date_option("--meeting-date")
@click.option("--minute", required=True, help="Minute reference of the decision.")
@click.option("--summary", default="Agreed at a general meeting", show_default=True)
def endorse_candidate(
    group: Group,
    name: str,
    office: str,
    area: str,
    election_date: date,
    meeting_date: date,
    minute: str,
    summary: str,
) -> None:
    from node.peering import operations as ops

    decision = ops.meeting_decision(meeting_date, minute, summary)
    published(
        run_in_transaction(
            ops.endorse_candidate, group, name, office, area, election_date, decision
        )
    )


@endorse.command("campaign")
@with_group()
@click.option("--title", required=True)
@click.option("--summary", required=True, help="What the campaign is for.")
@click.option("--url", help="The campaign's page (default: on this group's site).")
@click.option("--origin", help="Id URL of the group that started it (default: this group).")
@date_option("--meeting-date")
@click.option("--minute", required=True)
def endorse_campaign(
    group: Group,
    title: str,
    summary: str,
    url: str | None,
    origin: str | None,
    meeting_date: date,
    minute: str,
) -> None:
    from node.groups.operations import slugify
    from node.peering import operations as ops

    campaign = {
        "id_url": url or f"{group.url}/campaigns/{slugify(title)}",
        "title": title,
        "summary": summary,
        "origin": origin or group.url,
    }
    decision = ops.meeting_decision(meeting_date, minute, "Agreed at a general meeting")
    published(run_in_transaction(ops.publish_campaign_endorsement, group, campaign, decision))


@click.command("retract")
@click.argument("statement_id")
@with_group()
@click.option("--reason", required=True)
def retract(statement_id: str, group: Group, reason: str) -> None:
    """Withdraw one of the group's statements (a signed retraction is published)."""
    from node.peering import operations as ops

    row = run_in_transaction(ops.retract, group, statement_id, reason)
    click.echo(f"Published retraction {row.seq} ({row.statement_id}) of {statement_id}")


# ----------------------------------------------------------------------------- peers
@click.group("peers")
def peers() -> None:
    """Follow other groups (the allowlist of trusted issuers)."""


@peers.command("follow")
@click.argument("url")
@with_group()
@click.option("--fingerprint", help="The peer's key thumbprint, confirmed out of band.")
def peers_follow(url: str, group: Group, fingerprint: str | None) -> None:
    from node.peering.following import follow_peer

    preview = run_in_transaction(follow_peer, group, url, fingerprint)
    click.echo(f"{preview.name} ({preview.issuer})")
    click.echo(f"Key fingerprint: {preview.fingerprint}")
    if not preview.pinned:
        fail(
            "Not followed yet: check this fingerprint with the group by a channel you trust, "
            f"then run again with --fingerprint {preview.fingerprint}"
        )
    click.echo(f"Following; {preview.remote}.")


@peers.command("unfollow")
@click.argument("url")
@with_group()
def peers_unfollow(url: str, group: Group) -> None:
    from sqlalchemy import select

    from node.extensions import db
    from node.peering.following import unfollow_peer
    from node.peering.models import Peer

    peer = db.session.scalar(
        select(Peer).where(Peer.group_id == group.id, Peer.issuer == url.rstrip("/"))
    )
    if peer is None:
        fail(f"{group.slug} does not follow {url}.")
    click.echo(run_in_transaction(unfollow_peer, group, peer))


@peers.command("list")
@with_group()
def peers_list(group: Group) -> None:
    from sqlalchemy import select

    from node.extensions import db
    from node.peering.models import Peer

    for peer in db.session.scalars(select(Peer).where(Peer.group_id == group.id)):
        click.echo(f"{peer.issuer}\t{peer.status}\t{peer.last_pulled_seq}\t{peer.name}")


# ----------------------------------------------------------------------------- statements
@click.group("statements")
def statements() -> None:
    """Statements this group holds (its own and received)."""


@statements.command("list")
@with_group()
def statements_list(group: Group) -> None:
    """One line per statement: id, issuer, seq, type, verification status."""
    from sqlalchemy import select

    from node.extensions import db
    from node.peering.models import Statement

    rows = db.session.scalars(
        select(Statement)
        .where(Statement.group_id == group.id)
        .order_by(Statement.issuer, Statement.seq)
    )
    for row in rows:
        status = row.verification + (" retracted" if row.retracted_by else "")
        click.echo(f"{row.statement_id}\t{row.issuer}\t{row.seq}\t{row.type}\t{status}")


@statements.command("verify")
@with_group()
def statements_verify(group: Group) -> None:
    """Re-verify every held chain from seq 1 (signatures, schemas, links); exit 1 on problems."""
    from node.peering.verify import verify_held

    results = verify_held(group)
    bad = 0
    for issuer, count, problems in results:
        if problems:
            bad += 1
            click.echo(f"{issuer}: {count} statements, PROBLEMS: {'; '.join(problems[:5])}")
        else:
            click.echo(f"{issuer}: {count} statements, chain verified")
    if bad:
        fail(f"{bad} chain(s) failed verification")


# ----------------------------------------------------------------------------- keys
@click.group("keys")
def keys() -> None:
    """The group's signing keys."""


@keys.command("rotate")
@with_group()
def keys_rotate(group: Group) -> None:
    """Make a new key, announced by a key-rotation statement signed by the old one."""
    from node.peering import operations as ops

    row = run_in_transaction(ops.rotate_key, group)
    click.echo(f"New key {row.body['new_key']['kid']} (statement {row.seq}); old key retired.")


# ----------------------------------------------------------------------------- worker
@click.command("worker")
@click.option("--once", is_flag=True, help="Run what is due once, then exit.")
@click.option("--max", "max_items", type=click.IntRange(min=1), help="Deliver at most N per run.")
@click.option("--interval", default=10.0, show_default=True, type=click.FloatRange(min=0.1))
@with_appcontext
def worker(once: bool, max_items: int | None, interval: float) -> None:
    """Deliver statements, pull peers, and run other rooms' periodic tasks."""
    from sqlalchemy import select

    from node import scheduler
    from node.extensions import db
    from node.groups.models import Group
    from node.peering import worker as fworker

    # A database not set up (or not reachable) ends the command with one sentence here, rather
    # than with a traceback from every periodic task in turn.
    db.session.execute(select(Group.id).limit(1))
    db.session.rollback()
    fworker.max_per_run = max_items
    if once:
        done = scheduler.run_due_tasks()
        click.echo(" ".join(f"{name}={count}" for name, count in done.items()) or "nothing to do")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    click.echo("Worker running (SIGTERM or Ctrl-C to stop)")
    while not stop.is_set():
        done = scheduler.run_due_tasks()
        if any(count > 0 for count in done.values()):  # what this worker did (others share it)
            click.echo(" ".join(f"{name}={count}" for name, count in done.items() if count > 0))
        stop.wait(interval)
    click.echo("Worker stopped")


COMMANDS = [endorse, retract, peers, statements, keys, worker]
