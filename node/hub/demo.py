"""``commonground demo-federation`` (``make run``): a hub and two groups on this machine.

Three installs under ``$COMMONGROUND_INSTANCE_PATH`` (default ./var): ``hub``, ``walton`` and
``anfield``, each with its own SQLite database and keys, served by gunicorn on 8000, 8001 and
8002, plus one ``commonground worker`` per install. On first run they are seeded: the ordinary
demo data for each group (``node.demo.seed``), a hub officer, enrolment of both groups with
one-time tokens over real HTTP (exactly what ``hub join`` does), and a few endorsements
published and delivered to the hub, so the national dashboard has something to show.
Seeding only happens when all three folders are empty; delete them to start again.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import click

HUB_OFFICER = "officer@hub.example.org"
MARKER = ".demo-federation-seeded"
READY_ATTEMPTS = 50
BIN = Path(sys.executable).parent


@dataclass
class Site:
    slug: str
    name: str
    port: int
    region: str | None
    folder: Path
    host: str = "127.0.0.1"
    sock: socket.socket | None = None
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def is_hub(self) -> bool:
        return self.region is None

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "COMMONGROUND_INSTANCE_PATH": str(self.folder),
            "COMMONGROUND_BASE_URL": self.url,
            "COMMONGROUND_MAIL_ENABLED": os.environ.get("COMMONGROUND_MAIL_ENABLED", "false"),
            "COMMONGROUND_ALLOW_PRIVATE_PEERS": "true",  # the demo's sites are on 127.0.0.1
        }
        env.pop("COMMONGROUND_DATABASE_URL", None)  # always the site's own SQLite file
        return env

    def app(self) -> Any:
        from node import create_app

        return create_app(
            {
                "INSTANCE_PATH": str(self.folder),
                "BASE_URL": self.url,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{self.folder / 'commonground.db'}",
                "MAIL_ENABLED": False,
                "ALLOW_PRIVATE_PEERS": True,
            }
        )


def sites(base: Path, host: str = "127.0.0.1", ports: tuple[int, int, int] = (8000, 8001, 8002)):  # type: ignore[no-untyped-def]
    base = base.expanduser().resolve()
    return [
        Site("hub", "National Hub", ports[0], None, base / "hub", host),
        Site("walton", "Walton Momentum", ports[1], "North West", base / "walton", host),
        Site("anfield", "Anfield Momentum", ports[2], "North West", base / "anfield", host),
    ]


def state(all_sites: list[Site]) -> str:
    """``seeded``, ``empty`` or ``partial`` (some folders have data, not all finished)."""
    if all((s.folder / MARKER).exists() for s in all_sites):
        return "seeded"
    if not any((s.folder / "commonground.db").exists() for s in all_sites):
        return "empty"
    return "partial"


# ----------------------------------------------------------------------------- processes
def start_servers(all_sites: list[Site], log: Path | None = None) -> None:
    """gunicorn per site on a socket bound here first (a request waits in the backlog until
    the app is up, so nothing polls or sleeps); then one bounded readiness request each."""
    import requests

    for site in all_sites:
        site.folder.mkdir(parents=True, exist_ok=True)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((site.host, site.port))
        sock.listen(128)
        site.sock = sock
        os.set_inheritable(sock.fileno(), True)
        out = open(log or site.folder / "server.log", "ab")  # noqa: SIM115 - child keeps it
        site.processes.append(
            subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "--bind",
                    f"fd://{sock.fileno()}",
                    "--workers",
                    "1",
                    "--threads",
                    "4",
                    "--worker-class",
                    "gthread",
                    "--graceful-timeout",
                    "2",
                    "--timeout",
                    "60",
                    "node.wsgi:app",
                ],  # fmt: skip
                env=site.env(),
                pass_fds=(sock.fileno(),),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        )
    for site in all_sites:
        for _ in range(READY_ATTEMPTS):
            if site.processes[-1].poll() is not None:
                raise click.ClickException(f"{site.name} server exited; see its server.log")
            try:
                requests.get(site.url + "/healthz", timeout=60).raise_for_status()
                break
            except (requests.ConnectionError, requests.Timeout):
                continue
        else:
            raise click.ClickException(f"{site.url} did not answer")


def start_workers(all_sites: list[Site]) -> None:
    for site in all_sites:
        out = open(site.folder / "worker.log", "ab")  # noqa: SIM115 - child keeps it
        site.processes.append(
            subprocess.Popen(
                [str(BIN / "commonground"), "worker", "--interval", "5"],
                env=site.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        )


def stop(all_sites: list[Site]) -> None:
    for site in all_sites:
        for process in site.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in site.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        site.processes.clear()
        if site.sock is not None:
            site.sock.close()
            site.sock = None


# ----------------------------------------------------------------------------- seeding
def _create(site: Site) -> None:
    """Database, group and officer of one site (no network needed)."""
    from werkzeug.security import generate_password_hash

    from node.cli import migrate_upgrade
    from node.demo import DEMO_PASSWORD, seed
    from node.extensions import db
    from node.groups.operations import create_group
    from node.members.models import Account, Member

    with site.app().app_context():
        migrate_upgrade()
        if site.is_hub:
            hub = create_group(site.name, slug=site.slug, url=site.url, role="hub")
            account = Account(
                email=HUB_OFFICER, password_hash=generate_password_hash(DEMO_PASSWORD)
            )
            db.session.add(account)
            db.session.flush()
            db.session.add(
                Member(
                    group_id=hub.id,
                    account_id=account.id,
                    email=HUB_OFFICER,
                    name="Nat Officer",
                    role="officer",
                    joined_on=date(2020, 1, 1),
                )
            )
        else:
            seed(random.Random(f"{site.slug}-2026"), name=site.name, slug=site.slug)
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
    from node.federation import operations as fed
    from node.federation.worker import deliver_due
    from node.groups.operations import get_group
    from node.hub import joining, operations

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
    for site in all_sites:
        (site.folder / MARKER).write_text("seeded\n")


def create_sites(all_sites: list[Site]) -> None:
    for site in all_sites:
        site.folder.mkdir(parents=True, exist_ok=True)
        _create(site)


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
@click.option("--port", default=8000, show_default=True, type=int, help="Hub port; groups +1, +2.")
@click.option("--seed-only", is_flag=True, help="Seed (servers run only while seeding), then exit.")
def demo_federation(host: str, port: int, seed_only: bool) -> None:
    """Run a hub and two groups locally (seeded on first run), with their workers."""
    base = Path(os.environ.get("COMMONGROUND_INSTANCE_PATH") or "./var")
    all_sites = sites(base, host, (port, port + 1, port + 2))
    found = state(all_sites)
    if found == "partial":
        raise click.ClickException(
            f"{base} holds a half-seeded federation: delete hub/, walton/ and anfield/ there."
        )
    if found == "empty":
        create_sites(all_sites)
    try:
        start_servers(all_sites)
        if found == "empty":
            seed_federation(all_sites)
            click.echo("Seeded: two groups enrolled at the hub, endorsements delivered.")
        if seed_only:
            return
        start_workers(all_sites)
        click.echo(banner(all_sites))
        signal.signal(signal.SIGTERM, _interrupt)
        while True:
            signal.pause()  # until Ctrl-C (SIGINT) or SIGTERM
    except KeyboardInterrupt:
        pass
    finally:
        click.echo("Stopping…")
        stop(all_sites)
