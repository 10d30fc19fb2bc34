"""Image datasets: digits 8×8, generated shapes 16×16, MNIST and Fashion-MNIST from IDX files.

Owns the pixels: reading scikit-learn's bundled digits, drawing the shapes set, the IDX file
format (`read_idx`, `write_idx`), finding MNIST files in the server's data folder, and the
`shift` augmentation applied per training batch. Images are [n, 1, H, W]; `to_unit` maps the
stored pixel values onto [0, 1]. The registry in `engine.data` samples, shuffles and casts.
"""
from __future__ import annotations

import functools
import gzip
import math
from pathlib import Path

import numpy as np

from engine.data.errors import DataUnavailable
from engine.data.points import split_even


CHANNELS = 1                            # every image set here is greyscale
PIXEL_MAX = 255                         # uint8 pixels (IDX files) map onto [0, 1] by this

# --- digits: scikit-learn's bundled 8×8 handwriting (UCI optdigits), pixel counts 0..16 ---
DIGITS_SIZE = 8
DIGITS_PIXEL_MAX = 16.0
DIGIT_NAMES = tuple(str(d) for d in range(10))

# --- shapes: generated strokes on a 16×16 canvas ---
SHAPES_SIZE = 16
# Four line orientations are what make first-layer conv filters turn into oriented edge detectors.
SHAPE_NAMES = ("horizontal line", "vertical line", "diagonal \\", "diagonal /",
               "square", "circle", "cross")
EXTENT_RANGE = (3.0, 6.5)               # half the bounding box in pixels: shapes 6..13 px across
EDGE_MARGIN = 1.0                       # pixels kept clear between a shape and the border
HALF_WIDTH_RANGE = (0.5, 1.0)           # strokes 1..2 px wide
INTENSITY_RANGE = (0.6, 1.0)            # stroke brightness, so the net cannot count pixels
AA_HALF_PIXEL = 0.5                     # coverage ramps over one pixel: anti-aliased edges

# --- MNIST / Fashion-MNIST: the standard IDX files, each optionally gzipped ---
MNIST_SIZE = 28
MNIST_CLASSES = 10                      # both sets
MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
GZ = ".gz"
FASHION_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
MNIST_KINDS = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}   # kind = subfolder name
# Both sets use the same file names, so the data folder itself can hold only one: MNIST.
ROOT_KIND = "mnist"

# --- IDX: magic = two zero bytes, a type code, the number of dims; then big-endian uint32 dims ---
IDX_TYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
             0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
IDX_CODES = {dtype.newbyteorder("="): code for code, dtype in IDX_TYPES.items()}
IDX_DIM = np.dtype(">u4")
IDX_MAGIC_BYTES = 4
GZIP_MAGIC = b"\x1f\x8b"


# ---- digits ---------------------------------------------------------------------------------

@functools.cache
def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 digits: X float32 [n, 1, 8, 8] in [0, 1], y int64 0..9 (read-only, cached)."""
    from sklearn.datasets import load_digits as sklearn_digits   # bundled: nothing downloads
    bunch = sklearn_digits()
    X = (bunch.images / DIGITS_PIXEL_MAX).astype(np.float32)[:, None]
    return _frozen(X, bunch.target.astype(np.int64))


# ---- shapes ---------------------------------------------------------------------------------

def _segment(along, across, half_length):
    """Distance to a segment lying on the `along` axis, centred at 0."""
    return np.hypot(along - np.clip(along, -half_length, half_length), across)


def _diagonal(dx, dy, sign):
    # Image rows grow downwards, so "\" runs along (1, 1) and "/" along (1, -1).
    along, across = (dx + sign * dy) / math.sqrt(2), (dx - sign * dy) / math.sqrt(2)
    return along, across


# Distance from every pixel centre to the stroke, by class; dx, dy, e are [n, 1 | S, 1 | S].
_DISTANCES = (
    lambda dx, dy, e: _segment(dx, dy, e),
    lambda dx, dy, e: _segment(dy, dx, e),
    lambda dx, dy, e: _segment(*_diagonal(dx, dy, 1), e * math.sqrt(2)),
    lambda dx, dy, e: _segment(*_diagonal(dx, dy, -1), e * math.sqrt(2)),
    lambda dx, dy, e: np.abs(np.maximum(np.abs(dx), np.abs(dy)) - e),
    lambda dx, dy, e: np.abs(np.hypot(dx, dy) - e),
    lambda dx, dy, e: np.minimum(_segment(dx, dy, e), _segment(dy, dx, e)),
)
assert len(_DISTANCES) == len(SHAPE_NAMES)


def shapes(rng: np.random.Generator, samples: int, noise: float, classes: int = 0):
    """`samples` images [n, 1, 16, 16] in [0, 1], grouped by class, balanced to within one.

    Each shape gets a random size, position, stroke width and brightness; `noise` is the
    standard deviation of additive Gaussian pixel noise. `classes` is ignored: the set is fixed.
    """
    labels = np.repeat(np.arange(len(SHAPE_NAMES)), split_even(samples, len(SHAPE_NAMES)))
    extent = rng.uniform(*EXTENT_RANGE, samples)[:, None, None]
    low = extent + EDGE_MARGIN
    cx = rng.uniform(low, SHAPES_SIZE - low)
    cy = rng.uniform(low, SHAPES_SIZE - low)
    half_width = rng.uniform(*HALF_WIDTH_RANGE, (samples, 1, 1))
    intensity = rng.uniform(*INTENSITY_RANGE, (samples, 1, 1))
    centres = np.arange(SHAPES_SIZE) + 0.5
    dx, dy = centres[None, None, :] - cx, centres[None, :, None] - cy
    dist = np.empty((samples, SHAPES_SIZE, SHAPES_SIZE))
    for c, distance in enumerate(_DISTANCES):
        rows = labels == c
        dist[rows] = distance(dx[rows], dy[rows], extent[rows])
    coverage = np.clip(half_width + AA_HALF_PIXEL - dist, 0.0, 1.0)
    pixels = intensity * coverage + rng.normal(0.0, noise, coverage.shape)
    return np.clip(pixels, 0.0, 1.0).astype(np.float32)[:, None], labels


# ---- IDX files ------------------------------------------------------------------------------

def read_idx(path) -> np.ndarray:
    """The array in an IDX file (gzipped or not: detected from its first bytes).

    ValueError naming the file when it is not IDX, is truncated or has trailing bytes.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:len(GZIP_MAGIC)] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{path}: damaged gzip data ({exc})") from None
    if len(raw) < IDX_MAGIC_BYTES or raw[0] or raw[1] or raw[2] not in IDX_TYPES:
        raise ValueError(f"{path}: not an IDX file (bad magic number {raw[:4].hex() or 'none'})")
    dtype, ndim = IDX_TYPES[raw[2]], raw[3]
    body = IDX_MAGIC_BYTES + ndim * IDX_DIM.itemsize
    if len(raw) < body:
        raise ValueError(f"{path}: IDX header is cut short")
    dims = tuple(int(d) for d in np.frombuffer(raw, IDX_DIM, ndim, IDX_MAGIC_BYTES))
    expected = math.prod(dims) * dtype.itemsize
    if len(raw) - body != expected:
        raise ValueError(f"{path}: IDX header {dims} wants {expected} bytes of data, "
                         f"file has {len(raw) - body}")
    return np.frombuffer(raw, dtype, offset=body).reshape(dims).astype(dtype.newbyteorder("="))


def write_idx(path, array) -> None:
    """Write `array` as IDX (uint8, int8, int16, int32, float32, float64); gzip if path ends .gz."""
    array = np.asarray(array)
    code = IDX_CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise ValueError(f"IDX cannot store dtype {array.dtype}")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, IDX_DIM).tobytes()
    data = header + array.astype(IDX_TYPES[code], copy=False).tobytes()
    if str(path).endswith(GZ):
        data = gzip.compress(data, mtime=0)     # mtime 0: the same array gives the same bytes
    Path(path).write_bytes(data)


# ---- MNIST / Fashion-MNIST ------------------------------------------------------------------

def load_mnist(data_dir, kind: str = "mnist") -> tuple[np.ndarray, np.ndarray]:
    """Train and t10k sets concatenated: X uint8 [70000, 1, 28, 28] (use `to_unit`), y int64."""
    (X1, y1), (X2, y2) = load_mnist_parts(data_dir, kind)
    return np.concatenate([X1, X2]), np.concatenate([y1, y2])


def load_mnist_parts(data_dir, kind: str = "mnist"):
    """((X, y) of the train files, (X, y) of the t10k files): X uint8 [n, 1, 28, 28] (use
    `to_unit`), y int64; read-only arrays.

    Looks in `data_dir/<kind>/`, and for MNIST also in `data_dir` itself. Raises
    `DataUnavailable` saying which files to put where when they are absent, and
    ValueError naming the file when one is corrupt. Cached while the files are unchanged.
    """
    if kind not in MNIST_KINDS:
        raise ValueError(f"unknown MNIST kind {kind!r}; known: {', '.join(MNIST_KINDS)}")
    if data_dir is None:
        raise DataUnavailable(f"{MNIST_KINDS[kind]} is read from IDX files: start the server "
                              f"with --data-dir DIR and put {_file_list()} in DIR/{kind}/")
    files = find_files(Path(data_dir), kind)
    if files is None:
        # The folder by its role, not its path: the message reaches clients of a server.
        raise DataUnavailable(f"{MNIST_KINDS[kind]} files not found: put {_file_list()} "
                              f"in the {kind}/ folder of the server's --data-dir")
    # The stat in the key makes a replaced file reload instead of serving the cached copy.
    return _read_mnist(tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files))


def _file_list() -> str:
    names = [f"{name}(.gz)" for name in MNIST_FILES]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def find_files(data_dir: Path, kind: str) -> list[Path] | None:
    folders = [data_dir / kind] + ([data_dir] if kind == ROOT_KIND else [])
    for folder in folders:
        found = [_existing(folder / name) for name in MNIST_FILES]
        if all(found):
            return found
    return None


def _existing(plain: Path) -> Path | None:
    gz = plain.with_name(plain.name + GZ)
    return plain if plain.is_file() else gz if gz.is_file() else None


@functools.lru_cache(maxsize=len(MNIST_KINDS))
def _read_mnist(keyed_files):
    paths = [Path(p) for p, _, _ in keyed_files]
    return tuple(_frozen(x[:, None], y) for x, y in
                 (_checked_pair(paths[i], paths[i + 1]) for i in (0, 2)))


def _checked_pair(images_path: Path, labels_path: Path):
    images, labels = read_idx(images_path), read_idx(labels_path)
    wanted = (MNIST_SIZE, MNIST_SIZE)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != wanted:
        raise ValueError(f"{images_path}: expected uint8 images [n, {MNIST_SIZE}, {MNIST_SIZE}], "
                         f"found {images.dtype} {list(images.shape)}")
    if labels.dtype != np.uint8 or labels.shape != images.shape[:1]:
        raise ValueError(f"{labels_path}: expected {len(images)} uint8 labels to match "
                         f"{images_path.name}, found {labels.dtype} {list(labels.shape)}")
    if labels.size and labels.max() >= MNIST_CLASSES:
        raise ValueError(f"{labels_path}: label {labels.max()} is outside 0..{MNIST_CLASSES - 1}")
    return images, labels.astype(np.int64)


# ---- shared ---------------------------------------------------------------------------------

def to_unit(images: np.ndarray) -> np.ndarray:
    """float32 pixels in [0, 1]: uint8 values are divided by 255, floats are taken as they are."""
    if images.dtype == np.uint8:
        return images.astype(np.float32) / PIXEL_MAX
    return images.astype(np.float32, copy=False)


def _frozen(X: np.ndarray, y: np.ndarray):
    # Cached arrays are shared by every caller: make accidental in-place edits fail loudly.
    X.flags.writeable = y.flags.writeable = False
    return X, y


