"""The package's shape: no import circle, short workflow functions, a curated public API."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import cityind_gis

ROOT = Path(cityind_gis.__file__).resolve().parent


def _modules() -> dict[str, Path]:
    mods = {}
    for f in ROOT.rglob("*.py"):
        parts = ("cityind_gis", *f.relative_to(ROOT).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mods[name] = f
    return mods


def _imports(name: str, path: Path, mods: dict[str, Path]) -> set[str]:
    """Modules of the package that ``name`` imports anywhere (module level or in functions)."""
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        out |= {t for t in targets if t in mods and t != name}
    # a package's own __init__ re-exporting its modules is not a circle of design
    return {t for t in out if not (mods[t].name == "__init__.py" and name.startswith(t + "."))}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in edges:
        if v not in index:
            visit(v)
    return found


@pytest.fixture(scope="module")
def import_graph() -> dict[str, set[str]]:
    mods = _modules()
    return {m: _imports(m, f, mods) for m, f in mods.items()}


def test_no_import_circle(import_graph):
    assert _cycles(import_graph) == []


def test_cycle_finder_finds_a_planted_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_library_never_imports_the_workflow(import_graph):
    upward = {m: sorted(t for t in ts if t.startswith("cityind_gis.workflow"))
              for m, ts in import_graph.items()
              if not m.startswith("cityind_gis.workflow")
              and m not in ("cityind_gis", "cityind_gis.cli", "cityind_gis.pipeline",
                            "cityind_gis.validate")}
    assert {m: t for m, t in upward.items() if t} == {}


def test_map_theme_imports_nothing_from_maps(import_graph):
    assert not [t for t in import_graph["cityind_gis.maps.theme"]
                if t.startswith("cityind_gis.maps")]


def test_workflow_functions_are_short():
    long = []
    for f in (ROOT / "workflow").glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                body = node.body[1:] if ast.get_docstring(node) else node.body
                n = (body[-1].end_lineno or 0) - body[0].lineno + 1 if body else 0
                if n > 80:
                    long.append(f"{f.name}:{node.name} ({n} lines)")
    assert long == []


def test_public_api_resolves_every_name():
    for name in cityind_gis.__all__:
        assert getattr(cityind_gis, name) is not None, name


def test_public_api_is_lazy():
    import subprocess
    import sys

    code = ("import sys, cityind_gis; heavy = [m for m in ('folium', 'matplotlib', 'numba', "
            "'cityind_gis.workflow') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_public_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        cityind_gis.nope  # noqa: B018


@pytest.mark.parametrize("module", ["cityind_gis.pipeline", "cityind_gis.validate"],
                         ids=["pipeline", "validate"])
def test_compatibility_modules_reexport_the_workflow(module):
    mod = importlib.import_module(module)
    from cityind_gis import workflow

    assert mod.run is workflow.run if module.endswith("pipeline") else (
        mod.validation_report is workflow.validation_report)
