"""docs/configuration.md holds exactly the table `commonground config` prints (no drift).

After adding or changing a setting in node/config.py, refresh the docs with:
    .venv/bin/python -m tests.ops.test_config_docs
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from click.testing import CliRunner

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
BLOCK = re.compile(r"(<!-- BEGIN config table.*?-->\n)(.*?)(<!-- END config table -->)", re.S)


def printed_table() -> str:
    from node.cli import cli

    result = CliRunner().invoke(cli, ["config"])
    assert result.exit_code == 0, result.output
    return result.output


def test_configuration_doc_matches_commonground_config():
    match = BLOCK.search(DOC.read_text())
    assert match, "docs/configuration.md lost its BEGIN/END config table markers"
    assert match.group(2) == printed_table(), (
        "docs/configuration.md is out of date: run `.venv/bin/python -m tests.ops.test_config_docs`"
    )


if __name__ == "__main__":  # rewrite the table in place
    text = DOC.read_text()
    DOC.write_text(BLOCK.sub(lambda m: m.group(1) + printed_table() + m.group(3), text))
    sys.stdout.write(f"updated {DOC}\n")
