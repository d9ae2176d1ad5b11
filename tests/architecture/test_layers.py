"""The layer contract: imports point downwards only, and no import cycle crosses packages.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and are checked here with
import-linter (``lint-imports``), including ``TYPE_CHECKING`` and function-level imports. Two
more checks use its graph library (grimp) directly: no module-level import cycle contains
modules of different packages, and nothing inside Ardea imports the facade (``ardea``
itself). Each check is also run on a small package that breaks it, so it cannot pass vacuously.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path, config: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(config)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layer_contracts_are_kept() -> None:
    result = _lint(ROOT, ROOT / "pyproject.toml", ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def _strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """Tarjan's strongly connected components of the module graph, those of 2+ modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []
    counter = [0]

    def visit(start: str) -> None:
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(component)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return out


def cross_package_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Import cycles whose modules do not all belong to one package."""
    return [
        sorted(component)
        for component in _strongly_connected(graph)
        if len({m.rsplit(".", 1)[0] for m in component}) > 1
    ]


def facade_importers(graph: grimp.ImportGraph, root: str) -> set[str]:
    """Modules of ``root`` that import the facade module ``root`` itself."""
    return set(graph.find_modules_that_directly_import(root))


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    sys.path.insert(0, str(ROOT / "src"))
    return grimp.build_graph("ardea", cache_dir=None)


def test_no_import_cycle_crosses_a_package(graph: grimp.ImportGraph) -> None:
    assert cross_package_cycles(graph) == []


def test_nothing_inside_ardea_imports_the_facade(graph: grimp.ImportGraph) -> None:
    assert facade_importers(graph, "ardea") == set()


# -- the checks catch what they are for ------------------------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_an_upward_import_breaks_the_layer_contract(tmp_path: Path) -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = config["contracts"][0]["layers"]
    modules = {
        f"fake/{part.strip()}/__init__.py": "" for layer in layers for part in layer.split("|")
    }
    modules["fake/__init__.py"] = ""
    modules["fake/_core/low.py"] = "from fake.server import x  # upward\n"
    modules["fake/server/x.py"] = ""
    src = _package(tmp_path / "src", modules)
    quoted = ", ".join(f'"{layer}"' for layer in layers)
    (tmp_path / "cfg.toml").write_text(
        '[tool.importlinter]\nroot_package = "fake"\n\n[[tool.importlinter.contracts]]\n'
        f'name = "layers"\ntype = "layers"\ncontainers = ["fake"]\nlayers = [{quoted}]\n'
    )
    result = _lint(tmp_path, tmp_path / "cfg.toml", src)
    assert result.returncode != 0 and "fake._core.low -> fake.server" in result.stdout


def test_the_cycle_and_facade_checks_catch_offenders(tmp_path: Path) -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.a.one", "pkg.a.two", "pkg.b", "pkg.b.three"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a.one", imported="pkg.a.two")
    graph.add_import(importer="pkg.a.two", imported="pkg.a.one")  # same package: allowed
    assert cross_package_cycles(graph) == []
    graph.add_import(importer="pkg.a.one", imported="pkg.b.three")
    graph.add_import(importer="pkg.b.three", imported="pkg.a.one")
    assert cross_package_cycles(graph) == [["pkg.a.one", "pkg.a.two", "pkg.b.three"]]
    graph.add_import(importer="pkg.b.three", imported="pkg")
    assert facade_importers(graph, "pkg") == {"pkg.b.three"}
