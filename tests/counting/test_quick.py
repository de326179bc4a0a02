"""``commonground tally`` without click (node/ballots/counting/quick.py) says exactly what click says.

Each case runs two real processes: the console script (which tries the click-free path first)
and click's group called directly (the full path). Their stdout, stderr and exit codes must
be byte-identical, for good files and for every refusal. Good files must also really take
the quick path (no click import), or the comparison would prove nothing.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from node.ballots.counting import quick
from tests.support.blt import FOOD

BIN = Path(sys.executable).parent / "commonground"
FULL = "import sys; from node.cli.lazy import cli; cli.main(sys.argv[1:], prog_name='commonground')"
FILES = {
    "food.blt": FOOD.encode(),
    "crlf-bom.blt": b"\xef\xbb\xbf" + FOOD.replace("\n", "\r\n").encode(),
    "ids-comments.blt": b'3 1\n# ok\n(a) 1 1 2 0\n(b) 1 2 0 # two\n\n2 3 0\n0\n"A"\n"B"\n"C"\n"T"\nnote\n',
    "out-of-range.blt": FOOD.replace("4 3 5 0", "4 3 9 0").encode(),
    "crlf-error.blt": FOOD.replace("1 4 0", "1 4 4 0").replace("\n", "\r\n").encode(),
    "cr-only.blt": FOOD.replace("\n", "\r").encode(),
    "equal.blt": FOOD.replace("2 2 1 0", "2 2=1 0").encode(),
    "latin1.blt": FOOD.replace("Pear", "Poire é").encode("latin-1"),
    "empty.blt": b"",
    "no-end.blt": b"2 1\n1 1 0\n",
    "escape.blt": FOOD.replace("Pear", "Pe\x1b[31mar").encode(),
    "unicode.blt": FOOD.replace("Pear", "Poire\u2028é").encode(),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("blt")
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    (folder / "folder.blt").mkdir()
    return folder


def both(folder: Path, args: list[str], stdin: bytes = b"") -> tuple[tuple, tuple, bool]:
    """(stdout, stderr, code) from the console script and from click, and whether the
    console script imported click."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMONGROUND")}
    runs = []
    for argv in (
        [sys.executable, "-X", "importtime", str(BIN), "tally", *args],
        [sys.executable, "-c", FULL, "tally", *args],
    ):
        done = subprocess.run(argv, cwd=folder, input=stdin, capture_output=True, env=env)
        runs.append(done)
    quick_run, full_run = runs
    lines = quick_run.stderr.decode("utf-8", "replace").splitlines(keepends=True)
    clicked = any(line.startswith("import time:") and line.rstrip().endswith("| click")
                  for line in lines)  # fmt: skip
    stderr = "".join(line for line in lines if not line.startswith("import time:"))
    return (
        (quick_run.stdout, stderr.encode(), quick_run.returncode),
        (full_run.stdout, full_run.stderr.decode("utf-8", "replace").encode(), full_run.returncode),
        clicked,
    )


GOOD = [
    ["food.blt", "--method", "scottish-stv"],
    ["food.blt", "--method", "meek-stv", "--json", "--seed", "3"],
    ["--method=fptp", "--seats", "1", "food.blt"],
    ["--seats=2", "food.blt", "--method", "approval", "--json"],
    ["crlf-bom.blt", "--method", "scottish-stv"],
    ["cr-only.blt", "--method", "meek-stv"],
    ["ids-comments.blt", "--method", "irv"],
    ["unicode.blt", "--method", "scottish-stv"],
]


@pytest.mark.parametrize("args", GOOD, ids=[" ".join(a) for a in GOOD])
def test_good_files_take_the_quick_path_and_print_the_same(files: Path, args: list[str]) -> None:
    fast, full, clicked = both(files, args)
    assert full[2] == 0, full[1]
    assert fast == full
    assert not clicked, "a plain tally should not import click"


REFUSED = [
    ["missing.blt", "--method", "irv"],
    ["folder.blt", "--method", "irv"],
    ["out-of-range.blt", "--method", "irv"],
    ["crlf-error.blt", "--method", "irv"],
    ["equal.blt", "--method", "scottish-stv"],
    ["latin1.blt", "--method", "irv"],
    ["empty.blt", "--method", "irv"],
    ["no-end.blt", "--method", "irv"],
    ["food.blt", "--method", "irv"],  # IRV on a 3-seat file: a count error
    ["food.blt", "--method", "fptp", "--seats", "9"],
    ["food.blt", "--method", "no-such"],
    ["food.blt"],
    ["--method", "irv"],
    ["food.blt", "food.blt", "--method", "irv"],
    ["food.blt", "--method", "irv", "--method", "fptp"],
    ["food.blt", "--method", "fptp", "--seats", "0"],
    ["food.blt", "--method", "fptp", "--seats", "x"],
    ["food.blt", "--method", "fptp", "--seats", "1", "--seed", "-1"],  # click reads it; we pass
    ["food.blt", "--method", "fptp", "--json=yes"],
    ["food.blt", "--method"],
    ["food.blt", "--method", "fptp", "--nope"],
    ["food.blt", "--method", "fptp", "--help"],
    ["--help"],
    ["food.blt", "--method", "fptp", "--", "x"],
    ["", "--method", "irv"],
]


@pytest.mark.parametrize("args", REFUSED, ids=[" ".join(a) or "empty" for a in REFUSED])
def test_every_refusal_is_clicks_own(files: Path, args: list[str]) -> None:
    fast, full, clicked = both(files, args)
    assert fast == full
    assert clicked, "the quick path should have handed this to click"


@pytest.mark.parametrize("name", ["escape.blt"])
def test_output_click_would_alter_goes_to_click(files: Path, name: str) -> None:
    fast, full, clicked = both(files, [name, "--method", "scottish-stv"])
    assert fast == full and full[2] == 0
    assert clicked and b"\x1b" not in full[0]  # click strips escape codes when not on a tty


def test_stdin_goes_to_click(files: Path) -> None:
    fast, full, clicked = both(files, ["-", "--method", "irv", "--seats", "1"], FOOD.encode())
    assert fast == full and full[2] == 0 and clicked


# ----------------------------------------------------------------------------- in process
@pytest.mark.parametrize(
    ("args", "plain"),
    [
        (["f", "--method", "irv"], {"FILE": "f", "--method": "irv"}),
        (["--method=irv", "--json", "f"], {"FILE": "f", "--method": "irv", "--json": ""}),
        (["f", "--method", "irv", "--seats", "007"], {"FILE": "f", "--method": "irv", "--seats": "007"}),
        (["f", "--method", "irv", "--seats", "00"], None),
        (["f", "--method", "irv", "--seed", "+1"], None),
        (["f", "--method", "irv", "--seed", "\u0663"], None),  # click reads Arabic-Indic 3 too
        (["f", "--method", "irv", "--json", "--json"], None),
        (["-", "--method", "irv"], None),
        (["f", "-m", "irv"], None),
        (["f", "--meth", "irv"], None),
        (["f", "--method", "irv", "--seats"], None),
    ],
)  # fmt: skip
def test_what_counts_as_plain(args: list[str], plain: dict[str, str] | None) -> None:
    assert quick._plain(args) == plain


def test_refused_run_writes_nothing(
    files: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    assert quick.run([str(files / "out-of-range.blt"), "--method", "irv"]) is False
    assert quick.run([str(files / "food.blt"), "--method", "irv"]) is False
    sys.stdout.flush()
    assert sys.stdout.buffer.getvalue() == b""  # type: ignore[attr-defined]
    assert quick.run([str(files / "food.blt"), "--method", "fptp", "--seats", "1"]) is True
    assert sys.stdout.buffer.getvalue().startswith(b"Elected")  # type: ignore[attr-defined]


def test_not_utf8_stdout_or_completion_goes_to_click(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = [str(files / "food.blt"), "--method", "fptp", "--seats", "1"]
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="latin-1"))
    assert quick.run(good) is False
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    monkeypatch.setenv("_COMMONGROUND_COMPLETE", "bash_complete")
    assert quick.run(good) is False
