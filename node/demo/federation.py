"""``commonground demo-federation`` (``make run``): a hub and two groups on this machine.

Three installs under ``$COMMONGROUND_INSTANCE_PATH`` (default ./var): ``hub``, ``walton`` and
``anfield``, each with its own SQLite database and keys, served by gunicorn on 8000, 8001 and
8002, plus one ``commonground worker`` per install. On first run they are seeded: the ordinary
demo data for each group (``node.demo.seed``), a hub officer, enrolment of both groups with
one-time tokens over real HTTP (exactly what ``hub join`` does), and a few endorsements
published and delivered to the hub, so the national dashboard has something to show.
Seeding only happens when all three folders are empty; delete them to start again.

Ports are bound before anything is seeded (``demo_processes``), so a busy port is one sentence
and leaves nothing behind. Seeding is all or nothing: each folder carries a "seeding" marker
until the whole federation is seeded; a failed or interrupted seeding removes its folders, and
one cut short harder (power off, kill -9) is removed by the next run, which seeds afresh. A
seeded federation is reused as it is.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
from datetime import date
from pathlib import Path
from typing import Any

import click

from node.demo.processes import Site, bind, start_servers, start_workers, stop

__all__ = ["banner", "create_sites", "seed_federation", "sites", "start_servers", "state", "stop"]

HUB_OFFICER = "officer@hub.example.org"
MARKER = ".demo-federation-seeded"
SEEDING = ".demo-federation-seeding"  # present from the first folder made until all are seeded
FAIL_AT = "COMMONGROUND_TEST_DEMO_FAIL_AT"  # tests: fail at a seeding step, e.g. "enrolled:walton"


def sites(
    base: Path, host: str = "127.0.0.1", ports: tuple[int, int, int] = (8000, 8001, 8002)
) -> list[Site]:
    base = base.expanduser().resolve()
    return [
        Site("hub", "National Hub", ports[0], None, base / "hub", host),
        Site("walton", "Walton Momentum", ports[1], "North West", base / "walton", host),
        Site("anfield", "Anfield Momentum", ports[2], "North West", base / "anfield", host),
    ]


def state(all_sites: list[Site]) -> str:
    """``seeded``; ``unfinished`` (a seeding of ours that did not finish: safe to remove);
    ``empty``; or ``partial`` (data we did not leave mid-seeding, e.g. one folder deleted)."""
    if all((s.folder / MARKER).exists() for s in all_sites):
        return "seeded"
    if any((s.folder / SEEDING).exists() for s in all_sites):
        return "unfinished"
    if not any((s.folder / "commonground.db").exists() for s in all_sites):
        return "empty"
    return "partial"


def mark_seeding(all_sites: list[Site]) -> None:
    for site in all_sites:
        site.folder.mkdir(parents=True, exist_ok=True)
        (site.folder / SEEDING).write_text("seeding started; removed when all three are seeded\n")


def remove_unfinished(all_sites: list[Site]) -> None:
    """Delete the folders of a seeding that did not finish (only those carrying its marker)."""
    for site in all_sites:
        if (site.folder / SEEDING).exists():
            shutil.rmtree(site.folder)


def _checkpoint(step: str) -> None:
    """Test hook: fail here when COMMONGROUND_TEST_DEMO_FAIL_AT names this step."""
    if os.environ.get(FAIL_AT) == step:
        raise RuntimeError(f"{FAIL_AT}={step}: failing on purpose")


# ----------------------------------------------------------------------------- seeding
def _create(site: Site) -> None:
    """Database, group and officer of one site (no network needed)."""
    from node.commands import migrate_upgrade
    from node.demo import add_officer, seed
    from node.extensions import db
    from node.groups.operations import create_group

    with site.app().app_context():
        migrate_upgrade()
        if site.is_hub:
            hub = create_group(site.name, slug=site.slug, url=site.url, role="hub")
            add_officer(hub, HUB_OFFICER, "Nat Officer", date(2020, 1, 1))
        else:
            rng = random.Random(f"{site.slug}-2026")  # noqa: S311 (repeatable demo data)
            seed(rng, name=site.name, slug=site.slug)
        db.session.commit()
        db.session.remove()


ENDORSEMENTS = {
    "walton": [("Sam Ortiz", "Mayor", "Liverpool City Region"), ("Aisha Byrne", "Councillor", "County")],
    "anfield": [("Sam Ortiz", "Mayor", "Liverpool City Region"), ("Declan Walsh", "Councillor", "Anfield")],
}  # fmt: skip


def _enrol_and_endorse(hub_site: Site, site: Site, owner: Site) -> None:
    """Join the hub, endorse candidates and co-endorse ``owner``'s campaign (its URL is under
    ``owner``'s, so ``owner``'s own endorsement is what names it at the hub)."""
    from node.extensions import db
    from node.groups.operations import get_group
    from node.hub import joining, operations
    from node.peering import operations as fed
    from node.peering.worker import deliver_due

    with hub_site.app().app_context():
        token, _ = operations.issue_token(get_group(hub_site.slug), site.name, site.region or "")
        db.session.commit()
        db.session.remove()
    with site.app().app_context():
        group = get_group(site.slug)
        joining.join(group, hub_site.url, token)
        db.session.commit()
        for n, (name, office, area) in enumerate(ENDORSEMENTS[site.slug], start=1):
            decision = fed.meeting_decision("2026-01-15", f"GM/{n}", "Agreed at a general meeting")
            fed.endorse_candidate(group, name, office, area, "2026-05-07", decision)
            db.session.commit()
        campaign = {
            "id_url": f"{owner.url}/campaigns/homes-for-all",
            "title": "Homes for All",
            "summary": "Council homes at social rent on public land.",
            "origin": owner.url,
        }
        decision = fed.meeting_decision("2026-01-15", "GM/9", "Agreed at a general meeting")
        fed.publish_campaign_endorsement(group, campaign, decision)
        db.session.commit()
        deliver_due()  # push to the hub's inbox now (the worker would within seconds)
        db.session.remove()


def seed_federation(all_sites: list[Site]) -> None:
    """Seed empty sites. Servers must be running (enrolment is real HTTP between them)."""
    hub_site = next(s for s in all_sites if s.is_hub)
    owner = next(s for s in all_sites if not s.is_hub)  # Walton: the campaign is its own
    for site in all_sites:
        if site.is_hub:
            continue
        _enrol_and_endorse(hub_site, site, owner)
        _checkpoint(f"enrolled:{site.slug}")
    for site in all_sites:
        (site.folder / MARKER).write_text("seeded\n")
    for site in all_sites:
        (site.folder / SEEDING).unlink(missing_ok=True)


def create_sites(all_sites: list[Site]) -> None:
    for site in all_sites:
        site.folder.mkdir(parents=True, exist_ok=True)
        _create(site)
        _checkpoint(f"created:{site.slug}")


def banner(all_sites: list[Site]) -> str:
    from node.demo import DEMO_OFFICER, DEMO_PASSWORD

    lines = ["", "  Commonground local federation (Ctrl-C stops everything):", ""]
    for site in all_sites:
        if site.is_hub:
            lines.append(f"  {site.name:18s} {site.url}/hub/   (dashboard; API {site.url}/api/v1/)")
            lines.append(f"  {'':18s} sign in as {HUB_OFFICER} / {DEMO_PASSWORD}")
        else:
            lines.append(f"  {site.name:18s} {site.url}/")
            lines.append(f"  {'':18s} sign in as {DEMO_OFFICER} / {DEMO_PASSWORD}")
    folder = all_sites[0].folder.parent
    lines += ["", f"  Data lives in {folder} (delete hub/, walton/, anfield/ to start again).", ""]
    return "\n".join(lines)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@click.command("demo-federation")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=int,
    envvar="COMMONGROUND_DEMO_PORT",
    help="Hub port; groups +1, +2 (or COMMONGROUND_DEMO_PORT).",
)
@click.option("--seed-only", is_flag=True, help="Seed (servers run only while seeding), then exit.")
def demo_federation(host: str, port: int, seed_only: bool) -> None:
    """Run a hub and two groups locally (seeded on first run), with their workers."""
    base = Path(os.environ.get("COMMONGROUND_INSTANCE_PATH") or "./var")
    all_sites = sites(base, host, (port, port + 1, port + 2))
    found = state(all_sites)
    if found == "seeded" and seed_only:
        click.echo(f"Already seeded in {base}; nothing to do.")
        return
    if found == "partial":
        raise click.ClickException(
            f"{base} holds a federation that is not whole (not left by an unfinished seeding): "
            "delete hub/, walton/ and anfield/ there to start again."
        )
    bind(all_sites)  # a busy port fails here, before anything is created or removed
    if found == "unfinished":
        click.echo("Removing an unfinished seeding left by an earlier run; seeding afresh.")
        remove_unfinished(all_sites)
    seeded = found == "seeded"
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if not seeded:
            mark_seeding(all_sites)
            create_sites(all_sites)
        start_servers(all_sites)
        if not seeded:
            seed_federation(all_sites)
            seeded = True
            click.echo("Seeded: two groups enrolled at the hub, endorsements delivered.")
        if seed_only:
            return
        start_workers(all_sites)
        click.echo(banner(all_sites))
        while True:
            signal.pause()  # until Ctrl-C (SIGINT) or SIGTERM
    except KeyboardInterrupt:
        if not seeded:
            raise click.Abort() from None  # exit 1: the seeding did not happen
    finally:
        click.echo("Stopping…")
        stop(all_sites)
        if not seeded:
            remove_unfinished(all_sites)
            click.echo("The unfinished seeding was removed; the next run seeds afresh.", err=True)


COMMANDS = [demo_federation]
