"""BLT reading, writing and error reporting (with line numbers)."""

from __future__ import annotations

import pytest

from node.ballots.counting import BltError, Election, count, read_blt, read_blt_file, write_blt

GOOD = """4 2
-4
3 1 2 0
2 2 1 3 0
1 3 0
4 1 2 0
0
"Ann"
"Bob"
"Cat"
"Dan"
"Test election"
"""


def test_reads_header_withdrawn_grouped_ballots_names_title() -> None:
    e = read_blt(GOOD)
    assert e.candidates == ["Ann", "Bob", "Cat", "Dan"]
    assert e.seats == 2
    assert e.withdrawn == frozenset({3})
    assert e.title == "Test election"
    # "1 2" appears twice (weights 3 and 4) and is grouped, first-seen order kept.
    assert e.ballots == [(7, (0, 1)), (2, (1, 0, 2)), (1, (2,))]


def test_tolerates_crlf_and_blank_lines() -> None:
    text = "\r\n" + GOOD.replace("\n", "\r\n\r\n")
    assert read_blt(text) == read_blt(GOOD)


def test_write_read_round_trip_is_exact() -> None:
    e = read_blt(GOOD)
    text = write_blt(e.candidates, e.seats, e.ballots, e.title, e.withdrawn)
    assert read_blt(text) == e
    # Canonical text (already grouped) is reproduced byte for byte.
    assert write_blt(e.candidates, e.seats, e.ballots, e.title, e.withdrawn) == text
    assert text.splitlines()[2] == "7 1 2 0"


def test_writer_groups_identical_rankings() -> None:
    text = write_blt(["A", "B"], 1, [(1, (0, 1)), (1, (1,)), (1, [0, 1])], "t")
    assert text == '2 1\n2 1 2 0\n1 2 0\n0\n"A"\n"B"\n"t"\n'


def test_writer_rejects_unwritable_names() -> None:
    with pytest.raises(ValueError):
        write_blt(['say "hi"'], 1, [], "t")
    with pytest.raises(ValueError):
        write_blt(["A", "B"], 1, [(1, (0, 0))], "t")


def _err(text: str) -> BltError:
    with pytest.raises(BltError) as info:
        read_blt(text)
    return info.value


NAMES = '"A"\n"B"\n"C"\n"T"\n'


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "empty"),
        ("3\n0\n" + NAMES, 1, "bad header"),
        ("3 x\n0\n" + NAMES, 1, "unexpected token 'x'"),
        ("3 4\n0\n" + NAMES, 1, "seats must be between 1 and 3"),
        ("3 1\n-4\n0\n" + NAMES, 2, "withdrawn candidate -4"),
        ("3 1\n1 1 2 0\n2 1 9 0\n0\n" + NAMES, 3, "preference 9 is not a candidate (1-3)"),
        ("3 1\n1 1 2 1 0\n0\n" + NAMES, 2, "duplicate preference 1"),
        ("3 1\n1 1 2\n0\n" + NAMES, 2, "missing its 0 terminator"),
        ("3 1\n1 1 0 2 0\n0\n" + NAMES, 2, "0 before the end"),
        ("3 1\n0 1 0\n0\n" + NAMES, 2, "weight must be a positive integer"),
        ("3 1\n1 1 = 2 0\n0\n" + NAMES, 2, "equal ranking '='"),
        ("3 1\n1 1 2 0\n" + NAMES, 3, "missing '0' line"),
        ('3 1\n1 1 2 0\n0\n"A"\n"B"\n', 6, "wrong number of names: expected 3, found 2"),
        ('3 1\n1 1 2 0\n0\n"A"\n"B"\n"C"\n', 7, "missing quoted title"),
        ('3 1\n1 1 2 0\n0\n"A"\nB\n"C"\n"T"\n', 5, "name of candidate 2 must be a double-quoted"),
        ("3 1\n\n\n1 1 2 0\n\n2 4 0\n0\n" + NAMES, 6, "preference 4 is not a candidate"),
    ],
)
def test_malformed_input_reports_line_and_problem(text: str, line: int, fragment: str) -> None:
    err = _err(text)
    assert err.line == line
    assert fragment in err.message
    assert str(err).startswith(f"line {line}: ")


def test_crlf_errors_keep_line_numbers() -> None:
    text = "3 1\r\n1 1 2 0\r\n1 5 0\r\n0\r\n" + NAMES.replace("\n", "\r\n")
    assert _err(text).line == 3


def test_empty_ballot_lines_are_allowed_but_not_votes() -> None:
    e = read_blt('2 1\n3 0\n1 2 0\n0\n"A"\n"B"\n"t"\n')
    assert e.ballots == [(3, ()), (1, (1,))]
    assert isinstance(e, Election)


# --- What other programs write (issue 15): each accepted extra, then each refusal. ---

PLAIN = read_blt('3 1\n-3\n2 1 2 0\n1 2 0\n0\n"A"\n"B"\n"C"\n"T"\n')


def test_comments_whole_line_and_trailing_outside_quotes() -> None:
    text = (
        "# exported by a counting program\n"
        "3 1   # candidates seats\n"
        "   # indented comment\n"
        "-3 # withdrawn\n"
        "2 1 2 0 # two ballots\n"
        "#1 3 0   (a commented-out ballot)\n"
        "1 2 0\n"
        "0 # end of ballots\n"
        "# names follow\n"
        '"A"  # first\n"B"\n"C"#no space before the hash\n'
        '"T" # title\n'
    )
    assert read_blt(text) == PLAIN
    # A '#' inside quotes is part of the name, not a comment.
    e = read_blt('2 1\n1 1 0\n0\n"Party #1" # a comment\n"B"\n"Ward #3"\n')
    assert e.candidates == ["Party #1", "B"] and e.title == "Ward #3"


def test_blank_and_whitespace_lines_tabs_cr_and_bom() -> None:
    text = '\n  \n3\t1\n\n-3\n \t\n2  1\t2 0\n\n1 2 0\n\n0\n\n"A"\n\n"B"\n"C"\n\n"T"\n\n\n'
    assert read_blt(text) == PLAIN
    assert read_blt(text.replace("\n", "\r\n")) == PLAIN
    assert read_blt(text.replace("\n", "\r")) == PLAIN  # classic Mac line ends
    assert read_blt("\ufeff" + text.replace("\n", "\r\n")) == PLAIN


def test_file_with_bom_and_crlf(tmp_path) -> None:
    path = tmp_path / "windows.blt"
    path.write_bytes(
        b"\xef\xbb\xbf" + b'3 1\r\n-3\r\n2 1 2 0\r\n1 2 0\r\n0\r\n"A"\r\n"B"\r\n"C"\r\n"T"\r\n'
    )
    assert read_blt_file(path) == PLAIN


def test_file_not_utf8_is_refused_with_its_line(tmp_path) -> None:
    path = tmp_path / "cp1252.blt"
    path.write_bytes('2 1\n1 1 0\n0\n"Ann"\n"Zo\u00eb"\n"T"\n'.encode("cp1252"))
    with pytest.raises(BltError) as info:
        read_blt_file(path)
    assert info.value.line == 5 and "not UTF-8" in info.value.message


def test_withdrawn_on_several_lines() -> None:
    e = read_blt('5 2\n-2\n-5 -1\n# more\n-4\n1 3 0\n0\n"A"\n"B"\n"C"\n"D"\n"E"\n"T"\n')
    assert e.withdrawn == frozenset({0, 1, 3, 4})
    err = _err('3 1\n-2\n-2\n1 1 0\n0\n"A"\n"B"\n"C"\n"T"\n')
    assert (err.line, err.message) == (3, "candidate 2 withdrawn twice")


def test_weights_above_one_are_counted_in_full() -> None:
    e = read_blt('2 1\n250000 1 2 0\n3 2 0\n17 1 2 0\n0\n"A"\n"B"\n"T"\n')
    assert e.ballots == [(250017, (0, 1)), (3, (1,))]
    assert e.total_weight == 250020


def test_ballot_ids_before_the_weight() -> None:
    text = '3 1\n-3\n(b1) 1 1 2 0\n( ballot 2 ) 1 1 2 0 # id with spaces\n(b#3) 1 2 0\n0\n"A"\n"B"\n"C"\n"T"\n'
    assert read_blt(text) == PLAIN
    # Ids and plain lines may be mixed; ids are checked, then dropped with the grouping.
    assert read_blt(text.replace("(b#3) 1 2 0", "1 2 0")) == PLAIN


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("(b9) 2 1 0", "ballot (b9) has weight 2: a ballot with an id is one paper"),
        ("(b9) 3 0", "droop's '(id) pref ... 0' without the weight"),
        ("(b1) 1 2 0", "ballot id 'b1' already used on line 2"),
        ("(b9 1 2 0", "ballot id is not closed"),
        ("() 1 2 0", "empty ballot id"),
        ("(b9)   # nothing after it", "ballot id (b9) is not followed by a ballot"),
    ],
)
def test_ballot_id_refusals(line: str, fragment: str) -> None:
    err = _err(f'3 1\n(b1) 1 1 0\n{line}\n0\n"A"\n"B"\n"C"\n"T"\n')
    assert err.line == 3
    assert fragment in err.message


def test_quoted_names_with_escaped_and_doubled_quotes() -> None:
    e = read_blt(
        '4 1\n1 1 0\n0\n"Sean O\\"Brien"\n"Pat ""Paddy"" Kelly"\n"C:\\\\dir\\x"\n"ends in \\"\n'
        '"The \\"big\\" one" # trailing "comment"\n'
    )
    assert e.candidates == ['Sean O"Brien', 'Pat "Paddy" Kelly', "C:\\\\dir\\x", "ends in \\"]
    assert e.title == 'The "big" one'
    assert read_blt('1 1\n1 1 0\n0\n""\n""""\n').candidates == [""]
    assert read_blt('1 1\n1 1 0\n0\n""\n""""\n').title == '"'


def test_lines_after_the_title_are_kept_as_notes() -> None:
    """The issue's file: more lines after the title were 'more than N names and a title'."""
    text = (
        '3 1\n-3\n2 1 2 0\n1 2 0\n0\n"A"\n"B"\n"C"\n"T"\n'
        '"Source: the returning officer\'s sheet"\n\n'
        "Counted on 3 May; # not a comment here\n  free text  \n"
    )
    e = read_blt(text)
    assert e.notes == (
        '"Source: the returning officer\'s sheet"',
        "Counted on 3 May; # not a comment here",
        "free text",
    )
    assert e.candidates == PLAIN.candidates and e.title == "T" and e.ballots == PLAIN.ballots


def test_names_may_hold_any_character_but_quote_and_newline() -> None:
    """Lines end at LF (or CR); U+2028, U+0085 and form feeds belong to the name."""
    names = ["A\u2028B", "C\x85D", "E\x0cF", "G\x1eH"]
    text = write_blt(names, 1, [(1, (0,))], "t\u2029t")
    e = read_blt(text)
    assert e.candidates == names and e.title == "t\u2029t"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("3 1\n1 1 2=3 0\n0\n" + NAMES, 2, "equal ranking '2=3'"),
        ("3 1\n1 1 2 0\n4 1 0 2 0 # comment\n0\n" + NAMES, 3, "0 before the end of the ballot"),
        ("3 1\n1 2 1 4 0 # four is out\n0\n" + NAMES, 2, "preference 4 is not a candidate"),
        ("3 1\n1 2 -1 0\n0\n" + NAMES, 2, "preference -1 is not a candidate"),
        ("3 1\n1 2 1 2 0\n0\n" + NAMES, 2, "duplicate preference 2"),
        ("3 1\n1.5 1 2 0\n0\n" + NAMES, 2, "ballot weight '1.5' is not a whole number"),
        ("3 1\n2.0 1 0\n0\n" + NAMES, 2, "ballot weight '2.0' is not a whole number"),
        ("3 1\n1 1 - 2 0\n0\n" + NAMES, 2, "skipped preference '-'"),
        ("3 1\n[nick a b c]\n1 a 0\n0\n" + NAMES, 2, "options in square brackets"),
        ("3 1\n1 1 0\n-2 -3\n0\n" + NAMES, 3, "withdrawn candidates (negative numbers) must come"),
        ("3 1\n1 1 0\n-1 2 0\n0\n" + NAMES, 3, "weight must be a positive integer, got -1"),
        ('3 1\n1 1 0\n0\n"A" B\n"B"\n"C"\n"T"\n', 4, "text after the closing quote"),
        (
            '3 1\n1 1 0\n0\n"A"\n"B"\n"C\n"T"\n',
            6,
            "name of candidate 3 has no closing double quote",
        ),
        ('3 1\n1 1 0\n0\n"A"\n"B"\n"C"\n"T" "U"\n', 7, "title: text after the closing quote"),
        ("# only a comment\n\n", 1, "empty file"),
        ("3 1 # header\n1 1 0 # ballot\n# no end marker\n", 4, "missing '0' line"),
    ],
)
def test_ambiguous_input_is_refused_with_its_line(text: str, line: int, fragment: str) -> None:
    err = _err(text)
    assert (err.line, str(err)[: len(f"line {line}: ")]) == (line, f"line {line}: ")
    assert fragment in err.message


# --- Fixtures in the layouts other programs write (synthetic; see tests/data/elections). ---


def test_fixture_opavote_style_comments_crlf_bom(data_dir) -> None:
    path = data_dir / "style_opavote_comments_crlf_bom.blt"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"#" in raw
    e = read_blt_file(path)
    assert e.candidates == ["Ann Ashworth", "Ben Brierley", "Cath Chadwick", "Dev Desai"]
    assert (e.seats, e.title, e.withdrawn, e.notes) == (
        1,
        "Allotment society chair 2024",
        frozenset(),
        (),
    )
    assert e.ballots == [
        (12, (0, 1)),
        (9, (1, 0, 2)),
        (7, (2, 1)),
        (4, (3, 2)),
        (2, (0,)),
        (1, ()),
    ]
    # By hand: Dev out (4 to Cath), then Ben out (9 to Ann): Ann 23 of 34.
    assert count(e, "irv").elected == ["Ann Ashworth"]


def test_fixture_openstv_style_ballot_ids_and_withdrawn(data_dir) -> None:
    e = read_blt_file(data_dir / "style_openstv_ballot_ids_withdrawn.blt")
    assert e.candidates == ["Alex Adeyemi", "Bea Brown", "Cal Campbell", "Dina Doyle", "Eoin Egan"]
    assert (e.seats, e.withdrawn, e.total_weight) == (2, frozenset({2}), 12)
    assert e.ballots == [
        (2, (0, 1, 3)),
        (2, (0, 1)),
        (1, (1, 0, 4)),
        (1, (0, 2, 1)),
        (1, (3, 4)),
        (1, (1, 0)),
        (1, (4, 3, 0)),
        (1, (3,)),
        (1, (1, 2, 0)),
        (1, (4, 3)),
    ]


def test_fixture_droop_style_notes_and_escaped_names(data_dir) -> None:
    e = read_blt_file(data_dir / "style_droop_notes_escaped_names.blt")
    assert e.candidates[:2] == ['Patricia "Pat" Kelly', 'Mary "Molly" Murphy']
    assert (e.seats, e.withdrawn, e.total_weight) == (2, frozenset({4, 5}), 13)
    assert e.title == "Tenants' association committee"
    assert e.notes == (
        '"Source: minutes of the count, 14 March 2024"',
        '"Comment: Una Ure and Vic Vance withdrew after the papers were printed"',
        "Counted by hand; the tellers' sheet gives 13 ballots, all valid.",
        "# end of file",
    )
    # By hand: Pat has 7 first preferences, over the quota of 5 (13 / 3, rounded down, + 1).
    assert count(e, "scottish-stv").elected[0] == 'Patricia "Pat" Kelly'


# --- Election is a plain class (no dataclasses import on tally's path); it still behaves as one.


def test_election_compares_by_value_and_prints_its_fields() -> None:
    a = Election(["A", "B"], 1, [(2, (0, 1))], "T", frozenset({1}), ("n",))
    same = Election(candidates=["A", "B"], seats=1, ballots=[(2, (0, 1))], title="T",
                    withdrawn=frozenset({1}), notes=("n",))  # fmt: skip
    assert a == same and a.__ne__(same) is False
    for other in (
        Election(["A", "B"], 1, [(2, (0, 1))], "T", frozenset({1})),
        Election(["A", "B"], 1, [(1, (0, 1))], "T", frozenset({1}), ("n",)),
        Election(["A", "C"], 1, [(2, (0, 1))], "T", frozenset({1}), ("n",)),
    ):
        assert a != other
    assert a != ("A", "B") and Election(["A"], 1, []).withdrawn == frozenset()
    assert repr(a) == (
        "Election(candidates=['A', 'B'], seats=1, ballots=[(2, (0, 1))], title='T', "
        "withdrawn=frozenset({1}), notes=('n',))"
    )
    with pytest.raises(TypeError):
        hash(a)


# --- The fast loop finds a plain "0" line first; an end line written otherwise still ends them.


@pytest.mark.parametrize("end", ["0 # end", " 0", "0\t", "0 "])
def test_an_end_line_written_otherwise_ends_the_ballots_before_a_later_plain_0(end: str) -> None:
    text = f'3 1\n-3\n2 1 2 0\n1 2 0\n{end}\n"A"\n"B"\n"C"\n"T"\n0\n'
    e = read_blt(text)
    assert (e.candidates, e.ballots, e.title, e.notes) == (
        ["A", "B", "C"],
        PLAIN.ballots,
        "T",
        ("0",),
    )


def test_errors_before_the_plain_0_keep_their_line_numbers() -> None:
    assert _err('3 1\n1 1 2 0\n\n1 1 1 0\n0\n"A"\n"B"\n"C"\n"T"\n').line == 4
    assert _err('3 1\n1 1 2 0\n1 4 0\n0\n"A"\n"B"\n"C"\n"T"\n').line == 3
    assert _err('3 1\n1 1 2 0\n0 1 0\n0\n"A"\n"B"\n"C"\n"T"\n').line == 3
    assert _err('3 1\n1 1 2\n0\n"A"\n"B"\n"C"\n"T"\n').line == 2


# --- A line per paper: each distinct line parsed once, the same result and the same errors.

PAPERS = "3 1\n" + "1 1 2 0\n2 3 0\n1 1 2 0\n1 2 0\n1 1 2 0\n\n2 3 0\n" + '0\n"A"\n"B"\n"C"\n"T"\n'


def test_repeated_lines_are_parsed_once_with_the_same_result(monkeypatch) -> None:
    from node.ballots.counting import blt

    seen = []
    real = blt._by_distinct_line
    monkeypatch.setattr(blt, "_by_distinct_line", lambda *a: seen.append(1) or real(*a))
    e = read_blt(PAPERS)
    assert seen == [1], "a file of repeated lines should take the distinct-line path"
    assert e.ballots == [(3, (0, 1)), (4, (2,)), (1, (1,))]


@pytest.mark.parametrize(
    ("bad", "line", "fragment"),
    [
        ("1 1 4 0", 5, "not a candidate"),
        ("1 1 1 0", 5, "duplicate preference"),
        ("(x) 1 2 0", 7, "already used on line 5"),  # ids: only the careful loop knows them
        ("0 2 0", 5, "weight must be a positive"),
        (" 0", 6, "must be a double-quoted string"),  # an end written otherwise: ballots end
    ],
)
def test_repeated_lines_with_anything_unusual_go_line_by_line(bad, line, fragment) -> None:
    text = PAPERS.replace("1 1 2 0\n1 2 0\n", f"1 1 2 0\n{bad}\n", 1)
    text = text.replace("\n\n2 3 0\n", f"\n{bad}\n2 3 0\n")  # the same bad line again, later
    err = _err(text)
    assert err.line == line and fragment in err.message
