"""The import contract: layers import downward only, with no cycles and no imports inside
functions. The imports are read with ``ast`` from the source, so the test sees what the code
says, not what happens to be loaded.

The layers follow the pipeline (the direction of ``DESIGN.md``), lowest first; a module may
import from its own layer (without a cycle) and from any layer below it:

    core → syntax, printing → tensor → simplify → forms → engine → numeric → derivation
         → result → api → checking, codegen, plot, interop → web → cli_help → cli
         → the package itself (__init__, __main__)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "matcal"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("syntax", "printing"),  # siblings: neither imports the other
    ("tensor",),
    ("simplify",),
    ("forms",),
    ("engine",),
    ("numeric",),
    ("derivation",),
    ("result",),
    ("api",),
    ("checking", "codegen", "plot", "interop"),  # siblings, none imports another
    ("web",),
    ("cli_help",),
    ("cli",),
    ("__init__", "__main__"),
)
RANK = {name: n for n, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    """``src/matcal/core/nodes.py`` → ``matcal.core.nodes``; a package is its __init__."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    """The layer of a module: its folder, or its own name at the top (``__init__`` for the
    package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(source: str, module: str, modules: set[str]) -> tuple[list[str], list[str]]:
    """(the matcal modules ``source`` imports at module level, the lines of imports inside a
    function or class). ``from matcal.core import rewrites`` imports the module
    ``matcal.core.rewrites``; a relative import is resolved against ``module``."""
    tree = ast.parse(source)
    top, nested = [], []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: -node.level] if not module.endswith("__init__") \
                    else module.split(".")
                base = ".".join(package + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                     for a in node.names]
        else:
            names = [a.name for a in node.names]
        names = [n for n in names if n == "matcal" or n.startswith("matcal.")]
        if not names:
            continue
        if node.col_offset > 0 or not _at_module_level(tree, node):
            nested.append(f"line {node.lineno}: {ast.unparse(node)}")
        top.extend(names)
    return top, nested


def _at_module_level(tree: ast.Module, node: ast.AST) -> bool:
    return any(child is node for child in tree.body)


def violations(sources: dict[str, str]) -> list[str]:
    """Every breach of the contract among ``sources`` (module name → source text)."""
    modules = set(sources)
    out: list[str] = []
    graph: dict[str, set[str]] = {}
    for module, source in sorted(sources.items()):
        top, nested = imports(source, module, modules)
        out.extend(f"{module}: import inside a function or block, {line}" for line in nested)
        graph[module] = {t for t in top if t in modules and t != module}
        for target in graph[module]:
            here, there = layer(module), layer(target)
            if here not in RANK or there not in RANK:
                out.append(f"{module}: layer {here if here not in RANK else there} is in no "
                           "layer of LAYERS")
            elif RANK[there] > RANK[here] or (RANK[there] == RANK[here] and there != here):
                out.append(f"{module} imports {target}: {here} may not import from {there}, "
                           "which is not below it")
    out.extend(f"import cycle: {' → '.join(cycle)}" for cycle in _cycles(graph))
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of modules that import each other."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    return found


def package_sources() -> dict[str, str]:
    return {module_name(p): p.read_text() for p in PACKAGE.rglob("*.py")}


def test_the_package_keeps_the_import_contract():
    assert violations(package_sources()) == []


def test_every_folder_and_top_module_has_a_layer():
    assert {layer(m) for m in package_sources()} <= set(RANK)


@pytest.mark.parametrize("module, line, breach", [
    ("matcal.core.nodes", "from matcal.engine.differentiate import RULES",
     "core may not import from engine"),
    ("matcal.syntax.parse", "from matcal.printing.text import to_text",
     "syntax may not import from printing"),
    ("matcal.simplify.engine", "from matcal import api", "simplify may not import from api"),
    ("matcal.forms.matrix", "def f():\n    from matcal.core import nodes",
     "import inside a function"),
    ("matcal.core.shapes", "from matcal.core.nodes import Expr", "import cycle"),
])
def test_a_breach_is_reported(module, line, breach):
    """Each kind of breach, added to the real sources, is caught (so the test above can fail)."""
    sources = package_sources()
    sources[module] = sources[module] + "\n" + line + "\n"
    assert any(breach in v for v in violations(sources)), violations(sources)
