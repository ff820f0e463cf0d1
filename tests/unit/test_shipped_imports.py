"""The production image ships ``dags/``, ``plugins/`` and ``include/`` only: no module there may import the
repository's ``tools`` or ``tests`` packages, which exist on a developer's machine and in CI but not in
the image (the import would pass every test and fail in production)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("dags", "plugins", "include")
NOT_SHIPPED = frozenset({"tools", "tests"})


def _top(module: str | None) -> str:
    return (module or "").split(".")[0]


def unshipped_imports(source: str, filename: str = "<source>") -> Iterator[tuple[int, str]]:
    """(line, module) of every import of a package the image does not ship: ``import tools.x``,
    ``from tests.y import z``, and ``importlib.import_module("tools.x")`` / ``__import__`` with a literal."""
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else []
        elif isinstance(node, ast.Call) and _dynamic_import(node.func):
            first = node.args[0] if node.args else None
            names = [first.value] if isinstance(first, ast.Constant) and isinstance(first.value, str) else []
        else:
            continue
        yield from ((node.lineno, name) for name in names if _top(name) in NOT_SHIPPED)


def _dynamic_import(func: ast.expr) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in ("import_module", "__import__")


def shipped_files() -> list[Path]:
    return sorted(p for folder in SHIPPED for p in (REPO_ROOT / folder).rglob("*.py"))


def test_the_checker_finds_every_form_of_import() -> None:
    source = (
        "import json, tools.bench\n"
        "from tests.catalogue.world import World\n"
        "from tools import bench_out\n"
        "from .tools import sibling\n"  # relative: a module of the package itself, shipped with it
        "import testsuite\n"
        "import importlib\n"
        "importlib.import_module('tools.bench_sync')\n"
        "__import__('tests')\n"
        "def late():\n"
        "    import tools.extract_env\n"
    )
    assert list(unshipped_imports(source)) == [
        (1, "tools.bench"),
        (2, "tests.catalogue.world"),
        (3, "tools"),
        (7, "tools.bench_sync"),
        (8, "tests"),
        (10, "tools.extract_env"),
    ]


def test_the_walk_covers_every_shipped_folder() -> None:
    files = shipped_files()
    for folder in SHIPPED:
        assert any(p.is_relative_to(REPO_ROOT / folder) for p in files), f"no .py file under {folder}/"
    assert REPO_ROOT / "include" / "sandbox" / "process.py" in files


@pytest.mark.parametrize("folder", SHIPPED)
def test_no_shipped_module_imports_tools_or_tests(folder: str) -> None:
    found = [
        f"{path.relative_to(REPO_ROOT)}:{line} imports {module}"
        for path in shipped_files()
        if path.is_relative_to(REPO_ROOT / folder)
        for line, module in unshipped_imports(path.read_text(encoding="utf-8"), str(path))
    ]
    assert found == [], "the production image ships no tools/ or tests/:\n" + "\n".join(found)
