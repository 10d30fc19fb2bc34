"""The dataset registry: which datasets exist, what they are, and `dataset` to draw one.

Owns the catalogue (`DATASETS`, every family in display order), argument validation, seeding,
subsetting and shuffling; each family's content is its own module. `dataset(name, ...)` draws
any family; `generate` the 2-D points only; `preview` and `sequence_preview` the thumbnails.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Callable

import numpy as np

from engine.data import (handpoints, images, imagezips, points, sequences, tabular, tablefiles,
                         uploaded, usertext)
from engine.data.errors import DataError
from engine.data.heldout import (FILES, RANDOM, SPANS, STRATIFIED, counts, file_parts,
                                 span_too_short, split_indices, stratified_split, text_spans)
from engine.data.points import NOISE_MAX
from engine.data.sequences import DEFAULT_SEQ_LENGTH


CLASSIFICATION = "classification"
REGRESSION = "regression"
# TF Playground's sample counts.
DEFAULT_SAMPLES = {CLASSIFICATION: 500, REGRESSION: 1200}
MIN_CLASSES = 2
PREVIEW_SEED = 0
PREVIEW_SAMPLES = 200
PREVIEW_SEQUENCES = 4                   # bit rows or series windows in a sequence thumbnail
PREVIEW_TEXT_CHARS = 120

POINTS = "points"
IMAGES = "images"
TABULAR = "tabular"
SEQUENCES = "sequences"
# How a sequence set is predicted: at every step (next value, next character) or once at the end.
MANY_TO_MANY = "many_to_many"
MANY_TO_ONE = "many_to_one"


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    label: str
    problem: str            # CLASSIFICATION | REGRESSION
    max_classes: int        # 1 for regression
    dims: int               # raw inputs that vary: 1 (X[:, 1] is 0) or 2
    default_samples: int
    description: str
    family: str = POINTS    # POINTS | IMAGES | TABULAR | SEQUENCES: which module draws it
    # One model input: (C, H, W), (features,); () = points, or tokens when `vocab` is set. A
    # sequence's is one step's: (1,) for one value per step, () for a character index.
    shape: tuple[int, ...] = ()
    class_names: tuple[str, ...] = ()   # for fixed-class families; points number their classes
    needs_data_dir: bool = False    # read from files in the server's --data-dir
    sequence: str = ""      # MANY_TO_MANY | MANY_TO_ONE for sequences; "" for other families
    vocab: tuple[str, ...] = ()     # a text set's characters (index order); () otherwise
    split: str = RANDOM     # how it is held out (engine.data.heldout): RANDOM, FILES or SPANS
    hand: bool = False      # points placed by hand: they come from the spec (data.points)
    upload: bool = False    # a person's table or images: data.upload names them; the shape and
                            # classes here are placeholders (engine.data.uploaded.UploadInfo)
    # Data fields that mean nothing for this set (the page greys their controls out): real
    # data has no generated noise; hand-placed and uploaded sets use every row they hold.
    ignores: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Fixed:
    """A finite set read whole (its module caches it); the registry draws a subset."""
    read: Callable[[str | None], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class _Files:
    """A set that comes split (MNIST's train and t10k files): `read` gives both parts."""
    read: Callable[[str | None], tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]]


@dataclass(frozen=True)
class _Hand:
    """Points placed by hand: the spec carries them; drawn alone, a set gives its starter."""
    regression: bool


@dataclass(frozen=True)
class _Upload:
    """A person's uploaded table or images: read from the folder the spec's upload names."""


@dataclass(frozen=True)
class _Sequence:
    """A sequence generator: (rng, samples, noise, seq_length) -> (X, y)."""
    draw: Callable[..., tuple[np.ndarray, np.ndarray]]


# Fixed-class families keep `dims` at 2: it only describes the point family's raw inputs.
FIXED_DIMS = 2
# Default sample counts of the fixed-class sets: all of a small set; of MNIST's 60 000 + 10 000,
# a stratified subset of each file in proportion (25,714 + 4,286), about as many as one session's
# memory budget allows (engine.spec.budget: all 70,000 would hold about 1.2 GB).
DIGITS_SAMPLES = 1797
SHAPES_SAMPLES = 3000
MNIST_SAMPLES = 30000
IRIS_SAMPLES = 150
SERIES_SAMPLES = 1000
BITS_SAMPLES = 2000
TEXT_SAMPLES = 2000
SEQUENCE_STEP = (1,)                    # one value per time step (series and bits)
TOKEN_STEP = ()                         # one character index per time step (text)


REAL_DATA_IGNORES = ("noise",)                  # read, not generated: no noise to add
WHOLE_SETS_IGNORE = ("samples", "noise")       # every point or row the person gave


def _fixed(name, label, family, shape, class_names, default_samples, description,
           needs_data_dir=False, **more):
    return DatasetInfo(name, label, CLASSIFICATION, len(class_names), FIXED_DIMS,
                       default_samples, description, family, shape, class_names, needs_data_dir,
                       **more)


def _series(name, label, description):
    return DatasetInfo(name, label, REGRESSION, 1, FIXED_DIMS, SERIES_SAMPLES, description,
                       SEQUENCES, SEQUENCE_STEP, sequence=MANY_TO_MANY)


def _bits(name, label, description):
    return _fixed(name, label, SEQUENCES, SEQUENCE_STEP, sequences.BIT_NAMES, BITS_SAMPLES,
                  description, sequence=MANY_TO_ONE)


def _classification(name, label, max_classes, description):
    return DatasetInfo(name, label, CLASSIFICATION, max_classes, 2,
                       DEFAULT_SAMPLES[CLASSIFICATION], description)


def _regression(name, label, dims, description):
    return DatasetInfo(name, label, REGRESSION, 1, dims, DEFAULT_SAMPLES[REGRESSION], description)


def _hand(name, label, problem, description):
    """A hand-placed set; `samples` is ignored (the points are counted), so its default is
    the most it can hold, which bounds the session's cost."""
    regression = problem == REGRESSION
    return (DatasetInfo(name, label, problem, 1 if regression else handpoints.MAX_HAND_CLASSES,
                        2, handpoints.MAX_HAND_POINTS, description, hand=True,
                        ignores=WHOLE_SETS_IGNORE),
            _Hand(regression))


def _upload(name, label, family, max_classes, most, description):
    """An uploaded set: its shape and class names come with the upload; `samples` is ignored
    (all rows are used), so the default is the most an upload holds."""
    return (DatasetInfo(name, label, CLASSIFICATION, max_classes, FIXED_DIMS, most, description,
                        family, split=STRATIFIED, upload=True, ignores=WHOLE_SETS_IGNORE),
            _Upload())


# (info, source) in display order: a generator (rng, samples, noise, classes) -> rows grouped
# by class, a _Fixed set read whole, or a _Sequence generator.
_ENTRIES: tuple[tuple[DatasetInfo, Callable | _Fixed | _Sequence], ...] = (
    (_classification("circle", "Circle", 5, "One class inside a disc, the other in a ring around it."),
     points.circle),
    (_classification("xor", "Exclusive or", 2, "Opposite quadrants share a class."), points.xor),
    (_classification("gauss", "Gaussian", 8, "Normally distributed blobs, one per class."),
     points.gauss),
    (_classification("spiral", "Spiral", 5, "Interleaved spiral arms, one per class."),
     points.spiral),
    (_classification("moons", "Moons", 2, "Two interleaved half-moons."), points.moons),
    (_classification("checkerboard", "Checkerboard", 4, "A 4×4 board of alternating colours."),
     points.checkerboard),
    (_regression("plane", "Plane", 2, "A tilted plane: the target is (x₁ + x₂) / 10."),
     points.plane),
    (_regression("multi-gauss", "Multi Gaussian", 2, "Six positive and negative bumps."),
     points.multi_gauss),
    (_regression("sine", "Sine", 1, "One input: the target is sin(x₁)."), points.sine),
    _hand("hand", "Your points", CLASSIFICATION,
          "Points you place: click the plane to add one of the chosen class."),
    _hand("hand-values", "Your values", REGRESSION,
          "Points you place, each with a value from −1 to 1."),
    (_fixed("digits", "Digits 8×8", IMAGES, (images.CHANNELS, images.DIGITS_SIZE,
            images.DIGITS_SIZE), images.DIGIT_NAMES, DIGITS_SAMPLES,
            "Handwritten digits 0–9, 8×8 pixels (scikit-learn's bundled set).",
            ignores=REAL_DATA_IGNORES),
     _Fixed(lambda data_dir: images.load_digits())),
    (_fixed("shapes", "Shapes 16×16", IMAGES, (images.CHANNELS, images.SHAPES_SIZE,
            images.SHAPES_SIZE), images.SHAPE_NAMES, SHAPES_SAMPLES,
            "Lines at four angles, squares, circles and crosses of random size and place."),
     images.shapes),
    (_fixed("mnist", "MNIST", IMAGES, (images.CHANNELS, images.MNIST_SIZE, images.MNIST_SIZE),
            images.DIGIT_NAMES, MNIST_SAMPLES,
            "Handwritten digits 0–9, 28×28 pixels (IDX files).",
            needs_data_dir=True, split=FILES, ignores=REAL_DATA_IGNORES),
     _Files(lambda data_dir: images.load_mnist_parts(data_dir, "mnist"))),
    (_fixed("fashion-mnist", "Fashion-MNIST", IMAGES,
            (images.CHANNELS, images.MNIST_SIZE, images.MNIST_SIZE), images.FASHION_NAMES,
            MNIST_SAMPLES,
            "Zalando's clothing photos in ten classes, 28×28 pixels (IDX files).",
            needs_data_dir=True, split=FILES, ignores=REAL_DATA_IGNORES),
     _Files(lambda data_dir: images.load_mnist_parts(data_dir, "fashion-mnist"))),
    (_fixed("iris", "Iris", TABULAR, (len(tabular.IRIS_FEATURES),), tabular.IRIS_SPECIES,
            IRIS_SAMPLES,
            "Fisher's iris flowers: four measurements in cm, three species."),
     _Fixed(lambda data_dir: tabular.load_iris())),
    (_series("sine-wave", "Sine wave",
             f"A noisy sine wave, one period per {sequences.SINE_PERIOD:g} steps: predict the "
             f"next value."),
     _Sequence(sequences.sine_wave)),
    (_series("two-sines", "Two sines",
             "The sum of a slow and a fast sine (periods {:g} and {:g} steps): predict the next "
             "value.".format(*sequences.TWO_SINE_PERIODS)),
     _Sequence(sequences.two_sines)),
    (_bits("recall", "Recall the first bit",
           "Random bits; the label is the first one, so it must be remembered to the end."),
     _Sequence(sequences.recall)),
    (_bits("parity-count", "Count the ones",
           "Random bits; the label says whether more than half of them are ones."),
     _Sequence(sequences.parity_count)),
    (_fixed("text", "Nursery rhymes", SEQUENCES, TOKEN_STEP, sequences.VOCAB_NAMES,
            TEXT_SAMPLES,
            f"Character-level text: nursery rhymes about neural networks "
            f"({len(sequences.CORPUS)} characters, {len(sequences.VOCAB)} distinct); predict "
            f"the next character.",
            sequence=MANY_TO_MANY, vocab=sequences.VOCAB, split=SPANS, ignores=REAL_DATA_IGNORES),
     _Sequence(sequences.text)),
    _upload("upload-table", "Your table", TABULAR, tablefiles.MAX_TABLE_CLASSES,
            tablefiles.MAX_TABLE_ROWS,
            "A CSV of your own: numeric columns and a label column, like iris."),
    _upload("upload-images", "Your images", IMAGES, imagezips.MAX_IMAGE_CLASSES,
            imagezips.MAX_ZIP_FILES,
            "A zip of your own images, one folder per class, resized as you choose."),
)

DATASETS: dict[str, DatasetInfo] = {info.name: info for info, _ in _ENTRIES}   # every family
# The generated 2-D sets (not the hand-placed ones, whose points come from the spec).
POINT_DATASETS: dict[str, DatasetInfo] = {n: i for n, i in DATASETS.items()
                                          if i.family == POINTS and not i.hand}
_SOURCES: dict[str, Callable | _Fixed | _Files | _Sequence | _Hand | _Upload] = {
    info.name: source for info, source in _ENTRIES}


def source_of(name: str) -> Callable | _Fixed | _Files | _Sequence | _Hand:
    """What draws dataset `name`: a generator, a _Fixed set's reader or a _Sequence generator
    (the exported script lifts it by its source)."""
    return _SOURCES[name]


def dataset_info(name: str) -> DatasetInfo:
    """The registry entry for `name`; ValueError if there is none."""
    try:
        return DATASETS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}") from None


def _check_classes(info: DatasetInfo, classes) -> int:
    if info.problem == REGRESSION:
        return 1    # the spec carries `classes` for every dataset; regression ignores it
    if info.family != POINTS:
        return info.max_classes     # fixed by the data; the spec forces `classes` to it
    classes = operator.index(classes)
    if not MIN_CLASSES <= classes <= info.max_classes:
        raise ValueError(f"{info.name}: classes {classes} is outside "
                         f"{MIN_CLASSES}..{info.max_classes}")
    return classes


def generate(name: str, samples: int, noise: float, seed: int,
             classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Draw `samples` points of dataset `name`, deterministic under `seed`.

    Returns X float32 [samples, 2] and y: int64 class indices 0..classes-1 for
    classification, float32 targets for regression. Rows come shuffled, so any prefix
    is a fair sample. `noise` is a fraction in [0, 0.5].
    """
    info = dataset_info(name)
    if info.family != POINTS:
        raise ValueError(f"{name}: generate draws 2-D points only; use dataset() for {info.family}")
    return _draw(info, samples, noise, seed, classes, None, DEFAULT_SEQ_LENGTH)


def dataset(name: str, samples: int, noise: float, seed: int, classes: int = 2,
            data_dir: str | None = None,
            seq_length: int = DEFAULT_SEQ_LENGTH) -> tuple[np.ndarray, np.ndarray]:
    """Draw `samples` rows of dataset `name`, any family, deterministic under `seed`.

    X is float32: points [n, 2] as `generate`; images [n, *info.shape] in [0, 1]; tabular
    [n, *info.shape] in raw units. y is int64 class indices (float32 targets for regression).
    Rows come shuffled. Generated sets draw any count; fixed sets (digits, MNIST, iris) return a
    seeded random subset, and ValueError when `samples` exceeds what they hold. `noise` (a
    fraction in [0, 0.5]) is the pixel noise σ of shapes and is ignored by real data. `classes`
    only matters for points. Files come from `data_dir` (the server's --data-dir): when they are
    absent, `DataUnavailable` says which to put where.

    Sequences (family "sequences"; `seq_length` = T, ignored by other families):
    - series, sine-wave and two-sines: X float32 [n, T + SERIES_FUTURE, 1], y float32 zeros [n]
      (a placeholder). Train on X[:, :T] -> X[:, 1:T + 1]; X[:, T:] is the forecast's truth.
      `noise` is the σ of Gaussian noise on every value (the clean series spans ±1).
    - bits, recall and parity-count: X float32 [n, T, 1] (bits plus Gaussian noise of σ
      `noise`), y int64 [n] in {0, 1}, computed from the clean bits.
    - text: X int64 [n, T + 1] of indices into `info.vocab`; train on X[:, :-1] -> X[:, 1:].
      y int64 zeros [n] (a placeholder); `noise` is ignored.
    """
    return _draw(dataset_info(name), samples, noise, seed, classes, data_dir, seq_length)


def _check_samples(info: DatasetInfo, samples, classes: int) -> int:
    samples = operator.index(samples)
    # A text row holds targets of every class; other sets need a row per class.
    least = 1 if info.vocab else classes
    if samples < least:
        raise ValueError(f"{info.name}: samples {samples} is below {least}")
    return samples


def _check_seq_length(info: DatasetInfo, seq_length) -> int:
    seq_length = operator.index(seq_length)
    most = sequences.max_text_length() if info.vocab else None
    if seq_length < 1 or (most is not None and seq_length > most):
        raise ValueError(f"{info.name}: seq_length {seq_length} is outside "
                         f"1..{most if most is not None else 'any'}")
    return seq_length


def _draw(info, samples, noise, seed, classes, data_dir, seq_length):
    classes = _check_classes(info, classes)
    samples = _check_samples(info, samples, classes)
    if not 0.0 <= noise <= NOISE_MAX:
        raise ValueError(f"{info.name}: noise {noise} is outside 0..{NOISE_MAX} "
                         "(a fraction, not percent)")
    rng = np.random.Generator(np.random.PCG64(seed))
    source = _SOURCES[info.name]
    if isinstance(source, _Upload):
        raise ValueError(f"{info.name}: an upload is drawn from its folder (upload_split)")
    if isinstance(source, _Hand):       # the starter set, whole: the spec carries real ones
        X, y = handpoints.arrays(handpoints.starter(source.regression), source.regression)
        order = rng.permutation(len(y))
    elif isinstance(source, (_Fixed, _Files)):
        X, y = source.read(data_dir) if isinstance(source, _Fixed) else _joined(source, data_dir)
        samples = _fixed_samples(info, samples, len(y))
        order = rng.permutation(len(y))[:samples]   # a seeded subset, already shuffled
    else:
        if isinstance(source, _Sequence):
            X, y = source.draw(rng, samples, float(noise), _check_seq_length(info, seq_length))
        else:
            X, y = source(rng, samples, float(noise), classes)
        # Generators emit rows grouped by class; shuffle with the same stream.
        order = rng.permutation(samples)
    y_dtype = np.int64 if info.problem == CLASSIFICATION else np.float32
    return _cast_inputs(info, X[order]), y[order].astype(y_dtype)


def _joined(source: _Files, data_dir):
    (X1, y1), (X2, y2) = source.read(data_dir)
    return np.concatenate([X1, X2]), np.concatenate([y1, y2])


def _fixed_samples(info: DatasetInfo, samples: int, held: int) -> int:
    """How many rows of a finite set to use: its default means all it holds; more than it
    holds is refused (DataError naming data.samples)."""
    if samples == info.default_samples:
        return min(samples, held)
    if samples > held:
        raise DataError("data.samples", f"{samples} is above the {held:,} examples "
                                        f"{info.label} holds here (at most {held})")
    return samples


@dataclass(frozen=True)
class Drawn:
    """A dataset drawn and held out: rows X, labels y and the row indices of each part."""
    X: np.ndarray
    y: np.ndarray
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    split: str              # the policy that made the parts (engine.data.heldout)


def hand_split(points, regression: bool, seed: int, train_ratio: int = 50,
               validation_ratio: int = 0) -> Drawn:
    """Points placed by hand (the spec's data.points), held out as a generated set is: a
    random cut under `seed` that keeps identical points together."""
    X, y = handpoints.arrays(points, regression)
    tr, va, te = split_indices(len(y), train_ratio, validation_ratio, seed, keys=X)
    return Drawn(X, y, tr, va, te, RANDOM)


def upload_split(upload, seed: int, train_ratio: int = 50, validation_ratio: int = 0) -> Drawn:
    """A person's upload (an engine.data.uploaded.UploadInfo), all its rows, held out by class
    (stratified): images in [0, 1], table rows in their own units."""
    X, y = uploaded.read_arrays(upload.folder)
    tr, va, te = stratified_split(y, train_ratio, validation_ratio, seed, keys=X)
    X = images.to_unit(X) if upload.kind == uploaded.IMAGES else X.astype(np.float32)
    return Drawn(X, y, tr, va, te, STRATIFIED)


def draw_split(name: str, samples: int, noise: float, seed: int, classes: int = 2,
               data_dir: str | None = None, seq_length: int = DEFAULT_SEQ_LENGTH,
               train_ratio: int = 50, validation_ratio: int = 0, text: str = "") -> Drawn:
    """`dataset`'s rows, held out by the dataset's policy (engine.data.heldout): a random cut
    that keeps identical rows together, the files' own split (MNIST), or text split by
    position (`text`, a person's own, instead of the corpus when given). Deterministic under
    `seed`; no test row is a training row."""
    info = dataset_info(name)
    if info.split == FILES:
        return _draw_files(info, samples, seed, data_dir, validation_ratio)
    if info.split == SPANS:
        return _draw_spans(info, samples, seed, seq_length, train_ratio, validation_ratio,
                           text or sequences.CORPUS)
    X, y = _draw(info, samples, noise, seed, classes, data_dir, seq_length)
    tr, va, te = split_indices(len(y), train_ratio, validation_ratio, seed, keys=X)
    return Drawn(X, y, tr, va, te, info.split)


def _draw_files(info, samples, seed, data_dir, validation_ratio) -> Drawn:
    (X1, y1), (X2, y2) = _SOURCES[info.name].read(data_dir)
    samples = _fixed_samples(info, _check_samples(info, samples, info.max_classes),
                             len(y1) + len(y2))
    train_rows, test_rows, n_val = file_parts(y1, y2, samples, validation_ratio, seed)
    X = np.concatenate([X1[train_rows], X2[test_rows]])
    y = np.concatenate([y1[train_rows], y2[test_rows]]).astype(np.int64)
    n1, n = len(train_rows), len(y)
    return Drawn(_cast_inputs(info, X), y, np.arange(n1 - n_val), np.arange(n1 - n_val, n1),
                 np.arange(n1, n), info.split)


def _draw_spans(info, samples, seed, seq_length, train_ratio, validation_ratio, text) -> Drawn:
    T = _check_seq_length(info, seq_length)
    samples = _check_samples(info, samples, 1)
    spans = text_spans(len(text), train_ratio, validation_ratio)
    short = span_too_short(spans, T + 1)
    if short is not None:
        raise DataError("data.seq_length", f"{T} needs windows of {T + 1} characters; a part "
                                           f"of the split text holds {short[1] - short[0]}")
    n_train, n_val = counts(samples, train_ratio, validation_ratio)
    sizes = [n_train - n_val, n_val, samples - n_train]
    rng = np.random.Generator(np.random.PCG64(seed))
    codes = usertext.encoded(text, usertext.vocabulary(text))
    X, y = sequences.text_windows(rng, sizes, spans, T, codes)
    a, b = sizes[0], sizes[0] + sizes[1]
    return Drawn(X, y, np.arange(a), np.arange(a, b), np.arange(b, len(y)), info.split)


def split_text(drawn: Drawn, train_ratio: int, validation_ratio: int,
               text_length: int = len(sequences.CORPUS)) -> str:
    """One sentence that says how the data was held out, for the page (a text set's split
    from its length in characters)."""
    n = [len(drawn.train), len(drawn.val), len(drawn.test)]
    val = f" · {n[1]:,} validation" if n[1] else ""
    if drawn.split == FILES:
        return (f"The files' own split: {n[0]:,} train{val} from the train files, {n[2]:,} "
                f"test from the t10k files.")
    if drawn.split == SPANS:
        spans = text_spans(text_length, train_ratio, validation_ratio)
        return (f"Split by position: trains on the first part of the text ({n[0]:,} windows "
                f"from characters {spans[0][0] + 1:,}–{spans[0][1]:,}){val}, tests on its "
                f"held-out tail ({n[2]:,} windows from {spans[2][0] + 1:,}–{spans[2][1]:,}); "
                f"no window crosses a boundary.")
    if drawn.split == STRATIFIED:
        return (f"Stratified random split: each class cut {train_ratio}:{100 - train_ratio}, "
                f"{n[0]:,} train{val} · {n[2]:,} test; no test example repeats a training one.")
    return (f"Random split: {n[0]:,} train{val} · {n[2]:,} test; no test example repeats a "
            f"training one.")


def _cast_inputs(info: DatasetInfo, X: np.ndarray) -> np.ndarray:
    if info.family == IMAGES:
        return images.to_unit(X)
    return X.astype(np.int64 if info.vocab else np.float32)     # tokens stay indices


def preview(name: str, classes: int = 2, n: int = PREVIEW_SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """Noise-free points at a fixed seed, for the dataset thumbnails (point family only)."""
    return generate(name, n, 0.0, PREVIEW_SEED, classes)


def sequence_preview(name: str, seq_length: int = DEFAULT_SEQ_LENGTH) -> dict:
    """A noise-free sample of a sequence set at a fixed seed, as plain JSON-ready values.

    Always: name, family, problem, sequence, seq_length. Series add `series` (PREVIEW_SEQUENCES
    windows of seq_length + SERIES_FUTURE values: the first seq_length are the input); bits add
    `bits` (rows of 0/1), `labels` and `class_names`; text adds `text` (PREVIEW_TEXT_CHARS of
    the corpus) and `vocab`.
    """
    info = dataset_info(name)
    if info.family != SEQUENCES:
        raise ValueError(f"{name}: sequence_preview is for sequences; {name} is {info.family}")
    out = {"name": name, "family": info.family, "problem": info.problem,
           "sequence": info.sequence, "seq_length": seq_length}
    if info.vocab:
        X, _ = dataset(name, 1, 0.0, PREVIEW_SEED, seq_length=PREVIEW_TEXT_CHARS - 1)
        return out | {"text": sequences.decode(X[0]), "vocab": list(info.vocab)}
    X, y = dataset(name, PREVIEW_SEQUENCES, 0.0, PREVIEW_SEED, seq_length=seq_length)
    if info.problem == REGRESSION:
        return out | {"series": X[..., 0].astype(float).round(4).tolist()}
    return out | {"bits": X[..., 0].astype(int).tolist(), "labels": y.tolist(),
                  "class_names": list(info.class_names)}
