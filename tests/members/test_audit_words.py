"""The audit log reads as sentences: every action code the code base writes has one, the page
names the things it refers to, and an unknown code still reads as words."""

from __future__ import annotations

import ast
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from node.audit import record
from node.extensions import db
from node.members.audit_words import SENTENCES, fallback, lines

NODE = Path(__file__).resolve().parents[2] / "node"
# The codes built at run time, by the expression that builds them and what it can give.
DYNAMIC = {
    "f'oidc-join-{request.decision}'": {"oidc-join-approved", "oidc-join-declined"},
    "f'publish-{type}'": {
        "publish-candidate-endorsement",
        "publish-campaign-endorsement",
        "publish-retraction",
        "publish-key-rotation",
        "publish-registry",
    },
    "f'federation-{request.type}'": {"federation-follow", "federation-unfollow"},
    "what": {"complete-programme", "reopen-programme"},
    "f'hub-{status}'": {"hub-active", "hub-suspended", "hub-removed"},
    "action": {"edit-member", "edit-own-profile"},
    "f'motion-{motion.state}'": {"motion-carried", "motion-lost"},
}


def _is_record_call(node: ast.Call, aliases: set[str]) -> bool:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id in aliases
    return (
        isinstance(f, ast.Attribute)
        and f.attr == "record"
        and getattr(f.value, "id", "") == "audit"
    )


def _sources() -> list[Path]:
    """node/'s Python files under version control (a room still being written, not yet added
    to git, is checked once it is), or every file when there is no git checkout."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "*.py"], cwd=NODE, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return list(NODE.rglob("*.py"))
    return [NODE / name for name in listed] or list(NODE.rglob("*.py"))


def _written_codes() -> tuple[set[str], set[str]]:
    """(constant codes, expressions of computed codes) of every audit record call in node/."""
    codes: set[str] = set()
    computed: set[str] = set()
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {"record"}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "node.audit":
                aliases |= {a.asname or a.name for a in node.names if a.name == "record"}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not _is_record_call(node, aliases):
                continue
            if len(node.args) < 3:
                continue
            code = node.args[2]
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                codes.add(code.value)
            else:
                computed.add(ast.unparse(code))
    return codes, computed


def test_every_code_written_has_a_sentence() -> None:
    codes, computed = _written_codes()
    assert len(codes) > 40, "the collector found too few record() calls"
    assert computed == set(DYNAMIC), "a computed audit code: add it to DYNAMIC and SENTENCES"
    written = codes.union(*DYNAMIC.values())
    assert sorted(written - set(SENTENCES)) == [], "codes with no sentence"


def test_a_sentence_names_the_ballot_and_the_person(app, make_group, make_member) -> None:
    from node.ballots.models import Ballot

    group = make_group("Alpha", slug="alpha")
    sam = make_member(group, "officer", name="Sam Ortiz", email="sam@alpha.example.org")
    now = datetime(2027, 1, 1, 12, 0)
    ballot = Ballot(
        group_id=group.id,
        title="Chair 2027",
        question="Who chairs?",
        kind="selection",
        method="irv",
        opens_at=now,
        closes_at=now + timedelta(days=7),
        freeze_on=now.date(),
        seed=1,
    )
    db.session.add(ballot)
    db.session.flush()
    record(group, sam, "open-ballot", f"ballot #{ballot.id}", "27 electors")
    record(group, sam, "lapse-member", f"member #{sam.id}")
    record(group, sam, "close-hustings", "selection #9", "early")
    db.session.commit()
    client = app.test_client()
    client.sign_in(sam.email, base_url=group.url)
    page = client.get("/audit", base_url=group.url).get_data(as_text=True)
    assert "Sam Ortiz opened the ballot ‘Chair 2027’ (27 electors)" in page
    assert "Sam Ortiz marked Sam Ortiz as lapsed" in page
    assert "open-ballot" not in page and "lapse-member" not in page
    assert "Sam Ortiz: Close hustings selection #9" in page  # unknown code: still words
    assert "(#" not in page.split("<main", 1)[1]  # the actor's id is not shown


def test_unknown_codes_read_as_words() -> None:
    assert fallback("close_hustings-early") == "{actor}: Close hustings early {target}"
    entry = SimpleNamespace(action="x-y", actor_label="Ana (#4)", target=None, detail="why")
    [line] = lines(None, [entry])
    assert (line.sentence, line.detail) == ("Ana: X y", "why")
