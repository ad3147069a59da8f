"""The package layout is the architecture (docs/architecture.md): no import circles anywhere
in ``browser``, and each layer imports only the layers below it.

Imports are read from the source with ``ast``, so an import inside a function counts as
much as one at the top; only those under ``if TYPE_CHECKING:`` (annotations, never run) are
left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "browser"

# Lowest first: a module may import its own layer and those before it, never one after it.
LAYERS = [
    "browser.core",  # shared foundations: file names, line files, user folders
    "browser.core.hierarchy",
    "browser.core.dataset",
    "browser.core.images",
    "browser.core.review",
    "browser.core.predictions",
    "browser.core.analysis",
    "browser.core.export",
    "browser.cli",
    "browser.qt",
    "browser",  # the entry points (app, __main__): may use everything
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported(tree: ast.AST, package: str) -> set[str]:
    """Every ``browser`` module the code imports, wherever the import is, except under
    ``if TYPE_CHECKING:``; ``from a import b`` counts as a.b when a.b is a module."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for statement in node.orelse:
                visit(statement)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against this module's package
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name == "browser" or name.startswith("browser.")}


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        graph[name] = {m for m in imported(tree, package) if m in modules and m != name}
    return graph


def layer_of(module: str) -> int:
    """The most specific layer holding ``module``."""
    best = max(
        (layer for layer in LAYERS if module == layer or module.startswith(layer + ".")),
        key=len,
    )
    return LAYERS.index(best)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := walk(node)):
            return cycle
    return None


def test_the_graph_is_read() -> None:
    graph = import_graph()
    assert "browser.cli.parsing" in graph["browser.cli.main"]  # a top-level import
    assert len(graph) > 50


def test_no_import_circles() -> None:
    assert find_cycle(import_graph()) is None


@pytest.mark.parametrize("importer", ["browser.core", "browser.cli"])
def test_lower_layers_never_import_qt_or_the_cli(importer: str) -> None:
    graph = import_graph()
    forbidden = ("browser.qt", "browser.cli") if importer == "browser.core" else ("browser.qt",)
    wrong = sorted(
        f"{m} imports {t}"
        for m, targets in graph.items()
        if m.startswith(importer + ".") or m == importer
        for t in targets
        if t.startswith(forbidden)
    )
    assert not wrong


def test_each_layer_imports_only_layers_below() -> None:
    graph = import_graph()
    upward = sorted(
        f"{m} ({LAYERS[layer_of(m)]}) imports {t} ({LAYERS[layer_of(t)]})"
        for m, targets in graph.items()
        for t in targets
        if layer_of(t) > layer_of(m)
    )
    assert not upward


def test_a_function_level_import_counts(tmp_path: Path) -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from browser.qt import app\n"
        "def late():\n    from browser.cli import main\n"
    )
    assert imported(tree, "browser.core") == {"browser.cli", "browser.cli.main"}


def test_the_cycle_finder_finds_a_circle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_private_helpers_stay_in_their_module() -> None:
    """What modules share is public: ``from x import _helper`` across modules is a layout
    smell the restructuring removed (issue 14)."""
    private = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("browser"):
                private += [
                    f"{module_name(path)}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                ]
    assert not private
