"""The parsed spec: frozen dataclasses, one per section, and `SpecError`.

`Spec.to_dict()` is the normalised JSON form (docs/protocol.md shows it whole); `structure()`
says what needs a rebuilt session when it changes (everything but live training knobs and view).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from functools import cached_property

from engine.data.registry import DATASETS, DatasetInfo
from engine.data.sequences import CORPUS
from engine.data.uploaded import UploadInfo
from engine.data.usertext import vocabulary
from engine.spec.fields import SPEC_VERSION

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
    flip: bool
    rotate: int
    scale: int
    input_noise: float
    normalize: bool
    seq_length: int
    features: tuple[str, ...]
    # Hand-placed sets only: (x1, x2, class or value) per point, in the order they were placed.
    points: tuple[tuple[float, float, float], ...] = ()
    # The character model only: a person's own text instead of the built-in rhymes ("": theirs).
    text: str = ""
    # Uploaded sets only: the upload's id (the normalised spec's data.upload) and what the
    # server's store says of it (never written out: the id is what travels).
    upload: str = ""
    upload_info: UploadInfo | None = None

    @property
    def info(self) -> DatasetInfo:
        """The dataset's registry entry; an upload's carries the upload's shape and classes."""
        info = DATASETS[self.dataset]
        if self.upload_info is None:
            return info
        u = self.upload_info
        return replace(info, shape=u.shape, class_names=u.class_names,
                       max_classes=len(u.class_names), default_samples=u.rows)

    @property
    def problem(self) -> str:
        return DATASETS[self.dataset].problem

    @property
    def family(self) -> str:
        return DATASETS[self.dataset].family

    @property
    def corpus(self) -> str:
        """The text a text set trains on: the person's own, else the built-in rhymes."""
        return self.text or CORPUS

    @cached_property
    def vocab(self) -> tuple[str, ...]:
        """A text set's characters in index order (its classes); () for other sets."""
        return vocabulary(self.corpus) if DATASETS[self.dataset].vocab else ()

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
    activation: str          # what new hidden layers take (the page's Activation menu)


@dataclass(frozen=True)
class TrainingSpec:
    loss: str
    optimizer: str
    learning_rate: float
    momentum: float
    batch_size: int
    regularization: str
    regularization_rate: float
    schedule: str
    schedule_epochs: int
    gamma: float
    warmup: int
    weight_decay: float
    label_smoothing: float
    early_stopping: int
    clip: float
    seed: int
    same_start: bool
    speed: int               # epochs per second at most while playing; 0: no limit


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
        if not self.data.points:            # only hand-placed sets have points to show
            del out["data"]["points"]
        if not self.data.text:              # only a text set with a person's own text
            del out["data"]["text"]
        del out["data"]["upload_info"]
        if not self.data.upload:            # only uploaded sets name an upload
            del out["data"]["upload"]
        return out

    def structure(self) -> tuple:
        """Everything whose change needs a rebuilt session (not live training knobs, not view)."""
        t = self.training
        return (self.data, self.model, t.loss, t.optimizer, t.label_smoothing, t.early_stopping,
                t.seed)

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
