"""The package's import graph: no module imports, at load time, a module that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "clausegen"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str, known: set[str], deferred: bool) -> set[str]:
    """Return the clausegen modules `path` imports: when it is loaded (top level), and with
    `deferred` also inside its functions (run when they are called)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    if deferred:
        statements = list(ast.walk(tree))
    else:
        statements = []
        for node in tree.body:
            if isinstance(node, ast.Try):
                statements += node.body
            elif isinstance(node, ast.If):
                statements += node.body + node.orelse
            else:
                statements.append(node)
    for n in statements:
        if isinstance(n, ast.Import):
            targets = [a.name for a in n.names]
        elif isinstance(n, ast.ImportFrom):
            base = n.module or ""
            if n.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - n.level + 1] + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in n.names]
        else:
            continue
        found |= {t for t in targets if t in known and t != name}
    return found


def _graph(deferred: bool = False) -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return _without_parents({name: _imports(path, name, set(files), deferred) for name, path in files.items()})


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _without_parents(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Drop the edges from a package to its own submodules' parents (a package may import its children)."""
    return {name: {t for t in targets if not name.startswith(t + ".")} for name, targets in graph.items()}


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_itself_back_at_load_time() -> None:
    graph = _graph()
    assert len(graph) > 40 and graph["clausegen.cli"] >= {"clausegen.errors"}
    assert _cycle(graph) is None, " → ".join(_cycle(graph))


def _tangles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Return the groups of modules that reach each other (strongly connected, more than one)."""
    groups, seen = [], set()
    for node in sorted(graph):
        if node in seen:
            continue
        reach = _reachable(graph, node)
        group = {n for n in reach if node in _reachable(graph, n)} | {node}
        seen |= group
        if len(group) > 1:
            groups.append(group)
    return groups


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    out, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in out:
                out.add(nxt)
                todo.append(nxt)
    return out


def test_imports_inside_functions_add_no_cycle_either() -> None:
    # Imports inside functions run later, but a cycle among them is still two modules that
    # need each other: none is allowed.
    assert _tangles(_graph(deferred=True)) == []
