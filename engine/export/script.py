"""The standalone model.py of a session: its data drawn as the app draws it (the generators
lifted from engine.data), the network as plain torch.nn modules, the training settings with
`train()` from scratch, and `predict(x)`; `python model.py --predict IN OUT | --train N`."""
from __future__ import annotations

import sys
import textwrap
import math
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from engine.data import images as image_data
from engine.nn import activations, layers, recurrent
from engine.nn import init as initialisers
from engine.data import heldout, sequences as sequence_data, usertext
from engine.training import augment as augmentation
from engine.training import schedules
from engine.data.features import FEATURES
from engine.data.images import find_files
from engine.data.registry import source_of
from engine.export.errors import ExportError
from engine.export.lift import Lifter, global_name
from engine.export.templates import (AUGMENT_LINES, AUTOENCODER, DATA, DRAW_FILES, DRAW_SPANS,
                                     DRAW_UPLOAD, EVALUATE, FAST_MLP, IMPORTS, LOAD_DATA, MLP_INIT,
                                     NET, TEXT,
                                     OPTIMISE, PREDICT_AND_MAIN, READERS, RESIDUAL, RULE_WIDTH,
                                     SCHEDULE_CODE, SCHEDULE_LINE, TRAIN, WEIGHTS)
from engine.nn.activations import ACTIVATIONS, activation_name
from engine.nn.build import Autoencoder, classifier_head
from engine.nn.layers import Net
from engine.nn.mlp import MLP
from engine.spec.layer_shapes import num_layers_of, padding_of, rnn_activation_of, stride_of
from engine.spec.network import output_units
from engine.spec.plan import KINDS
from engine.training.schedules import is_constant
from engine.training.session import SHIFT_FRACTION, Session
from engine.training.splits import STD_FLOOR


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
        self.info = self.d.info             # an upload's carries its shape and classes
        self.fast = isinstance(session.model, MLP)
        self.autoencoder = isinstance(session.model, Autoencoder)
        self.roots: list[tuple[object, str]] = []        # engine definitions to lift, in order
        self.acts = {l.activation for l in self.spec.model.layers if l.activation} | {
            "linear"}

    def render(self) -> str:
        lifter, sections = Lifter(), []
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
        main = PREDICT_AND_MAIN.replace("@DATA_DIR_ARG@", arg).replace("@DATA_DIR_USE@", use)
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
        if d.text:
            consts.append(("TEXT_FILE", f'Path(__file__).with_name("{TEXT}")',
                           "the text it trains on (UTF-8), written beside this script"))
        if self.info.upload:
            consts.append(("DATA_FILE", f'HERE / "{DATA}"',
                           "your upload's parsed arrays (X, y), beside this script"))
        if d.dataset in ("mnist", "fashion-mnist"):
            consts.append(("DATA_DIR", repr(str(self.idx_folder())),
                           "the IDX files' folder (--data-dir)"))
        lines = [_rule(f"data: {self.info.label}, drawn as the app draws it (same seed, rows "
                       f"and split)"), _constants(consts)]
        if self.info.hand:
            lines += ["# The points placed by hand: x1, x2 and the "
                      f"{'value' if d.problem == 'regression' else 'class'} of each.",
                      "POINTS = ["] + [f"    [{_num(a)}, {_num(b)}, {_num(c)}],"
                                       for a, b, c in d.points] + ["]"]
        if d.family == "points":
            lines += ["# Input features: columns computed from each point's raw (x1, x2).",
                      "FEATURES = {"] + [f'    "{f}": lambda x1, x2: {FEATURES[f].code},'
                                         for f in d.features] + ["}"]
        lines += self.standardisation()
        return "\n".join(lines), self.data_functions()

    def idx_folder(self) -> Path:
        """Where the session found its MNIST files."""
        files = find_files(Path(self.s.data_dir), self.d.dataset)
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
        return "\n\n\n".join([self.draw_function(), self.examples_function(), LOAD_DATA])

    def draw_function(self) -> str:
        d, info = self.d, self.info
        source = source_of(d.dataset)
        x_type = "np.int64" if info.vocab else "np.float32"
        y_type = "np.int64" if info.problem == "classification" else "np.float32"
        if info.split == heldout.FILES:
            self.roots += [(image_data, "read_idx"), (heldout, "file_parts")]
            return READERS[d.dataset].strip() + "\n\n\n" + DRAW_FILES
        if info.split == heldout.SPANS:
            self.roots += [(heldout, "text_spans"), (heldout, "counts"),
                           (sequence_data, "text_windows"), (usertext, "vocabulary"),
                           (usertext, "encoded")]
            if not d.text:
                self.roots.append((sequence_data, "CORPUS"))
            return DRAW_SPANS.replace("{text}", "TEXT_FILE.read_text(encoding=\"utf-8\")"
                                      if d.text else "CORPUS")
        if info.upload:
            self.roots.append((heldout, "stratified_split"))
            pixels = "X.astype(np.float32) / 255" if d.family == "images" else \
                "X.astype(np.float32)"
            return DRAW_UPLOAD.replace("@TO_FLOAT@", pixels)
        self.roots.append((heldout, "split_indices"))
        split = ("    parts = split_indices(len(y), TRAIN_RATIO, VALIDATION_RATIO, DATA_SEED, "
                 "keys=X)\n")
        head = ('def draw():\n'
                '    """Every row of the dataset, shuffled by the data seed, and the train, '
                'validation\n    and test rows (identical rows kept on one side)."""\n'
                '    rng = np.random.Generator(np.random.PCG64(DATA_SEED))\n')
        if info.hand:                                    # the spec's points, as placed
            return ('def draw() -> tuple[np.ndarray, np.ndarray]:\n'
                    '    """The points placed by hand, in the order they were placed."""\n'
                    '    table = np.array(POINTS, dtype=np.float64).reshape(-1, 3)\n'
                    f'    return table[:, :2].astype(np.float32), table[:, 2].astype({y_type})')
        if hasattr(source, "read"):                      # a fixed set: a seeded subset
            return (READERS[d.dataset].strip() + "\n\n\n" + head +
                    "    X, y = read_all()\n"
                    "    order = rng.permutation(len(y))[:SAMPLES]\n"
                    f"    X, y = X[order].astype(np.float32), y[order].astype({y_type})\n"
                    + split + "    return X, y, parts")
        fn = getattr(source, "draw", source)
        module = sys.modules[fn.__module__]
        name = global_name(module, fn)
        self.roots.append((module, name))
        last = "SEQ_LENGTH" if d.family == "sequences" else "CLASSES"
        return (head + f"    X, y = {name}(rng, SAMPLES, NOISE, {last})\n"
                "    order = rng.permutation(SAMPLES)\n"
                f"    X, y = X[order].astype({x_type}), y[order].astype({y_type})\n"
                + split + "    return X, y, parts")

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
            self.roots.append((activations, "Step"))
        if self.fast:
            return parts[0], self.mlp_builder()
        kinds = {l.kind for l in self.spec.model.layers}
        if "residual" in kinds:
            parts.append(RESIDUAL)
        if kinds & {"rnn", "lstm", "gru"}:
            self.roots.append((recurrent, "Recurrent"))
        if self.info.sequence == "many_to_one":
            self.roots.append((layers, "LastStep"))
        parts.append(NET)
        if self.autoencoder:
            parts.append(AUTOENCODER)
        return "\n\n\n".join(parts), self.net_builder()

    def mlp_builder(self) -> str:
        m = self.s.model
        rows = []
        for i, act in enumerate(m.activations):
            mods = [f"nn.Linear({m.sizes[i]}, {m.sizes[i + 1]})"]
            if act != "linear":                          # as MLP.to_sequential()
                mods.append(_act(act))
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
                  ("OPTIMIZER", f'"{t.optimizer}"', "sgd, momentum, adam, adamw, rmsprop or "
                                                  "adagrad"),
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
        consts += self.schedule_constants() + self.augment_constants()
        self.roots.append((initialisers, "_init_pair"))
        if not self.fast:
            self.roots.append((initialisers, "init_modules"))
        if classifier_head(self.spec):
            self.roots.append((initialisers, "init_classifier_head"))
        head = _rule("training: the app's settings") + "\n" + _constants(consts)
        scheduled = not is_constant(t)
        if scheduled:
            self.roots.append((schedules, "lr_factor"))
        train = (TRAIN.replace("@AUGMENT@", "".join(AUGMENT_LINES[n] for n in self.augments()))
                 .replace("@SCHEDULE@", SCHEDULE_LINE if scheduled else "")
                 .replace("@NET@", "    net = FastMLP(model)          # the app's layout: "
                                   "the same rounding\n" if self.fast else "    net = model\n")
                 .replace("@BACK@", "    net.copy_into(model)\n" if self.fast else ""))
        parts = [self.init_code(), self.loss_code(), OPTIMISE]
        parts += [SCHEDULE_CODE] if scheduled else []
        parts += [FAST_MLP] if self.fast else []
        return head, "\n\n\n".join(parts + [EVALUATE, train])

    def schedule_constants(self) -> list:
        t = self.t
        out = [("WEIGHT_DECAY", _num(t.weight_decay), "adamw's decoupled weight decay"),
               ("LABEL_SMOOTHING", _num(t.label_smoothing), "cross-entropy's ε")]
        if not is_constant(t):
            out += [("SCHEDULE", f'"{t.schedule}"', "multiplies LEARNING_RATE step by step"),
                    ("SCHEDULE_EPOCHS", t.schedule_epochs, "cosine and one-cycle span it; "
                                                           "step decays every this many"),
                    ("GAMMA", _num(t.gamma), "the step schedule's factor"),
                    ("WARMUP", t.warmup, "epochs of linear warm-up")]
        return out

    def augments(self) -> list[str]:
        """The augmentation functions the app applies to a training batch, in its order."""
        d = self.d
        names = ["shift"] if d.augment == "shift" else []
        names += ["flip"] if d.flip else []
        names += ["rotate_scale"] if d.rotate or d.scale else []
        return names + (["add_noise"] if d.input_noise else [])

    def augment_constants(self) -> list:
        names = self.augments()
        for name in names:
            self.roots.append((augmentation, name))
        out = []
        if set(names) & {"shift", "rotate_scale"}:
            raw0 = 0.0
            if self.d.normalize:                             # where a raw 0 pixel lands
                mean, std = self.norm()
                raw0 = float(((0 - mean) / std).flatten()[0])
            out.append(("BACKGROUND", _num(raw0), "what pixels moved in from outside are"))
        if "shift" in names:
            x = self.s.splits["train"].x
            out.append(("MAX_SHIFT", max(1, x.shape[-1] // SHIFT_FRACTION),
                        "augmentation: random shifts of up to this many pixels"))
        if "rotate_scale" in names:
            out += [("ROTATE", self.d.rotate, "augmentation: random turns of ± degrees"),
                    ("SCALE", self.d.scale, "augmentation: random zoom of ± percent")]
        if "add_noise" in names:
            out.append(("INPUT_NOISE", _num(self.d.input_noise), "augmentation: noise σ"))
        return out

    def init_code(self) -> str:
        if not self.fast:
            head = ("\n    init_classifier_head(model.head)        # logits start near 0: loss ≈ ln k"
                    if classifier_head(self.spec) else "")
            return ("def init_weights(model: nn.Module, gen: torch.Generator) -> None:\n"
                    '    """The app\'s initialisation (INIT) of every conv and linear layer."""\n'
                    "    init_modules(model, INIT, gen)" + head)
        return MLP_INIT

    def loss_code(self) -> str:
        units = output_units(self.spec)
        if self.t.loss == "mse":
            loss = "    return 0.5 * F.mse_loss(out, t)      # TF Playground's ½(ŷ − y)²"
        elif units == 1:
            loss = "    return F.binary_cross_entropy_with_logits(out, t)"
        else:
            loss = "    return F.cross_entropy(out.reshape(-1, out.shape[-1]), t.reshape(-1))"
        code = ("def loss_fn(out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:\n"
                f'    """The mean {self.t.loss} loss (what every figure reports)."""\n{loss}')
        eps = self.t.label_smoothing
        if not eps:
            code += "\n\n\ntrain_loss = loss_fn                   # no label smoothing"
        elif units == 1:
            code += ("\n\n\ndef train_loss(out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:\n"
                     '    """What the gradient follows: smoothed targets t·(1 − ε) + ε/2."""\n'
                     "    return F.binary_cross_entropy_with_logits(\n"
                     "        out, t * (1 - LABEL_SMOOTHING) + LABEL_SMOOTHING / 2)")
        else:
            code += ("\n\n\ndef train_loss(out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:\n"
                     '    """What the gradient follows: cross-entropy with label smoothing."""\n'
                     "    return F.cross_entropy(out.reshape(-1, out.shape[-1]), t.reshape(-1),\n"
                     "                           label_smoothing=LABEL_SMOOTHING)")
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
    return ACTIVATIONS[name or "linear"].code


def _dense_code(layer, shape, vocab: int) -> str:
    flat = "" if len(shape) == 2 else "flatten=nn.Flatten(), "
    n_in = shape[1] if len(shape) == 2 else math.prod(shape)
    return (f"nn.Sequential(OrderedDict({flat}linear=nn.Linear({n_in}, {layer.units}), "
            f"act={_act(layer.activation)}))")


def _batchnorm_code(layer, shape, vocab: int) -> str:
    norm = "BatchNorm2d" if len(shape) == 3 else "BatchNorm1d"
    return (f"nn.Sequential(OrderedDict(norm=nn.{norm}({shape[0]}), "
            f"act={_act(layer.activation)}))")


def _recurrent_code(layer, shape, vocab: int) -> str:
    act = f', "{rnn_activation_of(layer)}"' if layer.kind == "rnn" else ""
    return (f'Recurrent("{layer.kind}", {shape[1]}, {layer.units}, {num_layers_of(layer)}'
            f'{act})')


# One spec layer as the code of the torch.nn module engine.nn.layers builds for it (the same
# submodule names, so the weights load): (layer, its input shape, vocabulary) -> code.
LAYER_CODE: dict[str, Callable] = {
    "dense": _dense_code,
    "conv2d": lambda layer, shape, vocab: (
        f"nn.Sequential(OrderedDict(conv=nn.Conv2d({shape[0]}, {layer.filters}, "
        f"{layer.kernel}, stride={stride_of(layer)}, padding={padding_of(layer)}), "
        f"act={_act(layer.activation)}))"),
    "maxpool": lambda layer, shape, vocab: f"nn.MaxPool2d({layer.kernel}, "
                                           f"stride={stride_of(layer)})",
    "avgpool": lambda layer, shape, vocab: f"nn.AvgPool2d({layer.kernel}, "
                                           f"stride={stride_of(layer)})",
    "flatten": lambda layer, shape, vocab: "nn.Flatten()",
    "dropout": lambda layer, shape, vocab: f"nn.Dropout({layer.rate!r})",
    "batchnorm": _batchnorm_code,
    "residual": lambda layer, shape, vocab: (f"Residual({shape[0]}, {layer.filters}, "
                                             f"{layer.kernel}, lambda: {_act(layer.activation)})"),
    "embedding": lambda layer, shape, vocab: f"nn.Embedding({vocab}, {layer.dim})",
    "rnn": _recurrent_code,
    "lstm": _recurrent_code,
    "gru": _recurrent_code,
}
if set(LAYER_CODE) != set(KINDS):
    raise ImportError(f"exported layer code and kinds differ: {sorted(set(LAYER_CODE) ^ set(KINDS))}")


def _net_code(net: Net, layers, indent: str) -> str:
    """`Net(...)` building engine.nn.layers.Net's modules; inner lines start at `indent` + 4."""
    pad = indent + "        "
    rows = [f"{pad}# {layer.kind} → {'×'.join(map(str, p.out_shape))}\n"
            f"{pad}{LAYER_CODE[layer.kind](layer, p.in_shape, net.vocab)},"
            for layer, p in zip(layers, net.plans)]
    to_head = {"many_to_one": "LastStep()", "many_to_many": "nn.Identity()"}.get(
        net.sequence, "nn.Flatten()")
    out_name = activation_name(net.out_act)
    if out_name is None:
        raise ExportError(f"output activation {type(net.out_act).__name__} is not exportable")
    out_code = _act(out_name)
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
            name = activation_name(m)
            if name is None:
                raise ExportError(f"decoder module {type(m).__name__} is not exportable")
            rows.append(_act(name))
    return "".join(f"            {r},\n" for r in rows)
