"""CSV import: all or nothing, line-numbered errors, re-import updates by e-mail, export round-trips."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from node.extensions import db
from node.members.models import Member

GOOD = (
    "\ufeffEmail,Name,union,ward,joined,status,role,phone,workplace\r\n"
    "aisha@example.org,Aisha Ahmed,Unite,Anfield,2021-03-04,active,organiser,07700900001,Merseyrail\r\n"
    "ben@example.org, Ben Byrne ,UNISON,County,2019-11-30,lapsed,,,\r\n"
    "\r\n"
    "ciara@example.org,Ciara Campbell,,,,,,,\r\n"
)


def count_members(group) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Member).where(Member.group_id == group.id)
    )


def upload(client, data: bytes, name="members.csv"):
    return client.post_form("/members/import", {"file": (io.BytesIO(data), name)})


def test_import_with_bom_crlf_blank_lines_and_any_column_order(officer_client, group):
    before = count_members(group)
    response = upload(officer_client, GOOD.encode())
    assert response.status_code == 200
    assert "3 new" in response.get_data(as_text=True)
    assert count_members(group) == before + 3
    ben = db.session.scalar(select(Member).where(Member.email == "ben@example.org"))
    assert (ben.name, ben.status, ben.union, ben.joined_on.isoformat()) == (
        "Ben Byrne",
        "lapsed",
        "UNISON",
        "2019-11-30",
    )
    aisha = db.session.scalar(select(Member).where(Member.email == "aisha@example.org"))
    assert aisha.role == "organiser" and aisha.workplace == "Merseyrail"


def test_reimport_updates_by_email_without_duplicates(officer_client, group):
    upload(officer_client, GOOD.encode())
    after_first = count_members(group)
    changed = GOOD.replace("Unite,Anfield", "GMB,Anfield").encode()
    response = upload(officer_client, changed)
    assert "0 new, 1 updated, 2 unchanged" in response.get_data(as_text=True)
    assert count_members(group) == after_first
    aisha = db.session.scalar(select(Member).where(Member.email == "aisha@example.org"))
    assert aisha.union == "GMB"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "name,email\nAisha,aisha@example.org\nBen,not-an-email\n",
            ["Line 3: email &#39;not-an-email&#39; is not valid"],
        ),
        (
            "name,email,joined\nAisha,aisha@example.org,04/03/2021\n",
            ["Line 2: joined &#39;04/03/2021&#39; is not a date"],
        ),
        (
            "name,email,status\nA,a@example.org,expelled\n",
            ["Line 2: status &#39;expelled&#39; must be one of"],
        ),
        ("name,email,role\nA,a@example.org,king\n", ["Line 2: role &#39;king&#39; must be one of"]),
        (
            "name,mail\nA,a@example.org\n",
            ["Line 1: unknown column(s) mail", "no &#39;email&#39; column"],
        ),
        (
            "name,email\nA,a@example.org\nB,A@example.org\n",
            ["Line 3: e-mail a@example.org already appears on line 2"],
        ),
        (
            "name,email\n,a@example.org\nB,b@example.org,extra\n",
            ["Line 2: name is empty", "Line 3: 3 fields"],
        ),
        ("", ["Line 1: the file is empty"]),
    ],
)
def test_any_bad_row_imports_nothing_and_names_the_line(officer_client, group, content, expected):
    good_first = "name,email\nKeep,keep@example.org\n"
    before = count_members(group)
    response = upload(officer_client, content.encode())
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in body
    for fragment in expected:
        assert fragment in body
    assert count_members(group) == before
    assert good_first  # the valid rows in a bad file were not stored either (count unchanged)


def test_non_utf8_file_is_refused_clearly(officer_client, group):
    response = upload(officer_client, "name,email\nJosé,jose@example.org\n".encode("latin-1"))
    assert response.status_code == 422
    assert "not UTF-8" in response.get_data(as_text=True)


def test_export_writes_the_import_columns_and_round_trips(officer_client, group, app):
    upload(officer_client, GOOD.encode())
    exported = officer_client.get("/members/export.csv")
    assert exported.headers["Content-Type"].startswith("text/csv")
    text = exported.get_data(as_text=True)
    assert text.splitlines()[0] == "name,email,phone,ward,union,workplace,joined,status,role"
    before = count_members(group)
    response = upload(officer_client, text.encode())
    assert response.status_code == 200
    assert "0 new, 0 updated" in response.get_data(as_text=True)
    assert count_members(group) == before


def test_formula_text_is_quoted_on_export_and_comes_back_unchanged(
    officer_client, group, make_member
):
    """Formula injection: the export quotes text a spreadsheet would run; the import removes
    exactly that quote, so the values re-import unchanged (into this group or another)."""
    values = {
        "name": "=HYPERLINK(CONCAT(A1,B1))",
        "phone": "+44 7700 900123",
        "ward": "-Anfield",
        "union": "@Unite",
        "workplace": "'=already quoted once",
    }
    make_member(group, "member", email="eve@example.org", account=False, **values)
    text = officer_client.get("/members/export.csv").get_data(as_text=True)
    row = next(r for r in csv.reader(io.StringIO(text)) if "eve@example.org" in r)
    assert row[:6] == [
        "'=HYPERLINK(CONCAT(A1,B1))",
        "eve@example.org",
        "'+44 7700 900123",
        "'-Anfield",
        "'@Unite",
        "''=already quoted once",
    ]
    assert "0 new, 0 updated" in upload(officer_client, text.encode()).get_data(as_text=True)
    db.session.expire_all()
    eve = db.session.scalar(
        select(Member).where(Member.group_id == group.id, Member.email == "eve@example.org")
    )
    assert {k: getattr(eve, k) for k in values} == values


def test_cli_import_and_export(app, group, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "m.csv"
    path.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(args=["members", "import", str(path), "--group", "walton"])
    assert result.exit_code == 0, result.output
    assert "3 new" in result.output
    again = runner.invoke(args=["members", "import", str(path), "--group", "walton"])
    assert "0 new, 0 updated, 3 unchanged" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\nX,broken\n")
    result = runner.invoke(args=["members", "import", str(bad), "--group", "walton"])
    assert result.exit_code != 0
    assert "line 2: email 'broken' is not valid" in result.output
    export = runner.invoke(args=["members", "export", "--group", "walton"])
    assert export.exit_code == 0
    lines = export.output.strip().splitlines()
    assert lines[0].startswith("name,email,")
    assert len(lines) == 1 + count_members(group)
    unknown = runner.invoke(args=["members", "export", "--group", "nope"])
    assert unknown.exit_code != 0 and "No group with slug 'nope'" in unknown.output
