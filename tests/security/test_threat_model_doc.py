"""docs/security.md names the test for every threat: each named file and test must exist, so the
threat model cannot silently point at a test that was renamed or removed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)((?:::\w+)?)`|`::(\w+)`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def test_every_test_named_in_the_threat_model_exists() -> None:
    text = (ROOT / "docs" / "security.md").read_text()
    missing, named, last_file = [], 0, None
    for match in REFERENCE.finditer(text):
        path, name, bare = match.groups()
        if path:
            last_file = ROOT / path
            if not last_file.is_file():
                missing.append(path)
                continue
            name = name.removeprefix("::")
        else:
            name = bare  # "`::test_x`" continues the file named just before it
        named += 1
        if name and last_file is not None and name not in _tests_in(last_file):
            missing.append(f"{last_file.relative_to(ROOT)}::{name}")
    assert named > 30, "the threat model names too few tests to be read correctly"
    assert not missing, f"docs/security.md names tests that do not exist: {missing}"
