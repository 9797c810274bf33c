"""The project services and co-editing do not import each other in a loop.

The code is read, not run: every import anywhere in a module counts (one inside a function as
well, since it is the same loop, only postponed), and importing ``a.b.c`` runs the package
``a.b`` first. A cycle among ``projects.services*`` and ``projects.coedit*`` fails the test.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WATCHED = ("projects.services", "projects.coedit")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources_on_disk() -> dict[str, str]:
    found = {}
    for package in WATCHED:
        base = ROOT.joinpath(*package.split("."))
        paths = list(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
        for path in paths:
            found[_module_name(path)] = path.read_text(encoding="utf-8")
    return found


def _watched(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in WATCHED)


def _running(name: str, importer: str) -> set[str]:
    """What importing ``name`` from ``importer`` runs: ``name`` and its packages, but not the
    importer's own packages (those are already running when the importer runs)."""
    parts = name.split(".")
    mine = importer.split(".")
    return {
        ".".join(parts[:n])
        for n in range(1, len(parts) + 1)
        if parts[:n] != mine[:n] or n == len(parts)
    }


def _typing_only(tree: ast.AST) -> set[ast.AST]:
    """Imports under ``if TYPE_CHECKING:``: never run, so no loop."""
    skipped: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped.update(ast.walk(child))
    return skipped


def import_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    """Module → the watched modules that importing it runs (imports anywhere in its text)."""
    graph: dict[str, set[str]] = {}
    for module, text in sources.items():
        targets: set[str] = set()
        is_package = any(other.startswith(module + ".") for other in sources)
        tree = ast.parse(text)
        skipped = _typing_only(tree)
        for node in ast.walk(tree):
            if node in skipped:
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    targets |= _running(alias.name, module)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = module.split(".")
                    anchor = anchor if is_package else anchor[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                targets |= _running(base, module)
                for alias in node.names:
                    # ``from projects import services`` imports the module projects.services.
                    if f"{base}.{alias.name}" in sources:
                        targets.add(f"{base}.{alias.name}")
        graph[module] = {t for t in targets if _watched(t) and t in sources and t != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every elementary loop found by a depth-first walk (each reported once, rotated)."""
    found: set[tuple[str, ...]] = set()

    def walk(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                loop = path[path.index(nxt) :]
                turn = loop.index(min(loop))
                found.add(tuple(loop[turn:] + loop[:turn]))
            elif len(path) < 12:
                walk(nxt, [*path, nxt])

    for start in sorted(graph):
        walk(start, [start])
    return [list(loop) for loop in sorted(found)]


def test_project_services_and_coediting_import_no_loop():
    sources = sources_on_disk()
    assert "projects.services.results" in sources and "projects.coedit.services" in sources
    assert cycles(import_graph(sources)) == []


def test_the_checker_finds_the_old_loop():
    """The loop as it was: the result services imported the co-editing services for the
    Yjs write, and those imported the result services back inside a function."""
    sources = {
        "projects.services": "from projects.services.results import result_update\n",
        "projects.services.results": "from projects.coedit.services import coedit_body_saved\n",
        "projects.coedit": "",
        "projects.coedit.services": (
            "def coedit_version_write():\n"
            "    from projects import services\n"
            "    services.result_update()\n"
        ),
    }
    loops = cycles(import_graph(sources))
    assert loops, "the checker missed the loop"
    assert any(
        "projects.coedit.services" in loop and "projects.services.results" in loop for loop in loops
    )


def test_the_checker_follows_relative_imports_and_leaves_a_clean_chain_alone():
    sources = {
        "projects.coedit": "",
        "projects.coedit.state": "from projects.models import Result\n",
        "projects.coedit.services": "from .state import doc_from\n",
        "projects.coedit.rooms": (
            "from typing import TYPE_CHECKING\n"
            "from . import services\n"
            "if TYPE_CHECKING:\n"
            "    from projects.coedit.consumers import CoeditConsumer\n"
        ),
        "projects.coedit.consumers": "from projects.coedit import rooms\n",
    }
    assert cycles(import_graph(sources)) == []
    sources["projects.coedit.state"] = "from .rooms import Room\n"
    assert cycles(import_graph(sources)) == [
        ["projects.coedit.rooms", "projects.coedit.services", "projects.coedit.state"]
    ]
