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

MAX_LAYERS = 8
MAX_UNITS = 16
MAX_SEED = 2**31 - 1

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
LAYER_KINDS = ("dense",)

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


DATA_FIELDS = {
    "dataset": Field("enum", "circle", "Dataset", choices=tuple(DATASETS),
                     labels={k: d.label for k, d in DATASETS.items()}),
    "classes": Field("int", 2, "Classes", 2, 8, help="classification only"),
    "samples": Field("int", None, "Samples", 20, 5000, step=10,
                     help="default 500 for classification, 1200 for regression"),
    "noise": Field("int", 0, "Noise", 0, 50, step=5),
    "train_ratio": Field("int", 50, "Ratio of training to test data", 10, 90, step=10),
    "validation_ratio": Field("int", 0, "Validation split (% of training data)", 0, 50, step=5),
    "seed": Field("int", 1, "Data seed", 0, MAX_SEED),
}
MODEL_FIELDS = {
    "init": Field("enum", "tf", "Initialisation", choices=tuple(INITS), labels=INITS),
}
TRAINING_FIELDS = {
    "loss": Field("enum", "mse", "Loss", choices=tuple(LOSSES), labels=LOSSES),
    "optimizer": Field("enum", "sgd", "Optimiser", choices=tuple(OPTIMIZERS), labels=OPTIMIZERS),
    "learning_rate": Field("number", 0.03, "Learning rate", 1e-5, 10, choices=LEARNING_RATES,
                           live=True),
    "momentum": Field("number", 0.9, "Momentum", 0, 0.999, step=0.01, live=True),
    "batch_size": Field("int", 10, "Batch size", 1, 1000, live=True),
    "regularization": Field("enum", "none", "Regularisation", choices=tuple(REGULARIZATIONS),
                            labels=REGULARIZATIONS, live=True),
    "regularization_rate": Field("number", 0, "Regularisation rate", 0, 10,
                                 choices=REGULARIZATION_RATES, live=True),
    "early_stopping": Field("int", 0, "Early stopping patience (epochs, 0 = off)", 0, 1000),
    "seed": Field("int", 1, "Initialisation seed", 0, MAX_SEED),
}
VIEW_FIELDS = {
    "show_test_data": Field("bool", False, "Show test data", live=True),
    "discretize": Field("bool", False, "Discretize output", live=True),
    "hide_text": Field("bool", False, "Hide text", live=True),
}
LAYER_FIELDS = {
    "units": Field("int", 4, "Neurons", 1, MAX_UNITS),
    "activation": Field("enum", "tanh", "Activation", choices=tuple(ACTIVATIONS),
                        labels=ACTIVATIONS),
}
SECTIONS = {"data": DATA_FIELDS, "model": MODEL_FIELDS, "training": TRAINING_FIELDS,
            "view": VIEW_FIELDS}
LIST_KEYS = {"data": ("features",), "model": ("layers",), "view": ("hidden",)}
DEFAULT_FEATURES = ("x1", "x2")
DEFAULT_LAYERS = ((4, "tanh"), (2, "tanh"))


@dataclass(frozen=True)
class Layer:
    kind: str
    units: int
    activation: str


@dataclass(frozen=True)
class DataSpec:
    dataset: str
    classes: int
    samples: int
    noise: int
    train_ratio: int
    validation_ratio: int
    seed: int
    features: tuple[str, ...]

    @property
    def problem(self) -> str:
        return DATASETS[self.dataset].problem

    @property
    def n_classes(self) -> int:
        """Classes the model predicts: 0 for regression."""
        return self.classes if self.problem == "classification" else 0


@dataclass(frozen=True)
class ModelSpec:
    layers: tuple[Layer, ...]
    init: str


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
    seed: int


@dataclass(frozen=True)
class ViewSpec:
    show_test_data: bool
    discretize: bool
    hide_text: bool
    hidden: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Spec:
    data: DataSpec
    model: ModelSpec
    training: TrainingSpec
    view: ViewSpec
    version: int = SPEC_VERSION

    def to_dict(self) -> dict:
        """The normalised JSON form (lists, not tuples)."""
        return _jsonable(asdict(self))

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
    if not math.isfinite(value):
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


def _features(raw, dims: int, errors: _Errors) -> tuple[str, ...]:
    path = "data.features"
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


def _layers(raw, errors: _Errors) -> tuple[Layer, ...]:
    path = "model.layers"
    if raw is None:
        return tuple(Layer("dense", u, a) for u, a in DEFAULT_LAYERS)
    if not isinstance(raw, (list, tuple)):
        errors.add(path, "must be a list of layers")
        return ()
    if len(raw) > MAX_LAYERS:
        errors.add(path, f"{len(raw)} hidden layers is above the maximum {MAX_LAYERS}")
        return ()
    layers = []
    for i, item in enumerate(raw):
        lp = f"{path}[{i}]"
        if not isinstance(item, dict):
            errors.add(lp, "must be an object")
            continue
        kind = item.get("kind", "dense")
        if kind not in LAYER_KINDS:
            errors.add(f"{lp}.kind", f"{_fmt(kind)} is not one of {', '.join(LAYER_KINDS)}")
            continue
        for key in item:
            if key not in LAYER_FIELDS and key != "kind":
                errors.add(f"{lp}.{key}", f"unknown field (allowed: kind, {', '.join(LAYER_FIELDS)})")
        vals = {k: (_check_field(f"{lp}.{k}", f, item[k], errors) if k in item else f.default)
                for k, f in LAYER_FIELDS.items()}
        layers.append(Layer(kind, vals["units"], vals["activation"]))
    return tuple(layers)


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


def _cross_checks(data: dict, training: dict, errors: _Errors) -> None:
    info = DATASETS.get(data["dataset"])
    if info is None:
        return
    if info.problem == "classification":
        if data["classes"] is not None and data["classes"] > info.max_classes:
            errors.add("data.classes", f"{data['classes']} is above the maximum "
                                       f"{info.max_classes} for {info.name}")
        if training["loss"] == "mse" and (data["classes"] or 2) > 2:
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
    data = _section(raw, "data", DATA_FIELDS, errors)
    model = _section(raw, "model", MODEL_FIELDS, errors)
    training = _section(raw, "training", TRAINING_FIELDS, errors)
    view = _section(raw, "view", VIEW_FIELDS, errors)
    info = DATASETS.get(data["dataset"])
    raw_data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
    raw_model = raw.get("model") if isinstance(raw.get("model"), dict) else {}
    raw_view = raw.get("view") if isinstance(raw.get("view"), dict) else {}
    features = _features(raw_data.get("features"), info.dims if info else 2, errors)
    layers = _layers(raw_model.get("layers"), errors)
    hidden = _hidden(raw_view.get("hidden"), errors)
    _cross_checks(data, training, errors)
    if errors:
        raise SpecError(list(errors))
    if data["samples"] is None:
        data["samples"] = info.default_samples
    if info.problem == "regression":
        data["classes"] = DATA_FIELDS["classes"].default
    return Spec(
        data=DataSpec(**data, features=features),
        model=ModelSpec(layers=layers, **model),
        training=TrainingSpec(**training),
        view=ViewSpec(**view, hidden=hidden),
    )


def default_spec() -> Spec:
    return parse_spec({})


def _field_schema(f: Field) -> dict:
    out = {"type": {"int": "integer"}.get(f.kind, f.kind), "label": f.label, "live": f.live}
    for key in ("min", "max", "step", "help"):
        if getattr(f, key) not in (None, ""):
            out[key] = getattr(f, key)
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
                      "max_classes": d.max_classes, "dims": d.dims,
                      "default_samples": d.default_samples, "description": d.description}
                     for d in DATASETS.values()],
        "features": [{"name": f.name, "label": f.label, "dims": list(f.dims)}
                     for f in FEATURES.values()],
        "activations": [{"name": k, "label": v} for k, v in ACTIVATIONS.items()],
        "limits": {"max_layers": MAX_LAYERS, "max_units": MAX_UNITS},
    }
