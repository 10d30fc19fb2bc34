"""The one codec between an experiment spec and a URL hash (the share-link format).

Its keys are a superset of TensorFlow Playground's, so a TF Playground link opens here with only
the host changed. `hash_to_raw(text)` gives a RAW spec for `parse_spec` (the only validator) to
check; `spec_to_hash(spec)` writes a normalised spec, TF's keys first, ours only where they
differ from the dataset's defaults. One table, `_ROWS`, drives both directions. The format and
every decision a reader of a TF link should know are in docs/protocol.md ("The URL hash").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Callable
from urllib.parse import quote, unquote

from engine.data.features import FEATURES
from engine.data.registry import DATASETS, POINTS, REGRESSION
from engine.data.usertext import MAX_URL_TEXT
from engine.spec.fields import FEATURE_KEYS, HIDEABLE, HIDE_SUFFIX, LAYER_FIELDS
from engine.spec.parse import parse_spec
from engine.spec.plan import KINDS
from engine.spec.types import SpecError


__all__ = ["hash_to_raw", "spec_to_hash", "TF_KEYS", "NEW_KEYS", "KEY_PATHS"]

# --- TF Playground's vocabulary -----------------------------------------------------------

# The spec lists features in the registry's canonical order, whatever order the hash uses.
_FEATURE_ORDER = tuple(FEATURES)


# TF names its regression datasets apart from the classification ones; ours are plain names.
_REG_FROM_TF = {"reg-plane": "plane", "reg-gauss": "multi-gauss"}
_REG_TO_TF = {ours: tf for tf, ours in _REG_FROM_TF.items()}

# TF's defaults for the keys that feed a list or a shared field (see the module docstring).
_TF_SHAPE = (4, 2)
_TF_ACTIVATION = "tanh"
_TF_FEATURES = ("x1", "x2")
_TF_DATASET = "circle"
_TF_REG_DATASET = "reg-plane"
_TF_LAYER_KEYS = ("networkShape", "activation", "activations")

# Our `layers` key: layers joined by ",", a layer's kind and its fields (LAYER_KINDS order) by ":".
_LAYER_SEP = ","
_LAYER_FIELD_SEP = ":"

# Our `points` key (hand-placed sets): points joined by ";", a point's x1, x2, label by ",".
_POINT_SEP = ";"
_POINT_FIELD_SEP = ","

# TF's seeds are 5-decimal fractions; this scale makes them integers without collisions.
_TF_SEED_SCALE = 100_000
_SEED_RANGE = 2**31


# --- text <-> value --------------------------------------------------------------------------

_INT_RE = re.compile(r"[+-]?\d+")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_MAX_INT_CHARS = 40      # far above any field's range, far below int()'s 4,300-digit limit


def _to_float(text: str) -> float | str:
    # float() alone would also accept "nan", "inf" and "1_0", which no spec range check catches.
    if _NUMBER_RE.fullmatch(text):
        value = float(text)
        if math.isfinite(value):
            return value
    return text


def _whole(text: str) -> int | str:
    """An integer literal as an int; one too long to be any field's value stays text, so the
    parser's error names the field (int() of over 4,300 digits raises)."""
    return int(text) if len(text) <= _MAX_INT_CHARS else text


def _to_int(text: str) -> int | float | str:
    if _INT_RE.fullmatch(text):
        return _whole(text)
    value = _to_float(text)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # "10.0" is a well-formed 10
    return value  # 1.5 or "abc": the parser says what is wrong with it


def _to_bool(text: str) -> bool | str:
    return {"true": True, "false": False}.get(text, text)


def _to_text(text: str) -> str:
    return text


def _to_seed(text: str) -> int | str:
    if _INT_RE.fullmatch(text):
        return _whole(text)  # ours; out of range is the parser's to reject
    value = _to_float(text)
    if isinstance(value, float) and math.isfinite(value * _TF_SEED_SCALE):
        return round(value * _TF_SEED_SCALE) % _SEED_RANGE
    return text          # not a number, or too large to scale (1e308): the parser says so


def _fmt(value: Any) -> str:
    """Compact text for a value: true/false, 3 (not 3.0), 0.03 and 0.00001 (as TF writes them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        # repr is the shortest text that round-trips; Decimal spells it without an exponent.
        return format(Decimal(repr(value)), "f")
    return str(value)


def _surface(key: str, text: str) -> str:
    """A malformed value for a field that several keys share: keep the key in the message."""
    return f"{key}={text}"


# --- spec paths ------------------------------------------------------------------------------

def _get(spec: dict, path: str) -> Any:
    for part in path.split("."):
        spec = spec[part]
    return spec


def _put(raw: dict, path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        raw = raw.setdefault(part, {})
    raw[leaf] = value


def _given(params: dict[str, str], key: str) -> str | None:
    """The key's text, or None when absent or blank (TF's hasKey)."""
    text = params.get(key)
    return text if text is not None and text.strip() else None


def _family(name: Any) -> str | None:
    """The dataset's family (points, images, tabular), None for a name we do not know."""
    info = DATASETS.get(name) if isinstance(name, str) else None
    return None if info is None else info.family


def _is_points(spec: dict) -> bool:
    return _family(spec["data"]["dataset"]) in (POINTS, None)


def _is_regression(spec: dict) -> bool:
    info = DATASETS.get(spec["data"]["dataset"])  # the dataset decides the problem type
    return info is not None and info.problem == REGRESSION


# The fields the dataset-dependent defaults depend on: the dataset picks samples, classes, init
# and the default net; the task the net and the loss; a 2-D set's classes the loss (mse for 2,
# cross_entropy for more). Other sets fix their classes, so theirs is not part of the context.
_CONTEXT = ("data.dataset", "model.task")
_POINT_CONTEXT = _CONTEXT + ("data.classes",)
_NO_DEFAULT = object()  # the context does not parse alone: the key is always written


@cache
def _parsed_defaults(context: tuple[tuple[str, Any], ...]) -> dict | None:
    raw: dict = {}
    for path, value in context:
        _put(raw, path, value)
    try:
        return parse_spec(raw).to_dict()
    except SpecError:
        return None


def _spec_default(spec: dict, path: str) -> Any:
    """What parse_spec fills in for `path` when a spec like this one leaves it out.

    Found by parsing the spec's context (dataset, task, classes) without that field, so the
    codec never restates a default and a key it omits decodes to exactly this value.
    """
    paths = _POINT_CONTEXT if _is_points(spec) else _CONTEXT
    context = tuple((p, _get(spec, p)) for p in paths if p != path)
    defaults = _parsed_defaults(context)
    return _NO_DEFAULT if defaults is None else _get(defaults, path)


# --- rows ------------------------------------------------------------------------------------

Encode = Callable[[dict], "str | None"]         # normalised spec -> text, None to omit the key
Decode = Callable[[dict, dict], None]           # (hash params, raw spec being built) -> None


@dataclass(frozen=True)
class _Row:
    key: str
    path: str  # the spec field this key carries ("" for keys accepted and ignored)
    encode: Encode
    decode: Decode


_ALWAYS = object()        # default= sentinels: the key is always written,
_SPEC_DEFAULT = object()  # or omitted when the field has the parser's default


def _leaf(key: str, path: str, parse: Callable[[str], Any], default: Any = _ALWAYS) -> _Row:
    """A key that is one spec field, omitted when the field equals `default`."""
    def encode(spec: dict) -> str | None:
        section, _, leaf = path.partition(".")
        if leaf not in spec.get(section, {}):      # a spec from before the field: its default
            return None
        value = _get(spec, path)
        if default is _SPEC_DEFAULT:
            if value == _spec_default(spec, path):
                return None
        elif default is not _ALWAYS and value == default:
            return None
        return _fmt(value)

    def decode(params: dict, raw: dict) -> None:
        text = _given(params, key)
        if text is not None:
            _put(raw, path, parse(text))

    return _Row(key, path, encode, decode)


_CLASSES = _leaf("classes", "data.classes", _to_int, default=_SPEC_DEFAULT)


def _get_or(raw: dict, path: str, fallback: Any) -> Any:
    try:
        return _get(raw, path)
    except KeyError:
        return fallback


def _toggle(raw: dict, path: str, item: str, key: str, text: str,
            order: tuple[str, ...], start: tuple[str, ...] = ()) -> None:
    """Add or remove one member of a spec list from a boolean key, keeping canonical order."""
    members = _get_or(raw, path, list(start))
    flag = _to_bool(text)
    if flag is True and item not in members:
        members.append(item)
    elif flag is False and item in members:
        members.remove(item)
    elif not isinstance(flag, bool):
        members.append(_surface(key, text))
    # Stable sort: names outside `order` (malformed ones) stay last, in hash order.
    members.sort(key=lambda m: order.index(m) if m in order else len(order))
    _put(raw, path, members)


def _feature(key: str, name: str) -> _Row:
    def encode(spec: dict) -> str | None:
        if not _is_points(spec):
            return None  # image, tabular and sequence sets have no input checkboxes
        return _fmt(name in spec["data"]["features"])

    def decode(params: dict, raw: dict) -> None:
        text = _given(params, key)
        if text is not None and _family(_hash_dataset(params)) in (POINTS, None):
            _toggle(raw, "data.features", name, key, text, _FEATURE_ORDER, _TF_FEATURES)

    return _Row(key, "data.features", encode, decode)


def _hide(name: str) -> _Row:
    key = name + HIDE_SUFFIX

    def encode(spec: dict) -> str | None:
        return "true" if name in spec["view"]["hidden"] else None  # TF's checklist writes true

    def decode(params: dict, raw: dict) -> None:
        text = _given(params, key)
        if text is not None:
            _toggle(raw, "view.hidden", name, key, text, HIDEABLE)

    return _Row(key, "view.hidden", encode, decode)


def _ignored(key: str, written: str | None = None) -> _Row:
    """A TF key we accept and do not use (TF's stats panel, its tutorial articles)."""
    return _Row(key, "", lambda spec: written, lambda params, raw: None)


# Shared decoders: several keys feed one spec field, so each of these reads all of its keys
# and runs once per decode however many of them the hash has.

_LAYER_PARSE: dict[str, Callable[[str], Any]] = {  # a LAYER_FIELDS kind -> its text reader
    "int": _to_int, "number": _to_float, "enum": _to_text, "bool": _to_bool,
}


def _layer_from_text(token: str) -> dict:
    """One layer of `layers=`: "kind:field:...", a field left empty or off takes the kind's
    default. A value that is not well-formed stays text for the parser to name."""
    kind, *values = [part.strip() for part in token.split(_LAYER_FIELD_SEP)]
    layer: dict[str, Any] = {"kind": kind}
    if kind not in KINDS:
        return layer  # the parser names model.layers[i].kind and the kinds it knows
    names = KINDS[kind].fields
    for name, text in zip(names, values):
        if text:
            layer[name] = _LAYER_PARSE[LAYER_FIELDS[name].kind](text)
    if len(values) > len(names):
        # More fields than the kind has: an unknown field named after the text, so the
        # parser's message shows it beside the fields this kind allows.
        layer[_surface("layers", token.strip())] = _LAYER_FIELD_SEP.join(values[len(names):])
    return layer


def _encode_points(spec: dict) -> str | None:
    points = spec["data"].get("points")
    if not points or points == _spec_default(spec, "data.points"):
        return None                 # not a hand set, or its starter points
    return _POINT_SEP.join(_POINT_FIELD_SEP.join(_fmt(v) for v in p) for p in points)


def _decode_points(params: dict, raw: dict) -> None:
    text = _given(params, "points")
    if text is not None:            # a malformed number stays text: the parser names the point
        _put(raw, "data.points", [[_to_float(v.strip()) for v in p.split(_POINT_FIELD_SEP)]
                                  for p in text.split(_POINT_SEP)])


def _encode_text(spec: dict) -> str | None:
    """A text set's own text, percent-encoded, when it is short enough for a link (a longer one
    travels only in saved experiments; the page says so)."""
    text = spec["data"].get("text")
    return quote(text, safe="") if text and len(text) <= MAX_URL_TEXT else None


def _decode_layers(params: dict, raw: dict) -> None:
    _decode_net(params, raw)
    # The menu's activation is what new layers take, even with no layer yet; the parser
    # defaults it to the first layer's, so it is set only where that would differ.
    menu = _given(params, "activation")
    layers = _get_or(raw, "model.layers", None)
    if menu is not None and (not layers or layers[0].get("activation") != menu):
        _put(raw, "model.activation", menu)


def _decode_net(params: dict, raw: dict) -> None:
    text = _given(params, "layers")  # ours, and the whole net: it wins over TF's keys
    if text is not None:
        _put(raw, "model.layers", [_layer_from_text(t) for t in text.split(_LAYER_SEP)])
        return
    if not any(key in params for key in _TF_LAYER_KEYS):
        return  # a blank `layers=` alone: the dataset's default net
    shape = params.get("networkShape")  # "networkShape=" is meaningful: no hidden layers
    if shape is None:
        units: list = list(_TF_SHAPE)
    else:
        units = [_to_int(u.strip()) for u in shape.split(",")] if shape.strip() else []
    activation = _given(params, "activation") or _TF_ACTIVATION
    acts = [activation] * len(units)
    per_layer = _given(params, "activations")
    if per_layer is not None:
        names = [a.strip() for a in per_layer.split(",")]
        if len(names) != len(units):
            names = [_surface("activations", per_layer)] * len(units)
        acts = names
    _put(raw, "model.layers",
         [{"kind": "dense", "units": u, "activation": a} for u, a in zip(units, acts)])


def _hash_dataset(params: dict) -> str | None:
    """The dataset a hash names, None when it names none (the spec's default)."""
    # TF keeps both datasets in the link; `problem` says which one is live.
    if _given(params, "problem") == "regression":
        name = _given(params, "regDataset") or _TF_REG_DATASET
        return _REG_FROM_TF.get(name, name)
    return _given(params, "dataset")


def _decode_dataset(params: dict, raw: dict) -> None:
    if (name := _hash_dataset(params)) is not None:
        _put(raw, "data.dataset", name)


def _decode_seeds(params: dict, raw: dict) -> None:
    data_seed = None
    if (text := _given(params, "seed")) is not None:
        data_seed = _to_seed(text)
        _put(raw, "data.seed", data_seed)
    if (text := _given(params, "trainSeed")) is not None:
        _put(raw, "training.seed", _to_int(text))
    elif isinstance(data_seed, int):
        _put(raw, "training.seed", data_seed)  # a TF link is fully determined by its seed


def _decode_init(params: dict, raw: dict) -> None:
    init = _given(params, "init")  # ours, more specific than TF's boolean: it wins
    if init is None:
        text = _given(params, "initZero")
        flag = None if text is None else _to_bool(text)
        if flag is None or flag is False:
            return  # TF's init is the spec default
        init = "zero" if flag is True else _surface("initZero", text)
    _put(raw, "model.init", init)


def _dense(spec: dict) -> list[dict]:
    return [layer for layer in spec["model"]["layers"] if layer["kind"] == "dense"]


def _layer_activations(spec: dict) -> list[str]:
    return [layer["activation"] for layer in _dense(spec)]


def _layers_key(spec: dict) -> str | None:
    """Which key carries the net: networkShape (every layer dense: TF's form), layers, or None
    (an image, tabular or sequence set's default net). A 2-D spec always writes TF's keys (see the
    module docstring), so TF opens it with its dense layers even beside `layers`."""
    layers = spec["model"]["layers"]
    if not _is_points(spec) and layers == _spec_default(spec, "model.layers"):
        return None
    return "networkShape" if all(layer["kind"] == "dense" for layer in layers) else "layers"


def _menu_activation(spec: dict) -> str:
    """The Activation menu's choice: what new layers take (a spec normalised before the field
    existed: the first layer's)."""
    return spec["model"].get("activation") or (_layer_activations(spec) or [_TF_ACTIVATION])[0]


def _encode_activation(spec: dict) -> str | None:
    # TF has one activation for all layers, and keeps it with none: the menu's.
    if _is_points(spec) or _layers_key(spec) == "networkShape":
        return _menu_activation(spec)
    return None


def _encode_shape(spec: dict) -> str | None:
    if _is_points(spec) or _layers_key(spec) == "networkShape":
        return ",".join(str(layer["units"]) for layer in _dense(spec))
    return None


def _encode_activations(spec: dict) -> str | None:
    acts = _layer_activations(spec)
    if _layers_key(spec) == "networkShape" and any(a != _menu_activation(spec) for a in acts):
        return ",".join(acts)
    return None


def _layer_text(layer: dict) -> str:
    names = KINDS[layer["kind"]].fields
    return _LAYER_FIELD_SEP.join([layer["kind"], *(_fmt(layer[name]) for name in names)])


def _encode_layers(spec: dict) -> str | None:
    if _layers_key(spec) != "layers":
        return None
    return _LAYER_SEP.join(_layer_text(layer) for layer in spec["model"]["layers"])


def _encode_init_zero(spec: dict) -> str | None:
    return _fmt(spec["model"]["init"] == "zero") if _is_points(spec) else None


def _encode_init(spec: dict) -> str | None:
    init = spec["model"]["init"]
    if _is_points(spec) and init in ("tf", "zero"):
        return None  # TF's initZero carries it
    return None if init == _spec_default(spec, "model.init") else init


_TF_ROWS: tuple[_Row, ...] = (
    _Row("activation", "model.layers", _encode_activation, _decode_layers),
    _leaf("regularization", "training.regularization", _to_text, default="none"),  # TF's rule
    _leaf("batchSize", "training.batch_size", _to_int),
    _Row("dataset", "data.dataset",
         lambda s: _TF_DATASET if _is_regression(s) else s["data"]["dataset"], _decode_dataset),
    _Row("regDataset", "data.dataset",
         lambda s: (_REG_TO_TF.get(s["data"]["dataset"], s["data"]["dataset"])
                    if _is_regression(s) else _TF_REG_DATASET), _decode_dataset),
    _leaf("learningRate", "training.learning_rate", _to_float),
    _leaf("regularizationRate", "training.regularization_rate", _to_float),
    _leaf("noise", "data.noise", _to_int),
    _Row("networkShape", "model.layers", _encode_shape, _decode_layers),
    _Row("seed", "data.seed", lambda s: _fmt(s["data"]["seed"]), _decode_seeds),
    _leaf("showTestData", "view.show_test_data", _to_bool),
    _leaf("discretize", "view.discretize", _to_bool),
    _leaf("percTrainData", "data.train_ratio", _to_int),
    *(_feature(key, name) for key, name in FEATURE_KEYS),
    _ignored("collectStats", written="false"),
    _ignored("tutorial"),
    _Row("problem", "data.dataset",
         lambda s: "regression" if _is_regression(s) else "classification", _decode_dataset),
    _Row("initZero", "model.init", _encode_init_zero, _decode_init),
    _leaf("hideText", "view.hide_text", _to_bool),
)

_HIDE_ROWS: tuple[_Row, ...] = tuple(_hide(name) for name in HIDEABLE)

_NEW_ROWS: tuple[_Row, ...] = (
    # Our defaults are TF's behaviour (squared error, plain SGD, TF's sample counts), so a
    # link without these keys means the same here as in TF. "Default" is what parse_spec
    # fills in for this spec's dataset and task (see _spec_default).
    _leaf("optimizer", "training.optimizer", _to_text, default=_SPEC_DEFAULT),
    _leaf("loss", "training.loss", _to_text, default=_SPEC_DEFAULT),
    _leaf("momentum", "training.momentum", _to_float, default=_SPEC_DEFAULT),
    _Row("classes", "data.classes",    # other families fix theirs (a text set's: its characters)
         lambda s: _CLASSES.encode(s) if _is_points(s) else None, _CLASSES.decode),
    _leaf("samples", "data.samples", _to_int, default=_SPEC_DEFAULT),
    _leaf("validation", "data.validation_ratio", _to_int, default=_SPEC_DEFAULT),
    _leaf("earlyStopping", "training.early_stopping", _to_int, default=_SPEC_DEFAULT),
    _leaf("clip", "training.clip", _to_float, default=_SPEC_DEFAULT),
    # On 2-D sets tf and zero travel in TF's initZero; only the initialisers TF lacks need this.
    _Row("init", "model.init", _encode_init, _decode_init),
    _Row("trainSeed", "training.seed",
         lambda s: None if s["training"]["seed"] == s["data"]["seed"]
         else _fmt(s["training"]["seed"]), _decode_seeds),
    _Row("activations", "model.layers", _encode_activations, _decode_layers),
    _leaf("augment", "data.augment", _to_text, default=_SPEC_DEFAULT),
    _leaf("flip", "data.flip", _to_bool, default=_SPEC_DEFAULT),
    _leaf("rotate", "data.rotate", _to_int, default=_SPEC_DEFAULT),
    _leaf("scale", "data.scale", _to_int, default=_SPEC_DEFAULT),
    _leaf("inputNoise", "data.input_noise", _to_float, default=_SPEC_DEFAULT),
    _leaf("schedule", "training.schedule", _to_text, default=_SPEC_DEFAULT),
    _leaf("scheduleEpochs", "training.schedule_epochs", _to_int, default=_SPEC_DEFAULT),
    _leaf("gamma", "training.gamma", _to_float, default=_SPEC_DEFAULT),
    _leaf("warmup", "training.warmup", _to_int, default=_SPEC_DEFAULT),
    _leaf("weightDecay", "training.weight_decay", _to_float, default=_SPEC_DEFAULT),
    _leaf("labelSmoothing", "training.label_smoothing", _to_float, default=_SPEC_DEFAULT),
    _leaf("normalize", "data.normalize", _to_bool, default=_SPEC_DEFAULT),
    _leaf("seqLength", "data.seq_length", _to_int, default=_SPEC_DEFAULT),
    _leaf("task", "model.task", _to_text, default=_SPEC_DEFAULT),
    _leaf("bottleneck", "model.bottleneck", _to_int, default=_SPEC_DEFAULT),
    _Row("layers", "model.layers", _encode_layers, _decode_layers),
    _leaf("speed", "training.speed", _to_int, default=_SPEC_DEFAULT),
    _leaf("sameStart", "training.same_start", _to_bool, default=_SPEC_DEFAULT),
    _Row("presenter", "view.presenter",
         # written only when on; a spec saved before this field existed has no presenter key
         lambda s: "true" if s["view"].get("presenter") else None,
         _leaf("presenter", "view.presenter", _to_bool).decode),
    _Row("points", "data.points", _encode_points, _decode_points),
    _Row("text", "data.text", _encode_text, _leaf("text", "data.text", _to_text).decode),
    # An uploaded set's id (written only when the spec names one).
    _Row("upload", "data.upload", lambda s: s["data"].get("upload") or None,
         _leaf("upload", "data.upload", _to_text).decode),
)

_ROWS: tuple[_Row, ...] = _TF_ROWS + _HIDE_ROWS + _NEW_ROWS
_BY_KEY = {row.key: row for row in _ROWS}

TF_KEYS: tuple[str, ...] = tuple(row.key for row in _TF_ROWS)  # plus <name>_hide, see HIDEABLE
NEW_KEYS: tuple[str, ...] = tuple(row.key for row in _NEW_ROWS)
KEY_PATHS: dict[str, str] = {row.key: row.path for row in _ROWS if row.path}


# --- public API ------------------------------------------------------------------------------

def _params(text: str) -> dict[str, str]:
    """key -> text from a URL, a hash with or without '#', or ''. Later duplicates win."""
    text = text.strip()
    if "#" in text:
        text = text.split("#", 1)[1]
    elif "://" in text:
        text = ""  # a URL without a hash says nothing
    params: dict[str, str] = {}
    for item in text.split("&"):
        key, sep, value = item.partition("=")
        key = unquote(key).strip()
        if sep and key:  # TF reads "key" without "=" as absent
            params[key] = unquote(value)
    return params


def hash_to_raw(text: str, unknown: list[str] | None = None) -> dict:
    """Decode a share link into a raw spec holding only the fields it mentions.

    Keys this codec does not know are ignored, as TF does; pass a list as `unknown` to have
    their names appended to it (in hash order).
    """
    params = _params(text)
    raw: dict = {}
    done: set[Decode] = set()
    for row in _ROWS:
        if row.key in params and row.decode not in done:
            done.add(row.decode)
            row.decode(params, raw)
    if unknown is not None:
        unknown.extend(key for key in params if key not in _BY_KEY)
    return raw


def spec_to_hash(spec: dict) -> str:
    """Encode a normalised spec as a hash (no leading '#'): TF's keys, then ours where needed."""
    pairs = []
    for row in _ROWS:
        text = row.encode(spec)
        if text is not None:
            pairs.append(f"{row.key}={text}")
    return "&".join(pairs)
