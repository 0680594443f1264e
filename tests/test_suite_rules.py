"""Rules of the test suite itself: a test module never imports another test module (what tests share lives in
conftest.py fixtures or plain modules such as tests/cluster.py, tests/browser.py, tests/trust/urls.py and the
factories), so that running one file, or the files in any order, runs the same tests."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_test_module_imports_another_test_module():
    offenders = {
        str(path.relative_to(TESTS)): sorted(
            name for name in _imported_modules(path) if name.startswith("tests.") and ".test_" in f".{name}"
        )
        for path in TESTS.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}
