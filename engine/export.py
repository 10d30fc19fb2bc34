"""Export a session: a standalone PyTorch script, its weights, ONNX, the spec and the history.

`export(session, directory)` writes
  model.py            a readable script needing only torch and numpy (safetensors to load the
                      weights; scikit-learn for digits and iris, as the app): the network as plain
                      torch.nn modules, the dataset drawn as the app draws it (its generator copied
                      out of engine/data, same seed, same rows, same split, standardisation
                      constants as numbers), the training settings with `train()` from scratch
                      and `predict(x)`; `python model.py --predict IN.npy OUT.npy | --train N`
  weights.safetensors the state_dict of that network (the module `exported_module` returns)
  model.onnx          the same module, eval mode, batch axis dynamic (input "input", output
                      "output"), by torch.onnx's dynamo exporter (the one PyTorch keeps; it
                      needs onnxscript)
  spec.json           the normalised spec (`Spec.to_dict()`)
  history.csv         epoch, losses and accuracies; an empty cell where nothing was measured

The script's data code is not a second copy of ours: `_closure` lifts the generator's top-level
definitions (and what they use) out of engine/data by their source, so it cannot drift. What
the script writes by hand (the Net wrapper, the residual block, the training loop) mirrors
engine/layers.py and engine/session.py; tests/engine/test_export.py runs it in a fresh
interpreter and checks its data, its predictions and the ONNX file against the session's.
Every model kind exports: 2-D MLPs, conv nets, dense table nets, recurrent nets, autoencoders.
"""
from __future__ import annotations

import ast
import copy
import csv
import inspect
import json
import logging
import math
import runpy
import sys
import warnings
from pathlib import Path

import torch
from torch import nn

from engine.data import _SOURCES, DATASETS
from engine.layers import Net
from engine.model import LEAKY_SLOPE, MLP, Autoencoder, output_units
from engine.session import History, Session

SCRIPT, WEIGHTS, ONNX, SPEC, HISTORY = ("model.py", "weights.safetensors", "model.onnx",
                                        "spec.json", "history.csv")
ONNX_OPSET = 18
CHECK_ROWS = 8                     # examples the export checks its own script on
CHECK_TOLERANCE = 1e-5
IMPORTS = ("import argparse", "import math", "from collections import OrderedDict",
           "from pathlib import Path", "import numpy as np", "import torch",
           "import torch.nn.functional as F", "from torch import nn")
# Activation -> the torch.nn module the script builds (engine.model.ACTIVATION_MODULE_TYPES').
ACTIVATION_CODE = {
    "tanh": "nn.Tanh()", "relu": "nn.ReLU()", "sigmoid": "nn.Sigmoid()",
    "linear": "nn.Identity()", "leaky_relu": f"nn.LeakyReLU({LEAKY_SLOPE!r})", "elu": "nn.ELU()",
    "gelu": "nn.GELU()", "softsign": "nn.Softsign()", "softplus": "nn.Softplus()",
    "step": "Step()",
}
# Feature name -> its column from raw x1, x2 (engine.features' table, as numpy expressions).
FEATURE_CODE = {"x1": "x1", "x2": "x2", "x1sq": "x1 * x1", "x2sq": "x2 * x2", "x1x2": "x1 * x2",
                "sinx1": "np.sin(x1)", "sinx2": "np.sin(x2)", "cosx1": "np.cos(x1)",
                "cosx2": "np.cos(x2)"}
HISTORY_COLUMNS = History.KEYS


class ExportError(RuntimeError):
    """The session cannot be exported (or the export failed its own check)."""


# ---- the public API -----------------------------------------------------------------------------

def export(session: Session, directory) -> dict[str, Path]:
    """Write every export file into `directory` (created if needed); returns name -> path."""
    from safetensors.torch import save_file
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    module = exported_module(session)
    paths = {name: out / name for name in (SCRIPT, WEIGHTS, ONNX, SPEC, HISTORY)}
    paths[SCRIPT].write_text(script(session), encoding="utf-8")
    state = {k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()}
    save_file(state, str(paths[WEIGHTS]), metadata={"format": "pt"})
    example = sample_inputs(session, CHECK_ROWS)
    check_script(paths[SCRIPT], module, example)
    write_onnx(module, example, paths[ONNX])
    paths[SPEC].write_text(json.dumps(session.spec.to_dict(), indent=2) + "\n", encoding="utf-8")
    write_history(session.history, paths[HISTORY])
    return paths


def exported_module(session: Session) -> nn.Module:
    """The session's network as a CPU module in eval mode, detached from the session: the fast
    2-D MLP as `to_sequential()`'s nn.Sequential, every other net a copy of itself."""
    model = session.model
    module = model.to_sequential() if isinstance(model, MLP) else copy.deepcopy(model)
    return module.cpu().eval()


def sample_inputs(session: Session, n: int) -> torch.Tensor:
    """Up to `n` model inputs from the test split (the training split when it is empty)."""
    split = session.splits["test"] if len(session.splits["test"]) else session.splits["train"]
    return split.x[:n].detach().cpu().clone()


def write_onnx(module: nn.Module, example: torch.Tensor, path) -> None:
    """ONNX of `module` with a dynamic batch axis, by the dynamo exporter."""
    batch = torch.export.Dim("batch")
    example = example if len(example) > 1 else torch.cat([example, example])  # 1 would pin it
    quiet = logging.getLogger("torch.onnx")
    level = quiet.level
    quiet.setLevel(logging.ERROR)        # it logs the optional torchvision ops it skips
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # PyTorch's own deprecations inside the exporter
            torch.onnx.export(module, (example,), str(path), dynamo=True, verbose=False,
                              input_names=["input"], output_names=["output"],
                              dynamic_shapes=({0: batch},), opset_version=ONNX_OPSET,
                              external_data=False)
    except Exception as exc:
        raise ExportError(f"ONNX export failed: {exc}") from exc
    finally:
        quiet.setLevel(level)


def write_history(history: History, path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HISTORY_COLUMNS)
        for i in range(len(history)):
            w.writerow(["" if (v := getattr(history, k)[i]) is None else v
                        for k in HISTORY_COLUMNS])


def check_script(path: Path, module: nn.Module, example: torch.Tensor) -> None:
    """Build the script's network, load the module's weights into it (strictly) and compare
    outputs: a mismatch is a bug in this exporter, better found now than by the user."""
    with torch.random.fork_rng(devices=[]):      # the script's build seeds torch's global RNG
        ns = runpy.run_path(str(path), run_name="nn_playground_export_check")
        net = ns["build_model"]()
    try:
        net.load_state_dict(module.state_dict())
    except RuntimeError as exc:
        raise ExportError(f"the exported script's network does not fit the weights: {exc}")
    with torch.no_grad():
        got, want = net.eval()(example), module(example)
    if got.shape != want.shape or not torch.allclose(got, want, rtol=0, atol=CHECK_TOLERANCE):
        raise ExportError("the exported script's network disagrees with the session's")


# ---- lifting engine source --------------------------------------------------------------------

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


def _closure(roots: list[tuple[object, str]]) -> tuple[str, set[str]]:
    """The source of the top-level definitions `(module, name)` and of everything they use from
    the engine, dependencies first, each under a comment naming its file; and the imports they
    need. A name they use from outside the engine becomes an import."""
    blocks: list[tuple[str, str]] = []                   # (module name, source)
    imports: set[str] = set()
    seen: dict[str, int] = {}                            # name -> id(node) already emitted
    cache: dict[str, tuple] = {}

    def visit(module, name: str) -> None:
        if module.__name__ not in cache:
            cache[module.__name__] = _definitions(module)
        lines, defs = cache[module.__name__]
        node = defs.get(name)
        if node is None:
            _outside(module, name)
            return
        if name in seen:
            if seen[name] != id(node):
                raise ExportError(f"two engine definitions of {name} would collide")
            return
        seen[name] = id(node)
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id != name:
                visit(module, n.id)
        first = min([d.lineno for d in getattr(node, "decorator_list", [])] + [node.lineno])
        blocks.append((module.__name__, "\n".join(lines[first - 1: node.end_lineno])))

    def _outside(module, name: str) -> None:
        obj = vars(module).get(name)
        if obj is None:                                  # a local, a builtin or an argument
            return
        if inspect.ismodule(obj):
            imports.add(_import_line(name, obj))
        elif getattr(obj, "__module__", "").startswith("engine."):
            visit(sys.modules[obj.__module__], name)     # imported from another engine module
        elif inspect.isclass(obj) or inspect.isfunction(obj):
            imports.add(f"from {obj.__module__} import {name}")

    for module, name in roots:
        visit(module, name)
    out, last = [], None
    for mod, src in blocks:
        if mod != last:
            out.append(f"# from NN Playground's {mod.replace('.', '/')}.py")
            last = mod
        out.append(src)
    return "\n\n\n".join(out), imports


def _global_name(module, obj) -> str:
    for name, value in vars(module).items():
        if value is obj and not name.startswith("__"):
            return name
    raise ExportError(f"cannot find {obj!r} in {module.__name__}")


# ---- the script -------------------------------------------------------------------------------

def script(session: Session) -> str:
    """The standalone model.py for this session."""
    from engine.export_script import Script
    return Script(session).render()
