"""Backup then restore into a fresh install gives back every row of every table, the keys and the
secrets; a non-empty install is protected; damaged or foreign archives are refused untouched."""

from __future__ import annotations

import io
import json
import stat
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from node import clock
from node.cli import cli
from tests.ops.conftest import instance_files, table_contents


def populate(app, group, make_member) -> None:  # type: ignore[no-untyped-def]
    """Members, an invitation, each room's objects (via the rooms' isolation populators), a key."""
    from federation import keys
    from node.auth.operations import create_invitation
    from node.extensions import db

    people = {
        role: make_member(group, role, email=f"{role}@walton.example.org", name=f"Backup {role}")
        for role in ("member", "organiser", "officer")
    }
    make_member(group, "member", name="Imported Ivy", account=False, ward="Anfield", notes="n")
    create_invitation(group, "new@walton.example.org", role="member", send=False)
    db.session.commit()
    try:
        from tests.node.test_isolation import _populators
    except ImportError:  # pragma: no cover - the walk is part of the foundation
        _populators = list
    for populate_room in _populators():
        populate_room(group, "BACKUPTEST", people)
    db.session.commit()
    key_dir = Path(app.instance_path) / "keys" / group.slug
    if not (key_dir.is_dir() and any(key_dir.iterdir())):
        key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        keys.save_private_key(key_dir / "manual.key", keys.generate_private_key())


def invoke(app, *args: str):  # type: ignore[no-untyped-def]
    """Run a command against ``app`` (its own app context: the test's one may be another app's)."""
    with app.app_context():
        return app.test_cli_runner().invoke(cli, list(args), catch_exceptions=False)


def test_backup_then_restore_into_a_fresh_install_gives_everything_back(
    app, group, make_member, fresh_install, tmp_path
):
    populate(app, group, make_member)
    members_made = len(table_contents(app)["members"])  # ours plus the rooms' populators'
    archive = tmp_path / "node.tar.gz"
    with clock.frozen(datetime(2026, 3, 1, 12, 0, tzinfo=UTC)):
        made = invoke(app, "backup", str(archive))
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        names = tar.getnames()
    assert manifest["created_at"] == "2026-03-01T12:00:00+00:00"
    assert manifest["database"]["heads"]
    assert members_made >= 4
    assert manifest["database"]["counts"]["members"] == members_made
    assert any(name.startswith("instance/keys/walton/") for name in names)
    assert "secrets/secret_key" in names

    restored = invoke(fresh_install, "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert f"{members_made} member(s)" in restored.output

    before, after = table_contents(app), table_contents(fresh_install)
    assert set(before) == set(after)
    for table in before:
        assert after[table] == before[table], f"table {table} differs after restore"
    assert sum(len(rows) for rows in after.values()) >= 8
    source_files = instance_files(Path(app.instance_path))
    restored_files = instance_files(Path(fresh_install.instance_path))
    keys = {k: v for k, v in source_files.items() if k.startswith("keys/")}
    assert keys and all(restored_files[k] == v for k, v in keys.items())
    for name in keys:
        mode = stat.S_IMODE((Path(fresh_install.instance_path) / name).stat().st_mode)
        assert mode == 0o600
    secret = Path(fresh_install.instance_path) / "secret_key"
    assert secret.read_text().strip() == app.config["SECRET_KEY"]

    # The restored install answers like the original (a member can sign in there).
    fresh_install.test_client_class = type(app.test_client())
    client = fresh_install.test_client()
    assert client.get("/healthz").status_code == 200
    client.sign_in("officer@walton.example.org")


def test_restore_refuses_a_non_empty_install_without_force(app, group, make_member, tmp_path):
    populate(app, group, make_member)
    members_made = len(table_contents(app)["members"])
    archive = tmp_path / "node.tar.gz"
    assert invoke(app, "backup", str(archive)).exit_code == 0
    make_member(group, "member", email="later@walton.example.org")
    before = table_contents(app)

    refused = invoke(app, "restore", str(archive))
    assert refused.exit_code != 0
    assert "already has data" in refused.output and "--force" in refused.output
    assert table_contents(app) == before

    forced = invoke(app, "restore", str(archive), "--force")
    assert forced.exit_code == 0, forced.output
    emails = [row[4] for row in table_contents(app)["members"]]
    assert "later@walton.example.org" not in emails
    assert len(emails) == members_made


def test_timer_retention_keeps_the_newest_archives(app, group):
    folder = Path(app.instance_path) / "backups"
    for day in range(1, 5):
        with clock.frozen(datetime(2026, 3, day, 3, 15, tzinfo=UTC)):
            result = invoke(app, "backup", "--keep", "2")
            assert result.exit_code == 0, result.output
    kept = sorted(p.name for p in folder.glob("*.tar.gz"))
    assert kept == ["commonground-20260303T031500Z.tar.gz", "commonground-20260304T031500Z.tar.gz"]
    assert "Deleted old backup commonground-20260302T031500Z.tar.gz" in result.output
    # Existing file names are never overwritten.
    with clock.frozen(datetime(2026, 3, 4, 3, 15, tzinfo=UTC)):
        again = invoke(app, "backup")
    assert again.exit_code != 0 and "already exists" in again.output


def _tamper(archive: Path, target: Path, name: str, data: bytes) -> None:
    with tarfile.open(archive) as src, tarfile.open(target, "w:gz") as dst:
        for entry in src:
            body = src.extractfile(entry).read() if entry.isfile() else None  # type: ignore[union-attr]
            if entry.name == name:
                body = data
                entry.size = len(data)
            dst.addfile(entry, io.BytesIO(body) if body is not None else None)


@pytest.mark.parametrize(
    ("member", "data", "message"),
    [
        ("secrets/secret_key", b"stolen\n", "checksum mismatch"),
        ("../escape", b"x", "unsafe name"),
        ("manifest.json", b"{not json", "no readable manifest"),
    ],
)
def test_damaged_archives_are_refused_before_anything_changes(
    app, group, fresh_install, tmp_path, member, data, message
):
    archive = tmp_path / "good.tar.gz"
    assert invoke(app, "backup", str(archive)).exit_code == 0
    bad = tmp_path / "bad.tar.gz"
    if member == "../escape":
        with tarfile.open(archive) as src, tarfile.open(bad, "w:gz") as dst:
            for entry in src:
                dst.addfile(entry, src.extractfile(entry))
            evil = tarfile.TarInfo("../escape")
            evil.size = 1
            dst.addfile(evil, io.BytesIO(data))
    else:
        _tamper(archive, bad, member, data)
    result = invoke(fresh_install, "restore", str(bad))
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "escape").exists()
    with fresh_install.app_context():
        from sqlalchemy import inspect

        from node.extensions import db

        assert not inspect(db.engine).has_table("members")


def test_not_an_archive(app, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"hello")
    result = invoke(app, "restore", str(junk))
    assert result.exit_code != 0
    assert "not a readable Commonground backup" in result.output


def test_restored_node_continues_the_same_hash_chain(app, group, fresh_install, tmp_path):
    """Statements published after a restore link onto the chain signed before the backup."""
    from sqlalchemy import select

    from federation.statements import verify_signature
    from node.extensions import db
    from node.groups.operations import get_group
    from node.peering import operations as ops
    from node.peering.models import GroupKey, Statement

    def endorse(grp, name):  # type: ignore[no-untyped-def]
        decision = ops.meeting_decision("2026-02-10", "GM/3", "Agreed")
        row = ops.endorse_candidate(grp, name, "County Council", "Walton", "2026-05-07", decision)
        db.session.commit()
        return row

    endorse(group, "Sam Ortiz")
    last = endorse(group, "Ann Lee")
    # Read now: inside the other app's context a lazy load would go to the other database.
    before = {"seq": last.seq, "hash": last.hash, "kid": last.kid}
    slug = group.slug
    archive = tmp_path / "node.tar.gz"
    assert invoke(app, "backup", str(archive)).exit_code == 0
    assert invoke(fresh_install, "restore", str(archive)).exit_code == 0

    with fresh_install.app_context():
        restored_group = get_group(slug)
        after = endorse(restored_group, "Kim Park")
        assert after.seq == before["seq"] + 1
        assert after.prev == before["hash"]
        assert after.kid == before["kid"]
        key = db.session.scalar(select(GroupKey).where(GroupKey.kid == after.kid))
        verify_signature(after.compact, key.public_jwk)  # signed with the restored private key
        seqs = db.session.scalars(
            select(Statement.seq)
            .where(Statement.group_id == restored_group.id)
            .order_by(Statement.seq)
        ).all()
        assert seqs == [1, 2, 3]
    verified = invoke(fresh_install, "statements", "verify", "--group", slug)
    assert verified.exit_code == 0, verified.output
    assert "chain verified" in verified.output
