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

The script's data code is not a second copy of ours: `_Lifter` lifts the generator's top-level
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
import textwrap
import warnings
from pathlib import Path

import torch
from torch import nn

from engine.data import _SOURCES, DATASETS
from engine.layers import Net, _padding, _stride
from engine.model import LEAKY_SLOPE, MLP, Autoencoder, output_units
from engine.session import SHIFT_FRACTION, STD_FLOOR, History, Session

SCRIPT, WEIGHTS, ONNX, SPEC, HISTORY = ("model.py", "weights.safetensors", "model.onnx",
                                        "spec.json", "history.csv")
ONNX_OPSET = 18
CHECK_ROWS = 8                     # examples the export checks its own script on
CHECK_TOLERANCE = 1e-5
RULE_WIDTH = 96                    # section rules in the script
IMPORTS = ("import argparse", "import math", "from pathlib import Path", "import numpy as np",
           "import torch", "import torch.nn.functional as F", "from torch import nn")
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


class _Lifter:
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


def _global_name(module, obj) -> str:
    for name, value in vars(module).items():
        if value is obj and not name.startswith("__"):
            return name
    raise ExportError(f"cannot find {obj!r} in {module.__name__}")


# ---- the script -------------------------------------------------------------------------------

def script(session: Session) -> str:
    """The standalone model.py for this session (see the module docstring)."""
    return _Script(session).render()


def _num(x) -> str:
    return repr(float(x))


def _floats(values) -> str:
    return "np.array([" + ", ".join(_num(v) for v in values) + "], dtype=np.float32)"


class _Script:
    """Builds model.py section by section from the session's spec, model and data."""

    def __init__(self, session: Session):
        self.s, self.spec = session, session.spec
        self.d, self.t = session.spec.data, session.spec.training
        self.info = DATASETS[self.d.dataset]
        self.fast = isinstance(session.model, MLP)
        self.autoencoder = isinstance(session.model, Autoencoder)
        self.roots: list[tuple[object, str]] = []        # engine definitions to lift, in order
        self.acts = {l.activation for l in self.spec.model.layers if l.activation} | {
            "linear"}

    def render(self) -> str:
        lifter, sections = _Lifter(), []
        for section in (self.data, self.model, self.training):
            self.roots = []
            head, tail = section()
            lifted = lifter.lift(self.roots)
            parts = [part for part in (head, lifted, tail) if part]
            if "\n" not in head:                          # a bare rule sits on what follows
                parts[:2] = [head + "\n" + parts[1]]
            sections.append("\n\n\n".join(parts))
        imports = set(IMPORTS) | lifter.imports
        if any("OrderedDict(" in section for section in sections):
            imports.add("from collections import OrderedDict")
        return "\n".join([self.docstring(), "from __future__ import annotations", "",
                          _imports(imports), "",
                          'HERE = Path(__file__).resolve().parent',
                          f'WEIGHTS = HERE / "{WEIGHTS}"', "", ""] +
                         [s + "\n\n" for s in sections] + [self.main()])

    def main(self) -> str:
        arg, use = self.data_dir_arg()
        main = _PREDICT_AND_MAIN.replace("@DATA_DIR_ARG@", arg).replace("@DATA_DIR_USE@", use)
        main = main.replace("@DATA_DIR_GLOBAL@", "    global DATA_DIR\n" if arg else "")
        return _rule("prediction and the command line") + "\n" + main

    # -- the top ---------------------------------------------------------------------------
    def docstring(self) -> str:
        layers = ", ".join(_layer_text(l) for l in self.spec.model.layers) or "none"
        sklearn = ", scikit-learn for the data, as the app reads it" if self.d.dataset in (
            "digits", "iris") else ""
        wrap = lambda text: "\n".join(textwrap.wrap(text, RULE_WIDTH))   # noqa: E731
        return "\n".join([
            f'"""{self.info.label}, {self.task_text()}: exported from NN Playground after '
            f"{self.s.epoch} epochs.", "",
            wrap(f"Hidden layers: {layers}; then the output layer."),
            wrap(f"Standalone: needs only torch and numpy (safetensors to load the weights"
                 f"{sklearn})."), "",
            "    python model.py --predict INPUT.npy OUTPUT.npy   the trained net's raw outputs",
            "    python model.py --train EPOCHS [--save FILE]     train from scratch with the "
            "app's settings", "",
            wrap(f"Model inputs: {self.input_text()}."),
            wrap(f"Raw outputs: {self.output_text()}."),
            '"""', ""])

    def task_text(self) -> str:
        if self.autoencoder:
            return f"an autoencoder through {self.spec.model.bottleneck} units"
        return {"classification": f"{self.d.n_classes} classes",
                "regression": "regression"}[self.d.problem]

    def input_text(self) -> str:
        shape = list(self.s.splits["train"].x.shape[1:])
        dims = ", ".join(["n"] + [str(n) for n in shape])
        if self.d.family == "points":
            return (f"the features {', '.join(self.d.features)} of each point, float32 "
                    f"[{dims}] (see FEATURES)")
        if self.d.family == "sequences":
            what = "character indices into VOCAB, int64" if self.info.vocab else \
                "one value per time step, float32"
            return f"sequences of {self.d.seq_length} steps, {what} [{dims}]"
        scaled = " standardised: (raw − MEAN) / STD" if self.d.normalize else ""
        unit = "pixels in [0, 1]" if self.d.family == "images" else "rows of measurements"
        return f"{unit}{scaled}, float32 [{dims}]"

    def output_text(self) -> str:
        units = output_units(self.spec)
        if self.autoencoder:
            return "the reconstruction of each input, flattened"
        if self.d.problem == "regression":
            return "the predicted value" + (" at every step (the next value)"
                                            if self.d.family == "sequences" else "")
        if self.t.loss == "mse":
            return "tanh output in [−1, 1], [n, 1]; above 0 means class 1"
        if units == 1:
            return "one logit, [n, 1]; above 0 means class 1 (sigmoid for its probability)"
        every = " at every step (the next character)" if self.info.vocab else ""
        return f"{units} logits{every}, one per class (softmax for probabilities)"

    # -- data ------------------------------------------------------------------------------
    def data(self) -> tuple[str, str]:
        d = self.d
        consts = [("DATASET", f'"{d.dataset}"', ""), ("SAMPLES", d.samples, ""),
                  ("NOISE", _num(d.noise / 100), "a fraction (the app's percent / 100)"),
                  ("CLASSES", d.classes, ""), ("DATA_SEED", d.seed, ""),
                  ("TRAIN_RATIO", d.train_ratio, "percent of the rows that train; the rest test"),
                  ("VALIDATION_RATIO", d.validation_ratio,
                   "percent of the training rows held out for validation")]
        if d.family == "sequences":
            consts.append(("SEQ_LENGTH", d.seq_length, "time steps the net reads"))
        if d.dataset in ("mnist", "fashion-mnist"):
            consts.append(("DATA_DIR", repr(str(self.idx_folder())),
                           "the IDX files' folder (--data-dir)"))
        lines = [_rule(f"data: {self.info.label}, drawn as the app draws it (same seed, rows "
                       f"and split)"), _constants(consts)]
        if d.family == "points":
            lines += ["# Input features: columns computed from each point's raw (x1, x2).",
                      "FEATURES = {"] + [f'    "{f}": lambda x1, x2: {FEATURE_CODE[f]},'
                                         for f in d.features] + ["}"]
        lines += self.standardisation()
        self.roots.append((sys.modules["engine.session"], "split_indices"))
        return "\n".join(lines), self.data_functions()

    def idx_folder(self) -> Path:
        """Where the session found its MNIST files."""
        from engine.data.images import _find_files
        files = _find_files(Path(self.s.data_dir), self.d.dataset)
        return files[0].parent.resolve()

    def norm(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The training split's mean and deviation, computed as the session computed them (on
        its device, from the same rows in the same order), so they are the very same floats."""
        raw = torch.from_numpy(self.s.splits["train"].raw).to(self.s.device)
        if self.d.family == "tabular":
            mean, std = raw.mean(0), raw.std(0)
        else:
            mean, std = raw.mean(), raw.std()
        return mean.cpu(), std.clamp_min(STD_FLOOR).cpu()

    def standardisation(self) -> list[str]:
        if self.d.family not in ("images", "tabular") or not self.d.normalize:
            return []
        mean, std = self.norm()
        if self.d.family == "tabular":
            what, mean, std = "each column's", _floats(mean.tolist()), _floats(std.tolist())
        else:
            what, mean, std = "the pixels'", f"np.float32({_num(mean)})", f"np.float32({_num(std)})"
        return [f"# Standardisation: {what} mean and deviation over the training split.",
                f"MEAN = {mean}", f"STD = {std}"]

    def data_functions(self) -> str:
        return "\n\n\n".join([self.draw_function(), self.examples_function(), _LOAD_DATA])

    def draw_function(self) -> str:
        d, info = self.d, self.info
        source = _SOURCES[d.dataset]
        x_type = "np.int64" if info.vocab else "np.float32"
        y_type = "np.int64" if info.problem == "classification" else "np.float32"
        head = ('def draw() -> tuple[np.ndarray, np.ndarray]:\n'
                '    """Every row of the dataset, shuffled by the data seed."""\n'
                '    rng = np.random.Generator(np.random.PCG64(DATA_SEED))\n')
        if hasattr(source, "read"):                      # a fixed set: a seeded subset
            if d.dataset in ("mnist", "fashion-mnist"):
                self.roots.append((sys.modules["engine.data.images"], "read_idx"))
            return (_READERS[d.dataset].strip() + "\n\n\n" + head +
                    "    X, y = read_all()\n"
                    "    order = rng.permutation(len(y))[:SAMPLES]\n"
                    f"    return X[order].astype(np.float32), y[order].astype({y_type})")
        fn = getattr(source, "draw", source)
        module = sys.modules[fn.__module__]
        name = _global_name(module, fn)
        self.roots.append((module, name))
        last = "SEQ_LENGTH" if d.family == "sequences" else "CLASSES"
        return (head + f"    X, y = {name}(rng, SAMPLES, NOISE, {last})\n"
                "    order = rng.permutation(SAMPLES)\n"
                f"    return X[order].astype({x_type}), y[order].astype({y_type})")

    def examples_function(self) -> str:
        d, fam = self.d, self.d.family
        doc = ('def examples(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:\n'
               '    """(model inputs, loss targets) of raw rows."""\n')
        if fam == "points":
            body = ("    x1, x2 = X[:, 0], X[:, 1]\n"
                    "    x = np.column_stack([f(x1, x2) for f in FEATURES.values()])"
                    ".astype(np.float32)\n")
        elif fam == "sequences":
            if self.info.sequence == "many_to_many":     # the next value / character
                return doc + "    return X[:, :SEQ_LENGTH], X[:, 1:SEQ_LENGTH + 1]"
            body = "    x = X\n"
        else:
            body = "    x = (X - MEAN) / STD\n" if d.normalize else "    x = X\n"
        if self.autoencoder:
            target = "X.reshape(len(X), -1)" if fam == "images" else "x.reshape(len(x), -1)"
            return doc + body + f"    return x, {target}    # reconstruct the input"
        return doc + body + f"    return x, {self.target_code()}"

    def target_code(self) -> str:
        if self.d.problem == "regression":
            return "y.astype(np.float32).reshape(-1, 1)"
        if self.t.loss == "mse":
            return "(y.astype(np.float32) * 2 - 1).reshape(-1, 1)    # classes as -1 and +1"
        if output_units(self.spec) == 1:
            return "y.astype(np.float32).reshape(-1, 1)    # 0 or 1 for the single logit"
        return "y.astype(np.int64)"

    def data_dir_arg(self) -> tuple[str, str]:
        """The command line's --data-dir (MNIST sets only): its argument and its use."""
        if self.d.dataset not in ("mnist", "fashion-mnist"):
            return "", ""
        return ('    p.add_argument("--data-dir", default=DATA_DIR, help="folder with the IDX '
                'files")\n', "    DATA_DIR = args.data_dir\n")

    # -- the network -----------------------------------------------------------------------
    def model(self) -> tuple[str, str]:
        parts = [_rule("the network")]
        if "step" in self.acts:
            self.roots.append((sys.modules["engine.model"], "Step"))
        if self.fast:
            return parts[0], self.mlp_builder()
        kinds = {l.kind for l in self.spec.model.layers}
        if "residual" in kinds:
            parts.append(_RESIDUAL)
        if kinds & {"rnn", "lstm", "gru"}:
            self.roots.append((sys.modules["engine.recurrent"], "Recurrent"))
        if self.info.sequence == "many_to_one":
            self.roots.append((sys.modules["engine.layers"], "LastStep"))
        parts.append(_NET)
        if self.autoencoder:
            parts.append(_AUTOENCODER)
        return "\n\n\n".join(parts), self.net_builder()

    def mlp_builder(self) -> str:
        m = self.s.model
        rows = []
        for i, act in enumerate(m.activations):
            mods = [f"nn.Linear({m.sizes[i]}, {m.sizes[i + 1]})"]
            if act != "linear":                          # as MLP.to_sequential()
                mods.append(ACTIVATION_CODE[act])
            rows.append("        " + ", ".join(mods) + ",")
        return ('def build_model() -> nn.Module:\n'
                '    """The network as nn.Sequential (the app keeps the same weights as '
                '[in, out]\n    matrices for speed; weights.safetensors holds them as '
                'nn.Linear\'s [out, in])."""\n'
                "    return nn.Sequential(\n" + "\n".join(rows) + "\n    )")

    def net_builder(self) -> str:
        model = self.s.model
        net = model.encoder if self.autoencoder else model
        if self.autoencoder:
            body = (f"    return Autoencoder(\n"
                    f"        encoder={_net_code(net, self.spec.model.layers, '        ')},\n"
                    f"        decoder=nn.Sequential(\n{_decoder_code(model.decoder)}        ),\n"
                    f"    )")
        else:
            body = "    return " + _net_code(net, self.spec.model.layers, "    ")
        return ('def build_model() -> nn.Module:\n'
                '    """The network, in torch.nn\'s default initialisation from SEED '
                '(train() then\n    initialises it as the app does)."""\n'
                "    torch.manual_seed(SEED)\n" + body)

    # -- training --------------------------------------------------------------------------
    def training(self) -> tuple[str, str]:
        t = self.t
        consts = [("LOSS", f'"{t.loss}"', ""),
                  ("OPTIMIZER", f'"{t.optimizer}"', "sgd, momentum, adam, rmsprop or adagrad"),
                  ("LEARNING_RATE", _num(t.learning_rate), ""),
                  ("MOMENTUM", _num(t.momentum), "the momentum optimiser's"),
                  ("BATCH_SIZE", t.batch_size, ""),
                  ("REGULARIZATION", f'"{t.regularization}"', "none, L1 or L2, on weights "
                                                              "(not biases)"),
                  ("REGULARIZATION_RATE", _num(t.regularization_rate), ""),
                  ("CLIP", _num(t.clip), "max gradient norm; 0 is off"),
                  ("EARLY_STOPPING", t.early_stopping, "patience in epochs on the validation "
                                                       "loss; 0 is off"),
                  ("INIT", f'"{self.spec.model.init}"', "tf, zero, xavier or he"),
                  ("SEED", t.seed, "initialisation, batch order and dropout"),
                  ("EPOCHS", self.s.epoch, "what the exported weights were trained for")]
        augment = self.d.augment == "shift"
        if augment:
            x = self.s.splits["train"].x
            raw0 = 0.0
            if self.d.normalize:                             # where a raw 0 pixel lands
                mean, std = self.norm()
                raw0 = float(((0 - mean) / std).flatten()[0])
            consts += [("MAX_SHIFT", max(1, x.shape[-1] // SHIFT_FRACTION),
                        "augmentation: random shifts of up to this many pixels"),
                       ("BACKGROUND", _num(raw0), "what shifted-in pixels are")]
            self.roots.append((sys.modules["engine.data.images"], "shift"))
        self.roots.append((sys.modules["engine.model"], "_init_pair"))
        if not self.fast:
            self.roots.append((sys.modules["engine.model"], "init_modules"))
        head = _rule("training: the app's settings") + "\n" + _constants(consts)
        train = _TRAIN.replace("@AUGMENT@", _AUGMENT_LINE if augment else "")
        return head, "\n\n\n".join([self.init_code(), self.loss_code(), _OPTIMISE, _EVALUATE,
                                     train])

    def init_code(self) -> str:
        if not self.fast:
            return ("def init_weights(model: nn.Module, gen: torch.Generator) -> None:\n"
                    '    """The app\'s initialisation (INIT) of every conv and linear layer."""\n'
                    "    init_modules(model, INIT, gen)")
        return _MLP_INIT

    def loss_code(self) -> str:
        units = output_units(self.spec)
        if self.t.loss == "mse":
            loss = "    return 0.5 * F.mse_loss(out, t)      # TF Playground's ½(ŷ − y)²"
        elif units == 1:
            loss = "    return F.binary_cross_entropy_with_logits(out, t)"
        else:
            loss = "    return F.cross_entropy(out.reshape(-1, out.shape[-1]), t.reshape(-1))"
        code = ("def loss_fn(out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:\n"
                f'    """The mean {self.t.loss} loss."""\n{loss}')
        if self.d.problem == "regression" or self.autoencoder:
            ok = "    return None                          # no classes: regression"
        elif units > 1:
            ok = "    return out.argmax(-1) == t"
        else:
            half = "0.0" if self.t.loss == "mse" else "0.5"
            ok = f"    return (out[..., 0] > 0) == (t[..., 0] > {half})"
        return code + ("\n\n\ndef correct(out: torch.Tensor, t: torch.Tensor):\n"
                       '    """Which predictions are right (None when there are no classes)."""\n'
                       + ok)


def _constants(rows) -> str:
    """NAME = value lines, their comments aligned."""
    lines = [f"{name} = {value}" for name, value, _ in rows]
    col = max(map(len, lines)) + 2
    return "\n".join(line + (" " * (col - len(line)) + f"# {c}" if c else "")
                     for line, (_, _, c) in zip(lines, rows))


def _rule(title: str) -> str:
    head = f"# ---- {title} "
    return head + "-" * max(4, RULE_WIDTH - len(head))


def _imports(lines: set[str]) -> str:
    def key(line: str):
        top = line.split()[1].split(".")[0]
        return (top not in sys.stdlib_module_names, line.startswith("from"), line)
    ordered = sorted(lines, key=key)
    out, third = [], False
    for line in ordered:
        if not third and key(line)[0]:
            out.append("")
            third = True
        out.append(line)
    return "\n".join(out)


def _layer_text(layer) -> str:
    if layer.kind == "dense":
        return f"dense {layer.units} {layer.activation}"
    if layer.kind in ("conv2d", "residual"):
        return f"{layer.kind} {layer.filters}×{layer.kernel}²"
    if layer.kind in ("rnn", "lstm", "gru"):
        return f"{layer.kind} {layer.units}"
    return layer.kind


def _act(name: str | None) -> str:
    return ACTIVATION_CODE[name or "linear"]


def _block_code(layer, p, vocab: int) -> str:
    """One spec layer as the torch.nn module engine.layers builds (same submodule names)."""
    k, shape = layer.kind, p.in_shape
    if k == "dense":
        flat = "" if len(shape) == 2 else "flatten=nn.Flatten(), "
        n_in = shape[1] if len(shape) == 2 else math.prod(shape)
        return (f"nn.Sequential(OrderedDict({flat}linear=nn.Linear({n_in}, {layer.units}), "
                f"act={_act(layer.activation)}))")
    if k == "conv2d":
        return (f"nn.Sequential(OrderedDict(conv=nn.Conv2d({shape[0]}, {layer.filters}, "
                f"{layer.kernel}, stride={_stride(layer)}, padding={_padding(layer)}), "
                f"act={_act(layer.activation)}))")
    if k in ("maxpool", "avgpool"):
        cls = "MaxPool2d" if k == "maxpool" else "AvgPool2d"
        return f"nn.{cls}({layer.kernel}, stride={_stride(layer)})"
    if k == "flatten":
        return "nn.Flatten()"
    if k == "dropout":
        return f"nn.Dropout({layer.rate!r})"
    if k == "batchnorm":
        norm = "BatchNorm2d" if len(shape) == 3 else "BatchNorm1d"
        return (f"nn.Sequential(OrderedDict(norm=nn.{norm}({shape[0]}), "
                f"act={_act(layer.activation)}))")
    if k == "residual":
        return (f"Residual({shape[0]}, {layer.filters}, {layer.kernel}, "
                f"lambda: {_act(layer.activation)})")
    if k == "embedding":
        return f"nn.Embedding({vocab}, {layer.dim})"
    if k in ("rnn", "lstm", "gru"):
        act = f', "{layer.activation or "tanh"}"' if k == "rnn" else ""
        return f'Recurrent("{k}", {shape[1]}, {layer.units}, {layer.num_layers or 1}{act})'
    raise ExportError(f"{k} layers are not exportable yet")


def _net_code(net: Net, layers, indent: str) -> str:
    """`Net(...)` building engine.layers.Net's modules; inner lines start at `indent` + 4."""
    pad = indent + "        "
    rows = [f"{pad}# {layer.kind} → {'×'.join(map(str, p.out_shape))}\n"
            f"{pad}{_block_code(layer, p, net.vocab)},"
            for layer, p in zip(layers, net.plans)]
    to_head = {"many_to_one": "LastStep()", "many_to_many": "nn.Identity()"}.get(
        net.sequence, "nn.Flatten()")
    out_act = type(net.out_act).__name__
    out_code = {"Identity": "nn.Identity()", "Tanh": "nn.Tanh()"}.get(out_act)
    if out_code is None:
        raise ExportError(f"output activation {out_act} is not exportable yet")
    blocks = "[\n" + "\n".join(rows) + f"\n{indent}    ]" if rows else "[]"
    return (f"Net(\n{indent}    {blocks},\n{indent}    to_head={to_head},\n"
            f"{indent}    head=nn.Linear({net.head.in_features}, {net.head.out_features}),\n"
            f"{indent}    out_act={out_code},\n{indent})")


def _decoder_code(decoder: nn.Sequential) -> str:
    rows = []
    for m in decoder:
        if isinstance(m, nn.Linear):
            rows.append(f"nn.Linear({m.in_features}, {m.out_features})")
        else:
            name = next((a for a, cls in _ACT_CLASSES.items() if type(m) is cls), None)
            if name is None:
                raise ExportError(f"decoder module {type(m).__name__} is not exportable yet")
            rows.append(ACTIVATION_CODE[name])
    return "".join(f"            {r},\n" for r in rows)


_ACT_CLASSES = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "linear": nn.Identity,
                "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "gelu": nn.GELU,
                "softsign": nn.Softsign, "softplus": nn.Softplus}


# ---- fixed pieces of the script ---------------------------------------------------------------

_READERS = {
    "digits": '''
def read_all() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8×8 digits (nothing downloads): pixels 0..16 scaled to [0, 1]."""
    from sklearn.datasets import load_digits
    bunch = load_digits()
    return (bunch.images / 16.0).astype(np.float32)[:, None], bunch.target.astype(np.int64)
''',
    "iris": '''
def read_all() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled iris: four measurements in cm, three species."""
    from sklearn.datasets import load_iris
    bunch = load_iris()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int64)
''',
}
_MNIST_READER = '''
def read_all() -> tuple[np.ndarray, np.ndarray]:
    """The training then the t10k IDX files (gzipped or not) in DATA_DIR, pixels in [0, 1]."""
    def load(name):
        path = Path(DATA_DIR) / name
        return read_idx(path if path.exists() else path.with_name(name + ".gz"))
    X = np.concatenate([load("train-images-idx3-ubyte"), load("t10k-images-idx3-ubyte")])
    y = np.concatenate([load("train-labels-idx1-ubyte"), load("t10k-labels-idx1-ubyte")])
    return X[:, None].astype(np.float32) / 255, y.astype(np.int64)
'''
_READERS["mnist"] = _READERS["fashion-mnist"] = _MNIST_READER

_LOAD_DATA = '''def load_data() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Model inputs and loss targets of the train, validation and test splits."""
    X, y = draw()
    x, t = examples(X, y)
    parts = split_indices(len(y), TRAIN_RATIO, VALIDATION_RATIO, DATA_SEED)
    return {name: (torch.from_numpy(np.ascontiguousarray(x[idx])),
                   torch.from_numpy(np.ascontiguousarray(t[idx])))
            for name, idx in zip(("train", "val", "test"), parts)}'''

_RESIDUAL = '''class Residual(nn.Module):
    """conv → act → conv, plus the input (through a 1×1 conv when channels change), → act."""

    def __init__(self, d_in: int, d_out: int, kernel: int, activation):
        super().__init__()
        pad = kernel // 2          # an odd kernel at stride 1 keeps H×W for the add
        self.conv1 = nn.Conv2d(d_in, d_out, kernel, padding=pad)
        self.act1 = activation()
        self.conv2 = nn.Conv2d(d_out, d_out, kernel, padding=pad)
        self.skip = nn.Conv2d(d_in, d_out, 1) if d_in != d_out else nn.Identity()
        self.act2 = activation()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act2(self.conv2(self.act1(self.conv1(x))) + self.skip(x))'''

_NET = '''class Net(nn.Module):
    """The blocks in order, then the output head: flatten (or pick the time steps), a linear
    layer and the output activation. The layout of the app's engine.layers.Net, so the same
    state_dict keys load."""

    def __init__(self, blocks, to_head: nn.Module, head: nn.Linear, out_act: nn.Module):
        super().__init__()
        self.blocks = nn.ModuleList(blocks)
        self.to_head, self.head, self.out_act = to_head, head, out_act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return self.out_act(self.head(self.to_head(x)))'''

_AUTOENCODER = '''class Autoencoder(nn.Module):
    """The encoder down to the bottleneck, the decoder back up to the input size."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))'''

_MLP_INIT = '''@torch.no_grad()
def init_weights(model: nn.Module, gen: torch.Generator) -> None:
    """The app's initialisation (INIT). Its 2-D nets store each weight matrix as [inputs, units]
    and draw it in that order, so the draw is made in that shape and copied in transposed."""
    for m in model.modules():
        if isinstance(m, nn.Linear):
            w = torch.empty(m.in_features, m.out_features)
            _init_pair(w, m.bias, m.in_features, m.out_features, INIT, gen)
            m.weight.copy_(w.T)'''

_OPTIMISE = '''def make_optimizer(params) -> torch.optim.Optimizer:
    """torch.optim's version of the app's optimiser (the same update, default options)."""
    if OPTIMIZER == "momentum":
        return torch.optim.SGD(params, lr=LEARNING_RATE, momentum=MOMENTUM)
    return {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop,
            "adagrad": torch.optim.Adagrad}[OPTIMIZER](params, lr=LEARNING_RATE)


def regularize(params) -> None:
    """Add the penalty's gradient to the weights' (biases are not penalised): L1 adds
    rate·sign(w), L2 rate·w."""
    if REGULARIZATION == "none" or not REGULARIZATION_RATE:
        return
    for p in params:
        if p.dim() > 1:
            w = p.detach()
            p.grad.add_(w.sign() if REGULARIZATION == "L1" else w, alpha=REGULARIZATION_RATE)'''

_EVALUATE = '''EVAL_CHUNK = 1024


@torch.no_grad()
def evaluate(model: nn.Module, data) -> dict[str, float]:
    """Loss and accuracy of each non-empty split, in eval mode (dropout off, batch norm on its
    running statistics)."""
    model.eval()
    metrics = {}
    for name, (x, t) in data.items():
        if len(x):
            out = torch.cat([model(chunk) for chunk in x.split(EVAL_CHUNK)])
            metrics[f"{name}_loss"] = loss_fn(out, t).item()
            ok = correct(out, t)
            if ok is not None:
                metrics[f"{name}_accuracy"] = ok.float().mean().item()
    model.train()
    return metrics'''

_AUGMENT_LINE = "            xb = shift(xb, MAX_SHIFT, order, BACKGROUND)      # augmentation\n"

_TRAIN = '''def train(epochs: int = EPOCHS, log=print) -> nn.Module:
    """Train from scratch as the app does: its initialisation, one shuffle per epoch from SEED,
    mini-batches, regularisation, clipping and early stopping; log each epoch's metrics.
    Returns the net in eval mode."""
    data = load_data()
    x, t = data["train"]
    model = build_model()
    init_weights(model, torch.Generator().manual_seed(SEED))
    torch.manual_seed(SEED)                               # the stream of dropout masks
    params = list(model.parameters())
    optimizer = make_optimizer(params)
    order = torch.Generator().manual_seed(SEED)
    best, best_state, stale = math.inf, None, 0
    model.train()
    for epoch in range(1, epochs + 1):
        perm = torch.randperm(len(x), generator=order)
        xs, ts = x[perm], t[perm]
        for i in range(0, len(xs), BATCH_SIZE):
            xb = xs[i:i + BATCH_SIZE]
@AUGMENT@            loss = loss_fn(model(xb), ts[i:i + BATCH_SIZE])
            optimizer.zero_grad()
            loss.backward()
            for p in params:              # after a step activation nothing upstream learns
                if p.grad is None:
                    p.grad = torch.zeros_like(p)
            regularize(params)
            if CLIP:
                nn.utils.clip_grad_norm_(params, CLIP)
            optimizer.step()
        metrics = evaluate(model, data)
        log(f"epoch {epoch}  " + "  ".join(f"{k} {v:.4f}" for k, v in metrics.items()))
        if EARLY_STOPPING and "val_loss" in metrics:
            if metrics["val_loss"] < best:
                best, stale = metrics["val_loss"], 0
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
            else:
                stale += 1
                if stale >= EARLY_STOPPING:
                    model.load_state_dict(best_state)
                    log("early stopping: restored the weights of the best epoch")
                    break
    return model.eval()'''

_PREDICT_AND_MAIN = '''def load_trained(path=WEIGHTS) -> nn.Module:
    """The exported, trained network, in eval mode."""
    from safetensors.torch import load_file
    model = build_model()
    model.load_state_dict(load_file(str(path)))
    return model.eval()


@torch.no_grad()
def predict(x, model: nn.Module | None = None) -> np.ndarray:
    """Raw outputs of the trained net (or `model`) for model inputs `x` (see the top)."""
    model = load_trained() if model is None else model.eval()
    x = torch.as_tensor(np.asarray(x))
    return model(x.float() if x.is_floating_point() else x).numpy()


def main(argv=None) -> None:
@DATA_DIR_GLOBAL@    p = argparse.ArgumentParser(description=__doc__.split("\\n")[0])
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--predict", nargs=2, metavar=("INPUT.npy", "OUTPUT.npy"),
                      help="write the trained net's raw outputs for the model inputs in INPUT")
    what.add_argument("--train", type=int, metavar="EPOCHS",
                      help="train from scratch with the app's settings, printing the losses")
    p.add_argument("--save", metavar="FILE.safetensors", help="with --train: save the weights")
@DATA_DIR_ARG@    args = p.parse_args(argv)
@DATA_DIR_USE@    if args.predict:
        np.save(args.predict[1], predict(np.load(args.predict[0])))
        return
    model = train(args.train)
    if args.save:
        from safetensors.torch import save_file
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, args.save)


if __name__ == "__main__":
    main()
'''
