"""The only spec parser: `parse_spec(raw)` validates a raw (JSON) spec once, at the edge.

It fills the defaults that depend on the dataset and task, checks every field against its
`Field`, cross-checks sections, plans the layers and bounds the session's cost, and
returns a frozen `Spec` or raises `SpecError` with every problem found, each naming its field
path and the allowed range (`training.batch_size: 0 is below the minimum 1`).
"""
from __future__ import annotations

import math
from typing import Any

from engine.data.features import FEATURES
from engine.data.heldout import FILES, SPANS, span_too_short, text_spans
from engine.data.registry import DATASETS
from engine.data.sequences import CORPUS
from engine.data.usertext import vocabulary
from engine.spec import budget
from engine.spec.fields import (DATA_FIELDS, DEEP_TRAINING, DEFAULT_FEATURES, DEFAULT_LAYERS,
                                FAMILY_DATA, HIDEABLE, LAYER_FIELDS, LIST_KEYS, MAX_LAYERS,
                                MAX_POINT_LAYERS, MAX_POINT_SAMPLES, MAX_POINT_UNITS,
                                MODEL_FIELDS, POINT_TRAINING, SECTIONS, SPEC_VERSION,
                                TRAINING_FIELDS, VIEW_FIELDS, Field)
from engine.spec.handpoints import check_points
from engine.spec.network import plan_layers
from engine.spec.plan import KINDS, LayerError, kinds_for
from engine.spec.text import clip, listed, shown
from engine.spec.usertext import check_text
from engine.spec.uploads import check_upload
from engine.spec.types import DataSpec, Layer, ModelSpec, Spec, SpecError, TrainingSpec, ViewSpec

MAX_ERRORS = 20             # a spec of 10,000 unknown keys is told about the first ones


# Training-time augmentations beyond `augment`, each refused outside its families.
AUGMENTATIONS = ("flip", "rotate", "scale", "input_noise")


class _Errors(list):
    def add(self, path: str, message: str) -> None:
        if len(self) < MAX_ERRORS:
            self.append({"path": path, "message": f"{path}: {message}"})


def _fmt(x) -> str:
    """A value in a message: a client's value shown safely (engine.spec.text), a bound as is."""
    return shown(x)


def _key(key) -> str:
    """A client's key as it appears in a path (cut short: a path is not an echo chamber)."""
    return clip(key) if isinstance(key, str) and key else shown(key)   # the key '' is named ''


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
            errors.add(f"{name}.{_key(key)}", f"unknown field (allowed: "
                                              f"{', '.join(sorted(allowed))})")
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
        errors.add(path, f"unknown feature {listed(unknown)} (allowed: {', '.join(FEATURES)})")
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
    if not isinstance(kind, str) or kind not in KINDS:
        errors.add(f"{lp}.kind", f"{_fmt(kind)} is not one of {', '.join(KINDS)}")
        return None
    names, defaults = KINDS[kind].fields, KINDS[kind].defaults
    for key in item:
        if key not in names and key != "kind":
            errors.add(f"{lp}.{_key(key)}", f"unknown field for {kind} (allowed: kind"
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
        kind = KINDS[layer.kind]
        if family not in kind.families:
            needs = " or ".join(FAMILY_DATA[f] for f in kind.families)
            errors.add(f"{lp}.kind", f"{layer.kind} needs {needs} data; {name} takes "
                                     f"{', '.join(kinds_for(family))} layers")
        if task == "autoencoder" and not kind.encoder:
            errors.add(f"{lp}.kind", f"an autoencoder's encoder takes dense and dropout "
                                     f"layers, not {layer.kind}")
        if family == "points" and layer.kind == "dense" and layer.units is not None \
                and layer.units > MAX_POINT_UNITS:
            errors.add(f"{lp}.units", f"{layer.units} is above the maximum {MAX_POINT_UNITS} "
                                      f"for 2-D datasets")
    return tuple(layer for layer in layers if layer is not None)


def _hidden(raw, errors: _Errors) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, (list, tuple)) or not all(isinstance(x, str) for x in raw):
        errors.add("view.hidden", "must be a list of control names")
        return ()
    unknown = [x for x in raw if x not in HIDEABLE]
    if unknown:
        errors.add("view.hidden", f"unknown control {listed(unknown)} "
                                  f"(allowed: {', '.join(HIDEABLE)})")
    return tuple(name for name in HIDEABLE if name in raw)     # canonical order


def _drop_fixed_classes(raw: dict) -> dict:
    """Image, table and sequence sets fix their classes (a text set's are its characters,
    more than the field's range): a normalised spec's `classes` is informative, not a choice.
    Likewise a set with its own split (MNIST's files) ignores `train_ratio`."""
    data = raw.get("data")
    if not isinstance(data, dict):
        return raw
    info = DATASETS.get(data.get("dataset")) if isinstance(data.get("dataset"), str) else None
    if info is None:
        return raw
    fixed = ({"classes"} if info.family != "points" else set()) | (
        {"train_ratio"} if info.split == FILES else set()) | (
        {"samples"} if info.upload else set())          # an upload uses all its rows
    if not fixed & set(data):
        return raw
    return {**raw, "data": {k: v for k, v in data.items() if k not in fixed}}


def _resolve_defaults(data: dict, model: dict, training: dict, info) -> None:
    """Fill the defaults that depend on the dataset and task."""
    points = info.family == "points"
    if data["samples"] is None:
        data["samples"] = info.default_samples
    if info.problem == "regression":
        data["classes"] = DATA_FIELDS["classes"].default
    elif info.vocab:
        data["classes"] = len(vocabulary(data["text"] or CORPUS))     # its characters
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
    for key in AUGMENTATIONS:
        f = DATA_FIELDS[key]
        if data[key] != f.default and family not in f.families:
            needs = " or ".join(FAMILY_DATA[x] for x in f.families)
            errors.add(f"data.{key}", f"needs {needs} data; {info.name} is {FAMILY_DATA[family]}")
    if training["label_smoothing"] and training["loss"] != "cross_entropy":
        errors.add("training.label_smoothing", "needs the cross_entropy loss (set it to 0 for "
                                               "mse)")
    if info.split == SPANS:
        spans = text_spans(len(data["text"] or CORPUS), data["train_ratio"],
                           data["validation_ratio"])
        short = span_too_short(spans, data["seq_length"] + 1)
        if short is not None:
            errors.add("data.seq_length", f"{data['seq_length']} needs windows of "
                                          f"{data['seq_length'] + 1} characters, but a part of "
                                          f"the split text holds only {short[1] - short[0]}: "
                                          f"shorten the sequences or change the split")
    if model["task"] == "autoencoder":
        if family in ("points", "sequences"):
            errors.add("model.task", "an autoencoder needs image or tabular data")
        if data["augment"] != "none":
            errors.add("data.augment", "an autoencoder reconstructs its input: use none")
        for key in ("flip", "rotate", "scale"):
            if data[key]:
                errors.add(f"data.{key}", "an autoencoder reconstructs its input: turn it off "
                                          "(input noise makes it a denoising autoencoder)")
        if training["loss"] != "mse":
            errors.add("training.loss", "an autoencoder's loss is mse (reconstruction)")
    elif info.problem == "classification":
        if data["classes"] > info.max_classes and not info.vocab:     # a text's: its own
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


def parse_spec(raw: Any, uploads=None) -> Spec:
    """Validate a raw (JSON) spec and return the normalised Spec, or raise SpecError.
    `uploads(id)` finds a person's upload for data.upload (engine.spec.uploads); without it a
    spec that names one is refused."""
    errors = _Errors()
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise SpecError([{"path": "", "message": "spec must be a JSON object"}])
    for key in raw:
        if key not in SECTIONS and key != "version":
            errors.add(_key(key), f"unknown section (allowed: version, {', '.join(SECTIONS)})")
    version = raw.get("version", SPEC_VERSION)
    if type(version) is not int or version != SPEC_VERSION:    # true == 1 and 1.0 == 1: not a version
        text = repr(version) if isinstance(version, float) else _fmt(version)   # 1.0, not 1
        errors.add("version", f"{text} is not supported (allowed: the integer {SPEC_VERSION})")
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
    points = check_points(raw_data.get("points"), info, data["classes"], errors.add)
    data["text"] = check_text(raw_data.get("text"), info, errors.add)
    upload = check_upload(raw_data.get("upload"), info, uploads, errors.add)
    if errors:                    # the checks below need well-typed values
        raise SpecError(list(errors))
    data_spec_extra = {"features": features, "points": points,
                       "upload": upload.id if upload else "", "upload_info": upload}
    if upload is not None:        # its shape and classes are the upload's
        info = DataSpec(**data, **data_spec_extra).info
    _resolve_defaults(data, model, training, info)
    if model["activation"] is None:
        model["activation"] = next((l.activation for l in layers if l.kind == "dense"),
                                   LAYER_FIELDS["activation"].default)
    _cross_checks(data, model, training, info, errors)
    if errors:
        raise SpecError(list(errors))
    spec = Spec(
        data=DataSpec(**data, **data_spec_extra),
        model=ModelSpec(layers=layers, **model),
        training=TrainingSpec(**training),
        view=ViewSpec(**view, hidden=hidden),
    )
    _check_shapes(spec)
    return spec


def _check_shapes(spec: Spec) -> None:
    """Refuse impossible layers (a kernel larger than its input, ...) and sessions over the
    budget (engine.spec.budget) before anything is built."""
    try:
        plans = plan_layers(spec)
    except LayerError as exc:
        path = "model.layers" if exc.index is None or exc.index >= len(spec.model.layers) \
            else f"model.layers[{exc.index}]"
        path = f"{path}.{exc.field}" if exc.field else path
        raise SpecError([{"path": path, "message": f"{path}: {exc.message}"}]) from None
    budget.check(spec, plans)         # memory and compute, from the spec alone


def default_spec() -> Spec:
    return parse_spec({})


def default_layers(key: str) -> tuple[Layer, ...]:
    """DEFAULT_LAYERS[key] parsed: the starting network of a dataset (or "points", "autoencoder")."""
    errors = _Errors()
    layers = tuple(_layer(item, f"DEFAULT_LAYERS[{key}]", errors) for item in DEFAULT_LAYERS[key])
    assert not errors, errors
    return layers
