"""Reading CSV bytes as spreadsheets save them: encoding, separator, Excel's sep= line, dates,
and the column guess (node.members.csv_mapping); the web and CLI flows are in test_csv_import."""

from __future__ import annotations

import pytest

from node.members import csv_io, csv_mapping


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("name,email\nJosé,j@example.org\n".encode(), "UTF-8"),
        ("\ufeffname,email\nJosé,j@example.org\n".encode(), "UTF-8 (with BOM)"),
        ("name,email\nJosé,j@example.org\n".encode("cp1252"), "Windows-1252"),
        ("name,email\nZoë Núñez,z@example.org\n".encode("cp1252"), "Windows-1252"),
        ("name\temail\nJosé\tj@example.org\n".encode("utf-16"), "UTF-16"),
        (
            "name,email\nДмитрий Иванов,d@example.org\nОльга Петрова,o@example.org\n".encode(
                "cp1251"
            ),
            "Windows-1251",
        ),
    ],
)
def test_encoding_is_detected_and_named(data, encoding):
    decoded = csv_mapping.decode(data)
    assert decoded.encoding == encoding
    assert "@example.org" in decoded.text and "\ufeff" not in decoded.text


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("name,email\nA,a@example.org\n", ","),
        ("name;email\nA;a@example.org\n", ";"),
        ("name\temail\nA\ta@example.org\n", "\t"),
        ("name|email\nA|a@example.org\n", "|"),
        ('name;email;notes\n"Byrne, Ben";b@example.org;"1,2"\n', ";"),
        ("email\na@example.org\n", ","),
    ],
)
def test_delimiter_is_sniffed(text, delimiter):
    assert csv_mapping.sniff_delimiter(text) == delimiter


def test_excel_sep_line_sets_the_delimiter_and_keeps_line_numbers():
    report = csv_io.read(b"sep=;\r\nname;email\r\nA;a@example.org\r\nB;broken\r\n")
    assert report.delimiter == ";" and report.mapping == ["name", "email"]
    assert [str(e) for e in report.errors][0].startswith("line 4: email 'broken'")


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2021-03-04", "2021-03-04"),
        ("2021/3/4", "2021-03-04"),
        ("2023-05-01T10:00:00+01:00", "2023-05-01"),
        ("4 March 2021", "2021-03-04"),
        ("04-Mar-2021", "2021-03-04"),
    ],
)
def test_unambiguous_dates_are_read(text, iso):
    assert csv_mapping.parse_date(text).isoformat() == iso


def test_guess_prefers_a_whole_name_and_takes_each_single_target_once():
    assert csv_mapping.guess(["First Name", "Surname", "Full name", "E-mail", "Email"]) == [
        "",
        "",
        "name",
        "email",
        "",
    ]
