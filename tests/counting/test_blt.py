"""BLT reading, writing and error reporting (with line numbers)."""

from __future__ import annotations

import pytest

from node.ballots.counting import BltError, Election, read_blt, write_blt

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
        ("3 1\n1 1 = 2 0\n0\n" + NAMES, 2, "unexpected token '='"),
        ("3 1\n1 1 2 0 # comment\n0\n" + NAMES, 2, "unexpected token '#'"),
        ("3 1\n1 1 2 0\n" + NAMES, 3, "missing '0' line"),
        ('3 1\n1 1 2 0\n0\n"A"\n"B"\n', 6, "wrong number of names: expected 3, found 2"),
        ('3 1\n1 1 2 0\n0\n"A"\n"B"\n"C"\n', 7, "missing quoted title"),
        ('3 1\n1 1 2 0\n0\n"A"\nB\n"C"\n"T"\n', 5, "name of candidate 2 must be a double-quoted"),
        ("3 1\n1 1 2 0\n0\n" + NAMES + '"extra"\n', 8, "wrong number of names: more than 3"),
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
