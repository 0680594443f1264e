"""Rules of the test suite itself: a test module never imports another test module (what tests share lives in
conftest.py fixtures or plain modules such as tests/cluster.py, tests/browser.py, tests/trust/urls.py and the
factories), so that running one file, or the files in any order, runs the same tests."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_test_modules(path: Path) -> set[str]:
    """The test modules (test_*.py) of this suite that `path` imports, absolutely or relatively."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names if alias.name.startswith("tests.")]
        elif isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("tests")):
            module = "." * node.level + (node.module or "")
            candidates = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        names.update(name for name in candidates if name.rpartition(".")[2].startswith("test_"))
    return names


def test_no_test_module_imports_another_test_module():
    offenders = {str(path.relative_to(TESTS)): _imported_test_modules(path) for path in TESTS.rglob("*.py")}
    assert {path: names for path, names in offenders.items() if names} == {}
