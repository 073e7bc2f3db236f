"""List import cycles between handbook's modules; exit 1 if there is one.

Every import counts, wherever it is written: at the top, inside a function (a lazy import is
still a dependency) or under ``if TYPE_CHECKING:`` (a type named is a module known). A package's
``__init__`` counts as the package. Run: ``python scripts/import_cycles.py [--verbose]``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def module_names(src: Path = SRC) -> dict[str, Path]:
    """Every module under src/handbook by its dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for path in sorted((src / "handbook").rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """The handbook modules ``path`` imports (``from pkg import module`` names the module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names]
            targets.append(base)
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        work = [(v, iter(sorted(graph[v])))]
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def package_edges_ignored(a: str, b: str) -> bool:
    """A package importing its own module, or a module its package (``__init__``): not a cycle
    of design (Python loads the package first either way)."""
    return b.startswith(a + ".") or a.startswith(b + ".")


# Cycles known and being taken apart: each listed with what removes it. A known cycle is printed
# but does not fail the check; a new one does, and so does a known one that has gone (remove it
# from here then).
KNOWN: dict[frozenset[str], str] = {}


def main(argv: list[str]) -> int:
    modules = module_names()
    known = set(modules)
    graph = {
        name: {t for t in imports_of(path, name, known) if not package_edges_ignored(name, t)}
        for name, path in modules.items()
    }
    found = cycles(graph)
    if "--verbose" in argv:
        print(f"{len(modules)} modules, {sum(len(v) for v in graph.values())} imports")
    failed = False
    for component in found:
        known = KNOWN.get(frozenset(component))
        failed = failed or known is None
        label = f"known import cycle (to go: {known})" if known else "import cycle"
        print(f"{label}: " + ", ".join(component))
        members = set(component)
        for name in component:
            inside = sorted(graph[name] & members)
            print(f"  {name} -> {', '.join(inside)}")
    gone = set(KNOWN) - {frozenset(c) for c in found}
    for component in gone:
        print("a known cycle is gone: remove it from KNOWN: " + ", ".join(sorted(component)))
    if not found:
        print(f"no import cycles among {len(modules)} modules")
    return 1 if failed or gone else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
