"""CSV import: the preview (mapping, failing lines, counts) stores nothing; the import is all or
nothing; re-import updates by e-mail; files from Excel, Google Sheets, LibreOffice and
NationBuilder-style exports are read; the export round-trips."""

from __future__ import annotations

import base64
import csv
import html
import io
import random
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from node.audit import AuditEntry
from node.extensions import db
from node.members.forms import pack
from node.members.models import Member

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"
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


def count_audit(group) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.group_id == group.id)
    )


def member(group, email: str) -> Member:
    db.session.expire_all()
    return db.session.scalar(
        select(Member).where(Member.group_id == group.id, Member.email == email)
    )


def upload(client, data: bytes, name="members.csv"):
    """Step 1: the file → the preview page."""
    return client.post_form("/members/import", {"file": (io.BytesIO(data), name)})


def preview_fields(body: str) -> dict[str, str]:
    """The preview form as a browser would submit it: hidden fields and selected options."""
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', body)
    }
    for index, options in re.findall(r'<select id="map-(\d+)" name="map-\d+">(.*?)</select>', body):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        fields[f"map-{index}"] = chosen.group(1) if chosen else ""
    return fields


def confirm(client, preview_body: str, action="import", follow=False, **changes: str):
    """Step 2: press a button of the preview (with column changes made in its selects)."""
    fields = {**preview_fields(preview_body), **changes, "action": action}
    fields.pop("csrf_token", None)
    return client.post_form("/members/import", fields, follow_redirects=follow)


def import_file(client, data: bytes, **changes: str):
    """Upload, look at the preview, press "Import N members"; returns the roster page."""
    preview = upload(client, data)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    body = preview.get_data(as_text=True)
    if changes:
        body = confirm(client, body, action="check", **changes).get_data(as_text=True)
    return confirm(client, body, follow=True)


def test_import_with_bom_crlf_blank_lines_and_any_column_order(officer_client, group):
    before = count_members(group)
    response = import_file(officer_client, GOOD.encode())
    assert response.status_code == 200
    assert "3 new" in response.get_data(as_text=True)
    assert count_members(group) == before + 3
    ben = member(group, "ben@example.org")
    assert (ben.name, ben.status, ben.union, ben.joined_on.isoformat()) == (
        "Ben Byrne",
        "lapsed",
        "UNISON",
        "2019-11-30",
    )
    aisha = member(group, "aisha@example.org")
    assert aisha.role == "organiser" and aisha.workplace == "Merseyrail"


def test_the_preview_shows_mapping_and_counts_and_stores_nothing(officer_client, group, app):
    import_file(officer_client, GOOD.encode())
    members, audit = count_members(group), count_audit(group)
    files = sorted(Path(app.instance_path).rglob("*"))
    changed = GOOD.replace("Unite,Anfield", "GMB,Anfield") + "dan@example.org,Dan Doyle\r\n"
    response = upload(officer_client, changed.encode())
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 new, 1 updated, 2 unchanged, 0 failing" in body
    assert "UTF-8 (with BOM)" in body and "comma-separated" in body
    assert preview_fields(body)["map-0"] == "email" and preview_fields(body)["map-1"] == "name"
    assert "Import 2 members" in body
    assert response.headers["Cache-Control"] == "no-store"
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), "an id is repeated (two forms on one page)"
    assert (count_members(group), count_audit(group)) == (members, audit)
    assert member(group, "aisha@example.org").union == "Unite"
    assert sorted(Path(app.instance_path).rglob("*")) == files  # nothing kept on disk either
    # Re-checking with another column choice stores nothing either.
    confirm(officer_client, body, action="check", **{"map-2": ""})
    assert (count_members(group), count_audit(group)) == (members, audit)


def test_reimport_updates_by_email_without_duplicates(officer_client, group):
    import_file(officer_client, GOOD.encode())
    after_first = count_members(group)
    changed = GOOD.replace("Unite,Anfield", "GMB,Anfield").encode()
    response = import_file(officer_client, changed)
    assert "0 new, 1 updated, 2 unchanged" in response.get_data(as_text=True)
    assert count_members(group) == after_first
    assert member(group, "aisha@example.org").union == "GMB"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "name,email\nAisha,aisha@example.org\nBen,not-an-email\n",
            ["1 new, 0 updated, 0 unchanged, 1 failing", "Line 3: email &#39;not-an-email&#39;"],
        ),
        (
            "name,email,joined\nAisha,aisha@example.org,04/03/2021\n",
            ["Line 2: joined &#39;04/03/2021&#39; is not a date", "could be 4 March or 3 April"],
        ),
        (
            "name,email,status\nA,a@example.org,expelled\n",
            ["Line 2: status &#39;expelled&#39; must be one of"],
        ),
        ("name,email,role\nA,a@example.org,king\n", ["Line 2: role &#39;king&#39; must be one of"]),
        (
            "name,email,consent_email\nA,a@example.org,maybe\n",
            ["Line 2: consent_email &#39;maybe&#39; must be yes or no"],
        ),
        ("name,mobile\nA,0770\n", ["Line 1: no column is imported as the e-mail address"]),
        (
            "\n\nname,email,email_address\nA,a@example.org,b@example.org\nB,A@example.org,\n",
            ["Line 5: e-mail a@example.org already appears on line 4"],
        ),
        (
            "name,email\n,a@example.org\nB,b@example.org,extra\n",
            ["Line 2: name is empty", "Line 3: 3 fields"],
        ),
        ("", ["Line 1: the file is empty"]),
        ("PK\x03\x04rest of a zip", ["Line 1: this is a spreadsheet workbook (.xlsx or .ods)"]),
    ],
)
def test_bad_rows_are_listed_with_line_numbers_and_nothing_is_imported(
    officer_client, group, content, expected
):
    before = count_members(group), count_audit(group)
    response = upload(officer_client, content.encode())
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing will be imported until every line is right" in body
    for fragment in expected:
        assert fragment in body
    assert 'value="import"' not in body  # no import button
    # Pressing import anyway (a hand-made request) stores nothing and shows the lines again.
    if "payload" in preview_fields(body):
        again = confirm(officer_client, body)
        assert again.status_code == 422 and expected[-1] in again.get_data(as_text=True)
    assert (count_members(group), count_audit(group)) == before


def test_a_changed_column_is_previewed_again_before_anything_is_stored(officer_client, group):
    body = upload(officer_client, GOOD.encode()).get_data(as_text=True)
    # The officer changes "ward" to "Don't import" and presses Import without checking again.
    response = confirm(officer_client, body, **{"map-3": ""})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "The preview changed" in text
    assert member(group, "aisha@example.org") is None
    # The new preview carries the new choice; importing it now stores it.
    imported = confirm(officer_client, text, follow=True)
    assert "3 new" in imported.get_data(as_text=True)
    aisha = member(group, "aisha@example.org")
    assert aisha.ward is None and aisha.union == "Unite"


def test_a_roster_change_after_the_preview_is_previewed_again(officer_client, group, make_member):
    body = upload(officer_client, GOOD.encode()).get_data(as_text=True)
    make_member(group, "member", email="ciara@example.org", name="Ciara C", account=False)
    response = confirm(officer_client, body)
    assert "The preview changed" in response.get_data(as_text=True)
    assert "2 new, 1 updated, 0 unchanged" in response.get_data(as_text=True)
    assert member(group, "aisha@example.org") is None


def test_a_tampered_or_oversized_payload_is_refused(officer_client, group, app):
    body = upload(officer_client, GOOD.encode()).get_data(as_text=True)
    before = count_members(group)
    for payload in ("not base64!", pack(b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1))):
        fields = {**preview_fields(body), "action": "import", "payload": payload}
        fields.pop("csrf_token")
        response = officer_client.post_form("/members/import", fields)
        assert response.status_code == 400
        assert "did not come through" in response.get_data(as_text=True)
    assert count_members(group) == before


def test_a_file_too_large_to_carry_is_refused_with_what_to_do(officer_client, group, app):
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    noise = base64.b64encode(random.Random(1).randbytes(110_000)).decode()  # compresses poorly
    response = upload(officer_client, f"name,email\nA {noise},a@example.org\n".encode())
    assert response.status_code == 413
    assert "too large to check in the browser" in response.get_data(as_text=True)


def test_windows_1252_semicolon_file_from_excel(officer_client, group):
    data = (DATA / "excel-windows-1252-semicolon.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the fixture really is not UTF-8
    body = upload(officer_client, data).get_data(as_text=True)
    assert "Windows-1252" in body and "semicolon-separated" in body
    assert "Siân O’Brien" in body
    import_file(officer_client, data)
    sian = member(group, "sian@example.org")
    assert (sian.name, sian.phone, sian.ward, sian.notes) == (
        "Siân O’Brien",
        "07700 900201",
        "Anfield",
        "Paid £12 subs",
    )
    assert member(group, "rene@example.org").name == "René Dupré"
    assert member(group, "rene@example.org").notes == "Prefers “Réné”"
    assert member(group, "zoe@example.org").name == "Zoë Ahmed"


def test_excel_utf8_bom_file(officer_client, group):
    data = (DATA / "excel-utf8-bom.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    import_file(officer_client, data)
    aoife = member(group, "aoife@example.org")
    assert (aoife.name, aoife.workplace, aoife.joined_on.isoformat()) == (
        "Aoife Ní Bhriain",
        "Café Nero",
        "2021-03-04",
    )
    assert member(group, "ben@example.org").name == 'Ben "Benny" Byrne'
    assert member(group, "ben@example.org").workplace == "Walton Centre, Ward 4"


def test_google_sheets_and_libreoffice_files(officer_client, group):
    import_file(officer_client, (DATA / "google-sheets.csv").read_bytes())
    fin = member(group, "fin@example.org")
    assert (fin.name, fin.phone, fin.ward, fin.union) == (
        "Fionnuala Ó Súilleabháin",
        "07700 900303",
        "Everton",
        "GMB",
    )
    import_file(officer_client, (DATA / "libreoffice.csv").read_bytes())
    grace, hamza = member(group, "grace@example.org"), member(group, "hamza@example.org")
    assert (grace.name, grace.consent_email, grace.consent_phone) == ("Grace Ọkafọr", True, False)
    assert (hamza.consent_email, hamza.consent_phone) == (False, True)


def test_nationbuilder_export_maps_names_email_phone_and_keeps_zip_and_tags_in_notes(
    officer_client, group
):
    data = (DATA / "nationbuilder-export.csv").read_bytes()
    fields = preview_fields(upload(officer_client, data).get_data(as_text=True))
    assert [fields[f"map-{i}"] for i in range(10)] == [
        "",
        "first_name",
        "first_name",
        "last_name",
        "email",
        "phone",
        "notes",
        "notes",
        "consent_email",
        "",
    ]
    import_file(officer_client, data)
    ifeoma, jack = member(group, "ifeoma@example.org"), member(group, "jack@example.org")
    assert (ifeoma.name, ifeoma.phone, ifeoma.consent_email) == (
        "Ifeoma Okafor",
        "07700 900401",
        True,
    )
    assert ifeoma.notes == "zip: L4 0TH\ntags: volunteer, canvasser"
    assert (jack.name, jack.consent_email) == ("Jack Thomas Lee", False)
    # Importing again adds no note twice and changes nothing.
    again = import_file(officer_client, data)
    assert "0 new, 0 updated, 3 unchanged" in again.get_data(as_text=True)
    assert member(group, "ifeoma@example.org").notes == ifeoma.notes


def test_nationbuilder_export_with_a_column_changed_in_the_preview(officer_client, group):
    data = (DATA / "nationbuilder-export.csv").read_bytes()
    import_file(officer_client, data, **{"map-2": "", "map-6": ""})  # no middle name, no zip
    jack = member(group, "jack@example.org")
    assert (jack.name, jack.notes) == ("Jack Lee", None)
    assert member(group, "kasia@example.org").notes == "tags: donor"


def test_imported_notes_are_added_to_what_officers_wrote(officer_client, group, make_member):
    make_member(group, "member", email="ifeoma@example.org", name="Ifeoma", account=False)
    m = member(group, "ifeoma@example.org")
    m.notes = "Met at the May rally"
    db.session.commit()
    import_file(officer_client, (DATA / "nationbuilder-export.csv").read_bytes())
    assert member(group, "ifeoma@example.org").notes == (
        "Met at the May rally\nzip: L4 0TH\ntags: volunteer, canvasser"
    )


def test_export_writes_the_import_columns_and_round_trips(officer_client, group):
    import_file(officer_client, GOOD.encode())
    exported = officer_client.get("/members/export.csv")
    assert exported.headers["Content-Type"].startswith("text/csv")
    text = exported.get_data(as_text=True)
    assert text.splitlines()[0] == "name,email,phone,ward,union,workplace,joined,status,role"
    before = count_members(group)
    body = upload(officer_client, text.encode()).get_data(as_text=True)
    assert "0 new, 0 updated" in body and "nothing to import" in body
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
    make_member(
        group, "member", email="eve@example.org", account=False, consent_phone=True, **values
    )
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
    eve = member(group, "eve@example.org")
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
    assert result.exit_code == 1
    assert "line 2: email 'broken' is not valid" in result.output
    export = runner.invoke(args=["members", "export", "--group", "walton"])
    assert export.exit_code == 0
    lines = export.output.strip().splitlines()
    assert lines[0].startswith("name,email,")
    assert len(lines) == 1 + count_members(group)
    unknown = runner.invoke(args=["members", "export", "--group", "nope"])
    assert unknown.exit_code != 0 and "No group with slug 'nope'" in unknown.output


def test_cli_map_and_dry_run(app, group):
    runner = app.test_cli_runner()
    path = str(DATA / "nationbuilder-export.csv")
    before = count_members(group), count_audit(group)
    dry = runner.invoke(
        args=["members", "import", path, "--group", "walton", "--dry-run", "--map", "zip=ignore"]
    )
    assert dry.exit_code == 0, dry.output
    assert "Read " in dry.output and "UTF-8, comma-separated" in dry.output
    assert "first_name → first_name" in dry.output and "zip → not imported" in dry.output
    assert "Would import: 3 new, 0 updated, 0 unchanged." in dry.output
    assert (count_members(group), count_audit(group)) == before
    result = runner.invoke(
        args=[
            "members",
            "import",
            path,
            "--group",
            "walton",
            "--map",
            "zip=ignore",
            "--map",
            " Middle_Name =ignore",
            "--map",
            "tags=",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Imported: 3 new" in result.output
    jack = member(group, "jack@example.org")
    assert (jack.name, jack.phone, jack.notes) == ("Jack Lee", "07700 900402", None)


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("zip", "write it as SOURCE=TARGET"),
        ("zip=ward2", "'ward2' is not something to import as"),
        ("postcode=ward", "the file has no column 'postcode'"),
    ],
)
def test_cli_bad_map_is_a_usage_error(app, group, pair, message):
    path = str(DATA / "nationbuilder-export.csv")
    result = app.test_cli_runner().invoke(
        args=["members", "import", path, "--group", "walton", "--map", pair]
    )
    assert result.exit_code == 2 and message in result.output


def test_cli_dry_run_lists_failing_lines_and_a_windows_1252_file_imports(app, group, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_bytes("Name;E-mail\r\nRené;rene@example\r\nZoë;zoe@example.org\r\n".encode("cp1252"))
    dry = runner.invoke(args=["members", "import", str(bad), "--group", "walton", "--dry-run"])
    assert dry.exit_code == 1
    assert "Windows-1252, semicolon-separated" in dry.output
    assert "line 2: email 'rene@example' is not valid" in dry.output
    good = runner.invoke(
        args=[
            "members",
            "import",
            str(DATA / "excel-windows-1252-semicolon.csv"),
            "--group",
            "walton",
        ]
    )
    assert good.exit_code == 0, good.output
    assert member(group, "sian@example.org").name == "Siân O’Brien"
