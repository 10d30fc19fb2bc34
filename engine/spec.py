"""The experiment spec: its schema, defaults, limits and the only parser.

An experiment is one versioned JSON document with four sections (data, model, training, view);
docs/protocol.md shows it whole. `parse_spec(raw)` validates a raw dict once, at the edge, fills
defaults and returns a frozen `Spec`; every rejection names the field path and the allowed range
(`training.batch_size: 0 is below the minimum 1`), and all errors are reported together.
`schema()` describes every control for the browser, so bounds and defaults live only here.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from engine.data import DATASETS
from engine.features import FEATURES

SPEC_VERSION = 1

MAX_LAYERS = 16             # any family
MAX_POINT_LAYERS = 8        # 2-D playground: what its network diagram shows well
MAX_UNITS = 1024
MAX_POINT_UNITS = 16
MAX_POINT_SAMPLES = 5000
MAX_SEED = 2**31 - 1
# What one training step may cost (forward values, their gradients and saved inputs: ~3 floats
# per activation), so no spec can exhaust the server's memory or stall its trainer.
STEP_BYTES_PER_ACTIVATION = 12
MAX_STEP_BYTES = 512 * 2**20
MAX_STEP_FLOPS = 50e9

ACTIVATIONS = {
    "tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid", "linear": "Linear",
    "leaky_relu": "Leaky ReLU", "elu": "ELU", "gelu": "GELU", "softsign": "Softsign",
    "softplus": "Softplus", "step": "Step (no gradient)",
}
OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD + momentum", "adam": "Adam",
              "rmsprop": "RMSprop", "adagrad": "Adagrad"}
LOSSES = {"mse": "Squared error ½(ŷ−y)²", "cross_entropy": "Cross-entropy"}
REGULARIZATIONS = {"none": "None", "L1": "L1", "L2": "L2"}
INITS = {"tf": "TF Playground (U(±0.5), bias 0.1)", "zero": "Zeros", "xavier": "Xavier",
         "he": "He"}
TASKS = {"predict": "Predict the label", "autoencoder": "Autoencoder (reconstruct the input)"}
AUGMENTS = {"none": "None", "shift": "Random shifts (up to ⅛ of the width)"}

# Training defaults: TF Playground's for 2-D points; for image, table and sequence models,
# Adam with a smaller step and larger batches (plain SGD at 0.03 leaves them crawling).
POINT_TRAINING = {"optimizer": "sgd", "learning_rate": 0.03, "batch_size": 10}
DEEP_TRAINING = {"optimizer": "adam", "learning_rate": 0.003, "batch_size": 32}

# TensorFlow Playground's menus, offered as the choices of our (continuous) ranges.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)


@dataclass(frozen=True)
class Field:
    """One scalar leaf of the spec: type, default, bounds and how the page shows it."""
    kind: str                      # "int" | "number" | "enum" | "bool"
    default: Any
    label: str
    min: float | None = None
    max: float | None = None
    choices: tuple = ()
    labels: dict | None = None
    step: float | None = None
    live: bool = False             # changes apply without rebuilding the session
    help: str = ""
    families: tuple = ()           # dataset families it applies to; () = all


DATA_FIELDS = {
    "dataset": Field("enum", "circle", "Dataset", choices=tuple(DATASETS),
                     labels={k: d.label for k, d in DATASETS.items()}),
    "classes": Field("int", 2, "Classes", 2, 10, families=("points",),
                     help="classification only; fixed for image and table datasets"),
    "samples": Field("int", None, "Samples", 20, 70000, step=10,
                     help="default per dataset (500 classification, 1200 regression points)"),
    "noise": Field("int", 0, "Noise", 0, 50, step=5, families=("points", "images", "sequences"),
                   help="generated data only (2-D points, shapes, series and bits)"),
    "train_ratio": Field("int", 50, "Ratio of training to test data", 10, 90, step=10),
    "validation_ratio": Field("int", 0, "Validation split (% of training data)", 0, 50, step=5),
    "seed": Field("int", 1, "Data seed", 0, MAX_SEED),
    "augment": Field("enum", "none", "Augmentation", choices=tuple(AUGMENTS), labels=AUGMENTS,
                     families=("images",)),
    "normalize": Field("bool", True, "Standardise inputs", families=("images", "tabular"),
                       help="zero mean, unit variance with the training set's statistics"),
    "seq_length": Field("int", 20, "Sequence length", 2, 200, families=("sequences",)),
}
MODEL_FIELDS = {
    "init": Field("enum", None, "Initialisation", choices=tuple(INITS), labels=INITS,
                  help="default tf for 2-D points, he for images and tables"),
    "task": Field("enum", "predict", "Task", choices=tuple(TASKS), labels=TASKS,
                  families=("images", "tabular")),
    "bottleneck": Field("int", 2, "Bottleneck units", 1, 64, families=("images", "tabular"),
                        help="autoencoder only"),
}
TRAINING_FIELDS = {
    "loss": Field("enum", None, "Loss", choices=tuple(LOSSES), labels=LOSSES,
                  help="default mse for 2-D points (TF Playground's), cross_entropy for several "
                       "classes, images and tables"),
    "optimizer": Field("enum", None, "Optimiser", choices=tuple(OPTIMIZERS), labels=OPTIMIZERS,
                       help="default sgd for 2-D points (TF Playground's), adam otherwise"),
    "learning_rate": Field("number", None, "Learning rate", 1e-5, 10, choices=LEARNING_RATES,
                           live=True, help="default 0.03 for 2-D points, 0.003 otherwise"),
    "momentum": Field("number", 0.9, "Momentum", 0, 0.999, step=0.01, live=True,
                      help="used by the momentum optimiser"),
    "batch_size": Field("int", None, "Batch size", 1, 1000, live=True,
                        help="default 10 for 2-D points, 32 otherwise"),
    "regularization": Field("enum", "none", "Regularisation", choices=tuple(REGULARIZATIONS),
                            labels=REGULARIZATIONS, live=True),
    "regularization_rate": Field("number", 0, "Regularisation rate", 0, 10,
                                 choices=REGULARIZATION_RATES, live=True),
    "early_stopping": Field("int", 0, "Early stopping patience (epochs, 0 = off)", 0, 1000),
    "clip": Field("number", 0, "Gradient clipping (max norm, 0 = off)", 0, 100, live=True,
                  choices=(0, 0.1, 0.5, 1, 5, 10)),
    "seed": Field("int", 1, "Initialisation seed", 0, MAX_SEED),
}
VIEW_FIELDS = {
    "show_test_data": Field("bool", False, "Show test data", live=True),
    "discretize": Field("bool", False, "Discretize output", live=True),
    "hide_text": Field("bool", False, "Hide text", live=True),
    "presenter": Field("bool", False, "Presenter mode", live=True,
                       help="large type, thick lines, colour-blind-safe colours (for a projector)"),
}
LAYER_FIELDS = {
    "units": Field("int", 4, "Neurons", 1, MAX_UNITS),
    "activation": Field("enum", "tanh", "Activation", choices=tuple(ACTIVATIONS),
                        labels=ACTIVATIONS),
    "filters": Field("int", 8, "Filters", 1, 128),
    "kernel": Field("int", 3, "Kernel size", 1, 11),
    "stride": Field("int", 1, "Stride", 1, 4),
    "padding": Field("int", 0, "Padding", 0, 5),
    "rate": Field("number", 0.25, "Dropout rate", 0, 0.9, step=0.05),
    "dim": Field("int", 16, "Embedding size", 1, 256),
    "num_layers": Field("int", 1, "Stacked layers", 1, 4),
}
# kind -> (label, its fields, defaults that differ from LAYER_FIELDS')
LAYER_KINDS = {
    "dense": ("Dense", ("units", "activation"), {}),
    "conv2d": ("Convolution", ("filters", "kernel", "stride", "padding", "activation"),
               {"activation": "relu"}),
    "maxpool": ("Max pooling", ("kernel", "stride"), {"kernel": 2, "stride": 2}),
    "avgpool": ("Average pooling", ("kernel", "stride"), {"kernel": 2, "stride": 2}),
    "flatten": ("Flatten", (), {}),
    "dropout": ("Dropout", ("rate",), {}),
    "batchnorm": ("Batch normalisation", ("activation",), {"activation": "linear"}),
    "residual": ("Residual block", ("filters", "kernel", "activation"), {"activation": "relu"}),
    "embedding": ("Embedding", ("dim",), {}),
    "rnn": ("Simple RNN", ("units", "num_layers", "activation"), {"units": 16}),
    "lstm": ("LSTM", ("units", "num_layers"), {"units": 16}),
    "gru": ("GRU", ("units", "num_layers"), {"units": 16}),
}
# Which layer kinds each family takes. The 2-D playground's diagram shows dense layers.
RECURRENT_KINDS = ("rnn", "lstm", "gru")
FAMILY_LAYER_KINDS = {"points": ("dense",), "tabular": ("dense", "dropout", "batchnorm"),
                      "images": ("dense", "conv2d", "maxpool", "avgpool", "flatten", "dropout",
                                 "batchnorm", "residual"),
                      "sequences": ("embedding",) + RECURRENT_KINDS + ("dense", "dropout")}
AUTOENCODER_LAYER_KINDS = ("dense", "dropout")
SECTIONS = {"data": DATA_FIELDS, "model": MODEL_FIELDS, "training": TRAINING_FIELDS,
            "view": VIEW_FIELDS}
LIST_KEYS = {"data": ("features",), "model": ("layers",), "view": ("hidden",)}
DEFAULT_FEATURES = ("x1", "x2")
_LENET = ({"kind": "conv2d", "filters": 8, "kernel": 3, "padding": 1},
          {"kind": "maxpool"},
          {"kind": "conv2d", "filters": 16, "kernel": 3, "padding": 1},
          {"kind": "maxpool"},
          {"kind": "dense", "units": 64, "activation": "relu"})
# A sensible starting network per dataset (raw layer dicts, parsed like a person's).
DEFAULT_LAYERS = {
    "points": ({"units": 4, "activation": "tanh"}, {"units": 2, "activation": "tanh"}),
    "digits": _LENET,
    "mnist": _LENET,
    "fashion-mnist": _LENET,
    "shapes": ({"kind": "conv2d", "filters": 8, "kernel": 5, "padding": 2},
               {"kind": "maxpool"},
               {"kind": "conv2d", "filters": 16, "kernel": 3, "padding": 1},
               {"kind": "maxpool"},
               {"kind": "dense", "units": 32, "activation": "relu"}),
    "iris": ({"units": 8, "activation": "relu"},),
    "sine-wave": ({"kind": "lstm", "units": 16},),
    "two-sines": ({"kind": "lstm", "units": 16},),
    "recall": ({"kind": "lstm", "units": 16},),
    "parity-count": ({"kind": "lstm", "units": 16},),
    "text": ({"kind": "embedding", "dim": 16}, {"kind": "lstm", "units": 64}),
    "autoencoder": ({"units": 64, "activation": "relu"},),
}


@dataclass(frozen=True)
class Layer:
    """One layer; only its kind's fields are set (see LAYER_KINDS)."""
    kind: str
    units: int | None = None
    activation: str | None = None
    filters: int | None = None
    kernel: int | None = None
    stride: int | None = None
    padding: int | None = None
    rate: float | None = None
    dim: int | None = None
    num_layers: int | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class DataSpec:
    dataset: str
    classes: int
    samples: int
    noise: int
    train_ratio: int
    validation_ratio: int
    seed: int
    augment: str
    normalize: bool
    seq_length: int
    features: tuple[str, ...]

    @property
    def problem(self) -> str:
        return DATASETS[self.dataset].problem

    @property
    def family(self) -> str:
        return DATASETS[self.dataset].family

    @property
    def n_classes(self) -> int:
        """Classes the model predicts: 0 for regression."""
        return self.classes if self.problem == "classification" else 0


@dataclass(frozen=True)
class ModelSpec:
    layers: tuple[Layer, ...]
    init: str
    task: str
    bottleneck: int


@dataclass(frozen=True)
class TrainingSpec:
    loss: str
    optimizer: str
    learning_rate: float
    momentum: float
    batch_size: int
    regularization: str
    regularization_rate: float
    early_stopping: int
    clip: float
    seed: int


@dataclass(frozen=True)
class ViewSpec:
    show_test_data: bool
    discretize: bool
    hide_text: bool
    hidden: tuple[str, ...] = field(default_factory=tuple)
    presenter: bool = False


@dataclass(frozen=True)
class Spec:
    data: DataSpec
    model: ModelSpec
    training: TrainingSpec
    view: ViewSpec
    version: int = SPEC_VERSION

    def to_dict(self) -> dict:
        """The normalised JSON form (lists, not tuples; a layer lists its kind's fields)."""
        out = _jsonable(asdict(self))
        out["model"]["layers"] = [layer.to_dict() for layer in self.model.layers]
        return out

    def structure(self) -> tuple:
        """Everything whose change needs a rebuilt session (not live training knobs, not view)."""
        t = self.training
        return (self.data, self.model, t.loss, t.optimizer, t.early_stopping, t.seed)

    def with_training(self, **changes) -> "Spec":
        return replace(self, training=replace(self.training, **changes))

    def with_data(self, **changes) -> "Spec":
        return replace(self, data=replace(self.data, **changes))


class SpecError(ValueError):
    """Raised with every problem found; `errors` is a list of {path, message}."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__("; ".join(e["message"] for e in errors))


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class _Errors(list):
    def add(self, path: str, message: str) -> None:
        self.append({"path": path, "message": f"{path}: {message}"})


def _fmt(x) -> str:
    return repr(x) if isinstance(x, str) else f"{x:g}" if isinstance(x, float) else str(x)


def _check_field(path: str, f: Field, value, errors: _Errors):
    """Return the value converted to the field's type, or None after recording an error."""
    if f.kind == "bool":
        if isinstance(value, bool):
            return value
        errors.add(path, f"{_fmt(value)} is not true or false")
        return None
    if f.kind == "enum":
        if value in f.choices:
            return value
        errors.add(path, f"{_fmt(value)} is not one of {', '.join(map(str, f.choices))}")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        errors.add(path, f"{_fmt(value)} is not a number (allowed: {_fmt(f.min)} to {_fmt(f.max)})")
        return None
    if isinstance(value, float) and not math.isfinite(value):
        errors.add(path, f"{_fmt(value)} is not a finite number")
        return None
    if f.kind == "int":
        if value != int(value):
            errors.add(path, f"{_fmt(value)} is not a whole number (allowed: {_fmt(f.min)} to "
                             f"{_fmt(f.max)})")
            return None
        value = int(value)
    if f.min is not None and value < f.min:
        errors.add(path, f"{_fmt(value)} is below the minimum {_fmt(f.min)}")
        return None
    if f.max is not None and value > f.max:
        errors.add(path, f"{_fmt(value)} is above the maximum {_fmt(f.max)}")
        return None
    return float(value) if f.kind == "number" else value


def _section(raw: dict, name: str, fields: dict, errors: _Errors) -> dict:
    """Validate the scalar fields of one section; unknown keys are errors."""
    sect = raw.get(name, {})
    if not isinstance(sect, dict):
        errors.add(name, "must be an object")
        sect = {}
    allowed = set(fields) | set(LIST_KEYS.get(name, ()))
    for key in sect:
        if key not in allowed:
            errors.add(f"{name}.{key}", f"unknown field (allowed: {', '.join(sorted(allowed))})")
    out = {}
    for key, f in fields.items():
        if key in sect and sect[key] is not None:
            out[key] = _check_field(f"{name}.{key}", f, sect[key], errors)
        else:
            out[key] = f.default
    return out


def _features(raw, info, errors: _Errors) -> tuple[str, ...]:
    path = "data.features"
    if info is not None and info.family != "points":
        if raw:
            errors.add(path, f"{info.name} has no choosable input features; leave it empty")
        return ()
    dims = info.dims if info else 2
    if raw is None:
        raw = list(DEFAULT_FEATURES if dims == 2 else ("x1",))
    if not isinstance(raw, (list, tuple)) or not all(isinstance(x, str) for x in raw):
        errors.add(path, "must be a list of feature names")
        return DEFAULT_FEATURES
    unknown = [x for x in raw if x not in FEATURES]
    if unknown:
        errors.add(path, f"unknown feature {', '.join(unknown)} (allowed: {', '.join(FEATURES)})")
        return DEFAULT_FEATURES
    if not raw:
        errors.add(path, "choose at least one input feature")
    if dims == 1:
        bad = [x for x in raw if 1 in FEATURES[x].dims]
        if bad:
            errors.add(path, f"{', '.join(bad)} use X₂, which a 1-D dataset does not have")
    return tuple(name for name in FEATURES if name in raw)   # canonical order


def _layer(item, lp: str, errors: _Errors) -> Layer | None:
    if not isinstance(item, dict):
        errors.add(lp, "must be an object")
        return None
    kind = item.get("kind", "dense")
    if not isinstance(kind, str) or kind not in LAYER_KINDS:
        errors.add(f"{lp}.kind", f"{_fmt(kind)} is not one of {', '.join(LAYER_KINDS)}")
        return None
    _, names, defaults = LAYER_KINDS[kind]
    for key in item:
        if key not in names and key != "kind":
            errors.add(f"{lp}.{key}", f"unknown field for {kind} (allowed: kind"
                                      f"{''.join(', ' + n for n in names)})")
    vals = {}
    for name in names:
        f = LAYER_FIELDS[name]
        vals[name] = (_check_field(f"{lp}.{name}", f, item[name], errors) if name in item
                      else defaults.get(name, f.default))
    return Layer(kind, **vals)


def _layers(raw, info, task: str, errors: _Errors) -> tuple[Layer, ...]:
    path = "model.layers"
    family = info.family if info else "points"
    name = info.name if info else "this dataset"
    if raw is None:
        key = "points" if family == "points" else (
            "autoencoder" if task == "autoencoder" else name)
        raw = DEFAULT_LAYERS[key]
    if not isinstance(raw, (list, tuple)):
        errors.add(path, "must be a list of layers")
        return ()
    limit = MAX_POINT_LAYERS if family == "points" else MAX_LAYERS
    if len(raw) > limit:
        where = " for 2-D datasets" if family == "points" else ""
        errors.add(path, f"{len(raw)} hidden layers is above the maximum {limit}{where}")
        return ()
    layers = [_layer(item, f"{path}[{i}]", errors) for i, item in enumerate(raw)]
    for i, layer in enumerate(layers):
        if layer is None:
            continue
        lp = f"{path}[{i}]"
        allowed = FAMILY_LAYER_KINDS[family]
        if layer.kind not in allowed:
            errors.add(f"{lp}.kind", f"{layer.kind} needs image data; {name} takes "
                                     f"{', '.join(allowed)} layers")
        if task == "autoencoder" and layer.kind not in AUTOENCODER_LAYER_KINDS:
            errors.add(f"{lp}.kind", f"an autoencoder's encoder takes dense and dropout "
                                     f"layers, not {layer.kind}")
        if family == "points" and layer.kind == "dense" and layer.units is not None \
                and layer.units > MAX_POINT_UNITS:
            errors.add(f"{lp}.units", f"{layer.units} is above the maximum {MAX_POINT_UNITS} "
                                      f"for 2-D datasets")
    return tuple(layer for layer in layers if layer is not None)


def _hidden(raw, errors: _Errors) -> tuple[str, ...]:
    from engine.urlcodec import HIDEABLE     # the hide keys are the URL's vocabulary
    if raw is None:
        return ()
    if not isinstance(raw, (list, tuple)) or not all(isinstance(x, str) for x in raw):
        errors.add("view.hidden", "must be a list of control names")
        return ()
    unknown = [x for x in raw if x not in HIDEABLE]
    if unknown:
        errors.add("view.hidden", f"unknown control {', '.join(unknown)} "
                                  f"(allowed: {', '.join(HIDEABLE)})")
    return tuple(name for name in HIDEABLE if name in raw)     # canonical order


def _drop_fixed_classes(raw: dict) -> dict:
    """Image, table and sequence sets fix their classes (a text set's are its characters,
    more than the field's range): a normalised spec's `classes` is informative, not a choice."""
    data = raw.get("data")
    if not isinstance(data, dict) or "classes" not in data:
        return raw
    info = DATASETS.get(data.get("dataset")) if isinstance(data.get("dataset"), str) else None
    if info is None or info.family == "points":
        return raw
    return {**raw, "data": {k: v for k, v in data.items() if k != "classes"}}


def _resolve_defaults(data: dict, model: dict, training: dict, info) -> None:
    """Fill the defaults that depend on the dataset and task."""
    points = info.family == "points"
    if data["samples"] is None:
        data["samples"] = info.default_samples
    if info.problem == "regression":
        data["classes"] = DATA_FIELDS["classes"].default
    elif not points:
        data["classes"] = info.max_classes            # a fixed set of classes
    if model["init"] is None:
        model["init"] = "tf" if points else "he"
    for key, value in (POINT_TRAINING if points else DEEP_TRAINING).items():
        if training[key] is None:
            training[key] = value
    if training["loss"] is None:
        simple = info.problem == "regression" or (points and data["classes"] == 2)
        training["loss"] = "mse" if simple or model["task"] == "autoencoder" else "cross_entropy"


def _cross_checks(data: dict, model: dict, training: dict, info, errors: _Errors) -> None:
    family = info.family
    if family == "points" and data["samples"] > MAX_POINT_SAMPLES:
        errors.add("data.samples", f"{data['samples']} is above the maximum "
                                   f"{MAX_POINT_SAMPLES} for 2-D datasets")
    if data["augment"] != "none" and family != "images":
        errors.add("data.augment", f"{data['augment']} needs image data; {info.name} is "
                                   f"{family}")
    if model["task"] == "autoencoder":
        if family in ("points", "sequences"):
            errors.add("model.task", "an autoencoder needs image or tabular data")
        if data["augment"] != "none":
            errors.add("data.augment", "an autoencoder reconstructs its input: use none")
        if training["loss"] != "mse":
            errors.add("training.loss", "an autoencoder's loss is mse (reconstruction)")
    elif info.problem == "classification":
        if data["classes"] > info.max_classes:
            errors.add("data.classes", f"{data['classes']} is above the maximum "
                                       f"{info.max_classes} for {info.name}")
        if training["loss"] == "mse" and data["classes"] > 2:
            errors.add("training.loss", "mse needs 2 classes; use cross_entropy for "
                                        f"{data['classes']} classes")
    elif training["loss"] == "cross_entropy":
        errors.add("training.loss", f"cross_entropy needs a classification dataset; "
                                    f"{info.name} is regression: use mse")
    if training["early_stopping"] and not data["validation_ratio"]:
        errors.add("training.early_stopping", "needs a validation split: set "
                                              "data.validation_ratio above 0")


def parse_spec(raw: Any) -> Spec:
    """Validate a raw (JSON) spec and return the normalised Spec, or raise SpecError."""
    errors = _Errors()
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise SpecError([{"path": "", "message": "spec must be a JSON object"}])
    for key in raw:
        if key not in SECTIONS and key != "version":
            errors.add(key, f"unknown section (allowed: version, {', '.join(SECTIONS)})")
    version = raw.get("version", SPEC_VERSION)
    if version != SPEC_VERSION:
        errors.add("version", f"{_fmt(version)} is not supported (allowed: {SPEC_VERSION})")
    raw = _drop_fixed_classes(raw)
    data = _section(raw, "data", DATA_FIELDS, errors)
    model = _section(raw, "model", MODEL_FIELDS, errors)
    training = _section(raw, "training", TRAINING_FIELDS, errors)
    view = _section(raw, "view", VIEW_FIELDS, errors)
    info = DATASETS.get(data["dataset"])
    raw_data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
    raw_model = raw.get("model") if isinstance(raw.get("model"), dict) else {}
    raw_view = raw.get("view") if isinstance(raw.get("view"), dict) else {}
    features = _features(raw_data.get("features"), info, errors)
    layers = _layers(raw_model.get("layers"), info, model["task"], errors)
    hidden = _hidden(raw_view.get("hidden"), errors)
    if errors:                    # the checks below need well-typed values
        raise SpecError(list(errors))
    _resolve_defaults(data, model, training, info)
    _cross_checks(data, model, training, info, errors)
    if errors:
        raise SpecError(list(errors))
    spec = Spec(
        data=DataSpec(**data, features=features),
        model=ModelSpec(layers=layers, **model),
        training=TrainingSpec(**training),
        view=ViewSpec(**view, hidden=hidden),
    )
    _check_shapes(spec)
    return spec


def _check_shapes(spec: Spec) -> None:
    """Refuse impossible layers (a kernel larger than its input, ...) before training."""
    from engine.layers import LayerError        # layers imports model, which imports spec
    from engine.model import plan_layers
    try:
        plans = plan_layers(spec)
    except LayerError as exc:
        path = "model.layers" if exc.index is None or exc.index >= len(spec.model.layers) \
            else f"model.layers[{exc.index}]"
        path = f"{path}.{exc.field}" if exc.field else path
        raise SpecError([{"path": path, "message": f"{path}: {exc.message}"}]) from None
    _check_step_cost(spec, plans)


def activations_per_example(plans) -> int:
    return sum(math.prod(p.out_shape) for p in plans)


def _check_step_cost(spec: Spec, plans) -> None:
    """One training step must fit in memory and finish in seconds, whatever a client asks."""
    bs, path = spec.training.batch_size, "training.batch_size"
    memory = bs * activations_per_example(plans) * STEP_BYTES_PER_ACTIVATION
    flops = bs * sum(p.flops for p in plans)
    if memory > MAX_STEP_BYTES:
        raise SpecError([{"path": path, "message": f"{path}: {bs} examples of this network need "
                          f"{memory / 2**20:,.0f} MB per step, above the limit "
                          f"{MAX_STEP_BYTES / 2**20:,.0f} MB: lower the batch size or the layers"}])
    if flops > MAX_STEP_FLOPS:
        raise SpecError([{"path": path, "message": f"{path}: {bs} examples of this network cost "
                          f"{flops / 1e9:,.1f} G multiply-adds per step, above the limit "
                          f"{MAX_STEP_FLOPS / 1e9:,.0f} G: lower the batch size or the layers"}])


def default_spec() -> Spec:
    return parse_spec({})


def _field_schema(f: Field) -> dict:
    out = {"type": {"int": "integer"}.get(f.kind, f.kind), "label": f.label, "live": f.live}
    for key in ("min", "max", "step", "help"):
        if getattr(f, key) not in (None, ""):
            out[key] = getattr(f, key)
    if f.families:
        out["families"] = list(f.families)
    if f.choices:
        out["choices"] = list(f.choices)
    if f.labels:
        out["labels"] = dict(f.labels)
    return out


def schema() -> dict:
    """Every control's type, label, bounds, choices and default, for the browser."""
    fields = {f"{sect}.{key}": _field_schema(f)
              for sect, table in SECTIONS.items() for key, f in table.items()}
    fields.update({f"model.layers[].{key}": _field_schema(f) for key, f in LAYER_FIELDS.items()})
    return {
        "version": SPEC_VERSION,
        "defaults": default_spec().to_dict(),
        "fields": fields,
        "datasets": [{"name": d.name, "label": d.label, "problem": d.problem,
                      "family": d.family, "shape": list(d.shape),
                      "class_names": list(d.class_names), "sequence": d.sequence,
                      "vocab": list(d.vocab),
                      "max_classes": d.max_classes,
                      "dims": d.dims, "default_samples": d.default_samples,
                      "description": d.description}
                     for d in DATASETS.values()],
        "features": [{"name": f.name, "label": f.label, "dims": list(f.dims)}
                     for f in FEATURES.values()],
        "activations": [{"name": k, "label": v} for k, v in ACTIVATIONS.items()],
        "layer_kinds": [{"kind": k, "label": label, "fields": list(names),
                         "defaults": {n: d.get(n, LAYER_FIELDS[n].default) for n in names},
                         "families": [f for f, kinds in FAMILY_LAYER_KINDS.items() if k in kinds],
                         "tasks": ["predict"] + (["autoencoder"] if k in AUTOENCODER_LAYER_KINDS
                                                 else [])}
                        for k, (label, names, d) in LAYER_KINDS.items()],
        "default_layers": {k: [_layer(item, "", _Errors()).to_dict() for item in v]
                           for k, v in DEFAULT_LAYERS.items()},
        "limits": {"max_layers": MAX_LAYERS, "max_point_layers": MAX_POINT_LAYERS,
                   "max_units": MAX_UNITS, "max_point_units": MAX_POINT_UNITS},
    }
