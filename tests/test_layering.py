"""How the code is put together: the domain imports no platform, no module of
bot/ is part of an import cycle, and nothing reaches into another module's
private names. Read from the source, so a new module is checked the day it lands."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp", "adapters")


def modules(package: str) -> dict[str, ast.Module]:
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


BOT = modules("bot")
CODE = BOT | modules("adapters") | modules("storage")


def imported(node: ast.AST) -> list[str]:
    """The modules (and module.names) an import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return []


def run_time_imports(tree: ast.Module) -> list[str]:
    """Imports at module level; `if TYPE_CHECKING:` blocks are types, not imports."""
    return [name for node in tree.body for name in imported(node)]


def import_graph() -> dict[str, set[str]]:
    return {name: {target for target in run_time_imports(tree) if target in BOT and target != name}
            for name, tree in BOT.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_of_bot_is_in_an_import_cycle():
    graph = import_graph()
    assert sum(map(len, graph.values())) > 100  # the graph was read, not empty
    assert cycles(graph) == []


def test_no_function_level_import_of_a_bot_module():
    # A late import inside a function is how a cycle hides; there is no reason for one now.
    late = []
    for name, tree in BOT.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                late += [f"{name}.{node.name}: {target}" for inner in ast.walk(node)
                         for target in imported(inner) if target.startswith("bot.")]
    assert late == []


def test_the_domain_imports_no_platform():
    leaks = [f"{name}: {target}" for name, tree in BOT.items() for node in ast.walk(tree)
             for target in imported(node) if target.split(".")[0] in PLATFORM_SDKS]
    assert leaks == []


def test_delivery_knows_no_page_and_no_domain():
    delivery = {name: tree for name, tree in BOT.items() if name.startswith("bot.delivery")}
    assert delivery
    for name, tree in delivery.items():
        for target in run_time_imports(tree):
            assert not target.startswith(("bot.home", "bot.requests", "bot.issues", "bot.customers",
                                          "bot.commands", "bot.domains")), (name, target)


@pytest.mark.parametrize("name", sorted(CODE))
def test_no_private_name_is_imported_from_another_module(name):
    private = [target for node in ast.walk(CODE[name]) for target in imported(node)
               if target.rsplit(".", 1)[-1].startswith("_") and not target.endswith("__")]
    assert private == []
