"""Lift top-level definitions out of engine modules by their source, with everything they use,
so the exported script's data code is the engine's own and cannot drift from it."""
from __future__ import annotations

import ast
import inspect
import sys

from engine.export.errors import ExportError


def _definitions(module) -> tuple[list[str], dict[str, ast.stmt]]:
    lines = inspect.getsource(module).splitlines()
    defs: dict[str, ast.stmt] = {}
    for node in ast.parse("\n".join(lines)).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defs[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                defs.update((n.id, node) for n in ast.walk(t) if isinstance(n, ast.Name))
    return lines, defs


def _import_line(name: str, mod) -> str:
    full = mod.__name__
    if full == name:
        return f"import {name}"
    parent, _, last = full.rpartition(".")
    return f"from {parent} import {name}" if last == name else f"import {full} as {name}"


class Lifter:
    """Copies top-level definitions out of engine modules by their source: `lift(roots)` gives
    the source of each `(module, name)` root and of everything it uses from the engine that no
    earlier call gave, dependencies first, under a comment naming the file. A name used from
    outside the engine becomes an import in `imports`."""

    def __init__(self):
        self.imports: set[str] = set()
        self._seen: dict[str, int] = {}                   # name -> id(node) already lifted
        self._cache: dict[str, tuple[list[str], dict]] = {}
        self._blocks: list[tuple[str, str, bool]] = []    # (module name, source, is a def)

    def lift(self, roots: list[tuple[object, str]]) -> str:
        self._blocks = []
        for module, name in roots:
            self._visit(module, name)
        out, last, last_def = "", None, True
        for mod, src, is_def in self._blocks:
            if mod != last:
                src = f"# from NN Playground's {mod.replace('.', '/')}.py\n{src}"
            gap = "\n" if not (is_def or last_def) and mod == last else "\n\n\n"
            out += (gap if out else "") + src
            last, last_def = mod, is_def
        return out

    def _visit(self, module, name: str) -> None:
        if module.__name__ not in self._cache:
            self._cache[module.__name__] = _definitions(module)
        lines, defs = self._cache[module.__name__]
        node = defs.get(name)
        if node is None:
            self._outside(module, name)
            return
        if name in self._seen:
            if self._seen[name] != id(node):
                raise ExportError(f"two engine definitions of {name} would collide")
            return
        self._seen[name] = id(node)
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id != name:
                self._visit(module, n.id)
        first = min([d.lineno for d in getattr(node, "decorator_list", [])] + [node.lineno])
        self._blocks.append((module.__name__, "\n".join(lines[first - 1: node.end_lineno]),
                             isinstance(node, (ast.FunctionDef, ast.ClassDef))))

    def _outside(self, module, name: str) -> None:
        obj = vars(module).get(name)
        if obj is None:                                   # a local, a builtin or an argument
            return
        if inspect.ismodule(obj):
            self.imports.add(_import_line(name, obj))
        elif getattr(obj, "__module__", "").startswith("engine."):
            self._visit(sys.modules[obj.__module__], name)   # from another engine module
        elif inspect.isclass(obj) or inspect.isfunction(obj):
            self.imports.add(f"from {obj.__module__} import {name}")


def global_name(module, obj) -> str:
    for name, value in vars(module).items():
        if value is obj and not name.startswith("__"):
            return name
    raise ExportError(f"cannot find {obj!r} in {module.__name__}")
