"""The package layout of DESIGN.md, held by reading imports: the Scrapy face, the layer order, no cycles."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRAPY_FACE = {"monitor.settings", "monitor.middlewares", "monitor.extensions", "monitor.signals"}
FRAMEWORKS = ("scrapy", "twisted")

# The layers, top to bottom, as the README's layout table draws them: a module may import its own
# layer and the layers below it, never one drawn above it. Root modules of `monitor` are named whole.
LAYERS: list[set[str]] = [
    {"spiders", "pipelines"},
    {"monitor.settings", "monitor.middlewares", "monitor.extensions", "monitor.signals"},
    {"monitor.cli"},
    {"monitor.web"},
    {"monitor.service"},
    {"monitor.runs"},
    {"monitor.alerts"},
    {"monitor.clusters"},
    {"monitor.topics"},
    {"monitor.config"},
    {"monitor.index"},
    {"monitor.state"},
    {"monitor.extract", "monitor.discovery", "monitor.demo"},
    {"monitor.query"},
    {"monitor.documents", "monitor.items"},
    {"monitor.urls", "monitor.secrets", "monitor.timestamps"},
    {"monitor.timeranges", "monitor.export"},  # plain values in and out, shared by the CLI and the web
    {"monitor.errors", "monitor"},
]


def modules() -> Iterator[tuple[str, Path]]:
    for package in ("monitor", "spiders", "pipelines"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def imports_of(path: Path, module: str) -> Iterator[tuple[str, int, bool]]:
    """(imported module, line, only for type checking) for every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only.update(id(child) for body in node.body for child in ast.walk(body))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, id(node) in typing_only
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, node.lineno, id(node) in typing_only
            for alias in node.names:  # `from monitor import service` imports the module monitor.service
                yield f"{base}.{alias.name}", node.lineno, id(node) in typing_only


def layer_of(module: str) -> int | None:
    """The layer of a module: the longest name in LAYERS that is the module or a package holding it."""
    best: tuple[int, int] | None = None
    for number, names in enumerate(LAYERS):
        for name in names:
            within = module == name or (name != "monitor" and module.startswith(name + "."))
            if within and (best is None or len(name) > best[1]):
                best = (number, len(name))
    return None if best is None else best[0]


def our_modules() -> dict[str, Path]:
    return dict(modules())


def test_every_module_of_ours_has_a_layer() -> None:
    unplaced = [name for name in our_modules() if layer_of(name) is None]
    assert unplaced == []


def test_only_the_scrapy_face_spiders_and_pipelines_import_scrapy_or_twisted() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for module, path in modules()
        if module.startswith("monitor") and module not in SCRAPY_FACE
        for imported, line, _ in imports_of(path, module)
        if imported.split(".")[0] in FRAMEWORKS
    ]
    assert offenders == []


def test_no_module_imports_a_layer_drawn_above_it() -> None:
    known = our_modules()
    offenders = []
    for module, path in known.items():
        own = layer_of(module)
        assert own is not None, f"{module} has no layer in LAYERS"
        for imported, line, typing_only in imports_of(path, module):
            if typing_only or imported.split(".")[0] not in {"monitor", "spiders", "pipelines"}:
                continue
            target = layer_of(imported)
            if target is not None and target < own:
                offenders.append(f"{path.relative_to(ROOT)}:{line} ({module}) imports {imported}")
    assert offenders == []


def test_there_are_no_import_cycles_between_packages() -> None:
    """Cycles between top-level packages of monitor (and its root modules), lazy imports included."""
    known = our_modules()

    def unit(module: str) -> str:
        parts = module.split(".")
        return ".".join(parts[:2]) if parts[0] == "monitor" else parts[0]

    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        for imported, _, typing_only in imports_of(path, module):
            if typing_only:
                continue
            target = next((m for m in (imported, imported.rpartition(".")[0]) if m in known), None)
            if target is not None and unit(target) != unit(module):
                graph.setdefault(unit(module), set()).add(unit(target))
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []


@pytest.mark.parametrize("source, expected", [
    ("import scrapy\n", ["scrapy"]),
    ("from twisted.internet import task\n", ["twisted.internet", "twisted.internet.task"]),
    ("def f():\n    from scrapy.http import Response\n", ["scrapy.http", "scrapy.http.Response"]),
])
def test_the_import_reader_sees_top_level_and_lazy_imports(tmp_path: Path, source: str, expected: list[str]) -> None:
    path = tmp_path / "probe.py"
    path.write_text(source, encoding="utf-8")
    assert [name for name, _, _ in imports_of(path, "monitor.probe")] == expected
