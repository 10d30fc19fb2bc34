"""The code's shape, checked: imports run one way between the layers, never in a circle, and
only at the top of a module (save the app's deliberate start-up imports); the spec and data
layers need no torch. Read from the source, statically, so a test run imports nothing new."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Bottom to top: a module may import its own layer and those below, never one above.
LAYERS = [
    ("engine.data",), ("engine.spec",), ("engine.nn",), ("engine.training",),
    ("engine.frames", "engine.export"),
    ("server.config", "server.errors", "server.owners", "server.specs", "server.limits",
     "server.secret", "server.serial", "server.headers", "server.cluster.keys",
     "server.cluster.rpc", "server.cluster.placement"),
    ("server.store", "server.uploadstore"), ("server.records",),
    ("server.trainers", "server.cluster"), ("server.sockets", "server.cluster.rooms",
                                            "server.cluster.web"),
    ("server.pages",), ("server", "server.cli"),
]
# Imports inside functions that are there on purpose, each with its reason in the code.
START_UP = {("server", "create_app"), ("server.cli", "cmd_serve"), ("server.cli", "cmd_trainer"),
            ("server.store", "open_store")}
NO_TORCH = ("engine.data", "engine.spec")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(encoding="utf-8"))
            for pkg in ("engine", "server") for p in sorted((ROOT / pkg).rglob("*.py"))}


MODULES = modules()


def targets(node: ast.AST, known) -> set[str]:
    """The project modules an import statement loads (a `from pkg import mod` loads mod)."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in known}
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        subs = {f"{node.module}.{a.name}" for a in node.names} & set(known)
        return subs | ({node.module} & set(known) if len(subs) < len(node.names) else set())
    return set()


def top_level_imports(tree: ast.Module) -> set[str]:
    found = set()
    for node in tree.body:
        found |= targets(node, MODULES)
    return found


def layer_of(name: str) -> int:
    best = None
    for rank, group in enumerate(LAYERS):
        for prefix in group:
            if (name == prefix or name.startswith(prefix + ".")) and \
                    (best is None or len(prefix) > best[1]):
                best = (rank, len(prefix))
    assert best is not None, f"{name} is in no layer: add it to LAYERS"
    return best[0]


def test_imports_only_run_down_the_layers():
    upward = [f"{m} imports {t}" for m, tree in MODULES.items()
              for t in top_level_imports(tree) if layer_of(t) > layer_of(m)]
    assert upward == []


def test_no_import_circles():
    graph = {m: top_level_imports(tree) - {m} for m, tree in MODULES.items()}
    state, cycles = {}, []

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_imports_inside_functions_are_only_the_start_up_ones():
    inner = set()
    for m, tree in MODULES.items():
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    if targets(node, MODULES) or (isinstance(node, ast.ImportFrom)
                                                  and (node.module or "").split(".")[0]
                                                  in ("engine", "server")):
                        inner.add((m, fn.name))
    assert inner == START_UP


@pytest.mark.parametrize("package", NO_TORCH)
def test_the_spec_and_data_layers_need_no_torch(package):
    users = [m for m, tree in MODULES.items() if m.startswith(package)
             for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
             and any((a.name if isinstance(node, ast.Import) else node.module or "")
                     .split(".")[0] == "torch" for a in node.names)]
    assert users == []


def test_the_checks_see_what_they_should():
    """Guards against a check that passes because it reads nothing."""
    assert len(MODULES) > 60 and layer_of("engine.nn.layers") < layer_of("server.cli")
    assert "engine.spec.plan" in top_level_imports(MODULES["engine.nn.layers"])
    assert top_level_imports(ast.parse("from engine.spec import plan")) == {"engine.spec.plan"}
