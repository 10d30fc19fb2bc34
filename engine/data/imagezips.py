"""Images of the user's own, from a zip of class folders (`cat/1.png`, `dog/2.jpg`; one
wrapping folder, as "compress this folder" makes, is allowed), read with Pillow and resized
to the size asked for, grey or colour. Read with plain readers and checked before anything is
trusted: the zip's byte cap, its file count and declared uncompressed size (a zip bomb is
refused from its directory, and no entry is read past what it declared), entry paths (no
absolute paths or `..`, no folders deeper than class/file; `__MACOSX` and hidden files are
skipped with a note), and Pillow's own pixel cap per image. Every refusal names the entry.
"""
from __future__ import annotations

import io
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import numpy as np

MAX_ZIP_BYTES = 8 * 1024 * 1024         # the request body
MAX_ZIP_FILES = 3000                    # images (and skipped entries) in one zip
MAX_UNPACKED_BYTES = 64 * 1024 * 1024   # the sum of the entries' declared sizes
MAX_IMAGE_PIXELS = 4096 * 4096          # one image, before resizing (Pillow's bomb check)
MAX_IMAGE_CLASSES = 20
MIN_CLASS_IMAGES = 2                    # one to train, one to test
# What one session may hold (engine.spec.budget, with its copies and outputs): 3,000 grey
# 64×64 images, or 1,000 colour ones.
MAX_UPLOAD_VALUES = MAX_ZIP_FILES * 64 * 64
IMAGE_SIZES = (8, 16, 28, 32, 64)       # the side a person picks; LeNet pools twice (÷ 4)
DEFAULT_IMAGE_SIZE = 28
SUFFIXES = (".png", ".jpg", ".jpeg")
JUNK = ("__MACOSX", "Thumbs.db", "desktop.ini")


class ZipError(ValueError):
    """A zip refused: `where` names the entry (or the file, or an argument)."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where = where


@dataclass(frozen=True)
class ImageUpload:
    X: np.ndarray                       # uint8 [n, C, size, size]; C = 1 (grey) or 3
    y: np.ndarray                       # int64 [n], indices into class_names
    class_names: tuple[str, ...]        # the folders, sorted
    counts: tuple[int, ...]             # images per class
    notes: tuple[str, ...] = field(default_factory=tuple)   # what was skipped, and why


def _skipped(parts: tuple[str, ...]) -> bool:
    return any(p.startswith(".") or p in JUNK for p in parts)


def _entries(zf: zipfile.ZipFile) -> tuple[list[tuple[zipfile.ZipInfo, tuple[str, str]]], list[str]]:
    """(entry, (class, file name)) of every image entry, and notes on the skipped ones."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_FILES:
        raise ZipError("file", f"{len(infos):,} entries is above the maximum {MAX_ZIP_FILES:,}")
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNPACKED_BYTES:
        raise ZipError("file", f"unpacks to {declared:,} bytes, above the maximum "
                               f"{MAX_UNPACKED_BYTES:,}")
    kept, skipped = [], []
    for info in infos:
        name = info.filename
        path = PurePosixPath(name)
        if "\\" in name or path.is_absolute() or ".." in path.parts or ":" in name:
            raise ZipError(name, "a path that leaves the zip's folder is not allowed")
        if info.is_dir():
            continue
        if _skipped(path.parts):
            skipped.append(name)
            continue
        kept.append((info, path.parts))
    tops = {parts[0] for _, parts in kept}
    if len(tops) == 1 and all(len(parts) == 3 for _, parts in kept):
        kept = [(info, parts[1:]) for info, parts in kept]       # one wrapping folder
    out = []
    for info, parts in kept:
        if len(parts) != 2:
            where = "is not inside a class folder" if len(parts) == 1 else \
                "is nested too deep (one folder per class: class/file)"
            raise ZipError(info.filename, where)
        if not parts[1].lower().endswith(SUFFIXES):
            raise ZipError(info.filename, f"is not an image (allowed: "
                                          f"{', '.join(SUFFIXES)})")
        out.append((info, (parts[0], parts[1])))
    notes = [f"Skipped {len(skipped)} hidden or system file{'s' if len(skipped) != 1 else ''} "
             f"({', '.join(skipped[:3])}{', …' if len(skipped) > 3 else ''})"] if skipped else []
    return out, notes


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """An entry's bytes, never more than it declared (a lying header is a bomb)."""
    try:
        with zf.open(info) as f:
            data = f.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ZipError(info.filename, f"is damaged in the zip ({exc})") from None
    except (NotImplementedError, RuntimeError):     # an unknown method, or a password
        raise ZipError(info.filename, "is encrypted or compressed in a way zip readers "
                                      "do not share (use plain deflate)") from None
    if len(data) > info.file_size:
        raise ZipError(info.filename, f"unpacks past its declared {info.file_size:,} bytes")
    return data


def _image(data: bytes, where: str, size: int, colour: bool) -> np.ndarray:
    from PIL import Image
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in ("PNG", "JPEG"):
                raise ZipError(where, f"is a {img.format} image; allowed: PNG or JPEG")
            if img.width * img.height > MAX_IMAGE_PIXELS:
                raise ZipError(where, f"{img.width}×{img.height} pixels is above the maximum "
                                      f"{MAX_IMAGE_PIXELS:,} pixels")
            img = img.convert("RGB" if colour else "L").resize((size, size),
                                                               Image.Resampling.BILINEAR)
            pixels = np.asarray(img, dtype=np.uint8)
    except ZipError:
        raise
    except Exception as exc:            # Pillow raises many kinds for a broken file
        raise ZipError(where, f"is not a readable PNG or JPEG image ({type(exc).__name__})") \
            from None
    return pixels.transpose(2, 0, 1) if colour else pixels[None]


def images_from_zip(data: bytes, size: int = DEFAULT_IMAGE_SIZE,
                    colour: bool = False) -> ImageUpload:
    """Every image in the zip `data`, resized to size×size, with its folder as its class."""
    if size not in IMAGE_SIZES:
        raise ZipError("size", f"{size} is not one of {', '.join(map(str, IMAGE_SIZES))}")
    if len(data) > MAX_ZIP_BYTES:
        raise ZipError("file", f"{len(data):,} bytes is above the maximum {MAX_ZIP_BYTES:,}")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ZipError("file", "is not a zip file") from None
    with zf:
        entries, notes = _entries(zf)
        class_names = tuple(sorted({cls for _, (cls, _) in entries}))
        if len(class_names) < 2:
            raise ZipError("file", f"has {len(class_names)} class folder"
                                   f"{'' if len(class_names) == 1 else 's'} with images; a "
                                   f"classifier needs at least 2 (one folder per class)")
        if len(class_names) > MAX_IMAGE_CLASSES:
            raise ZipError("file", f"{len(class_names)} class folders is above the maximum "
                                   f"{MAX_IMAGE_CLASSES}")
        counts = Counter(cls for _, (cls, _) in entries)
        for cls in class_names:
            if counts[cls] < MIN_CLASS_IMAGES:
                raise ZipError(f"{cls}/", f"has {counts[cls]} image; each class needs at least "
                                          f"{MIN_CLASS_IMAGES} (one to train, one to test)")
        values = len(entries) * (3 if colour else 1) * size * size
        if values > MAX_UPLOAD_VALUES:
            raise ZipError("size", f"{len(entries):,} {'colour' if colour else 'grey'} images "
                                   f"of {size}×{size} are {values:,} values, above the maximum "
                                   f"{MAX_UPLOAD_VALUES:,} a session holds: choose a smaller "
                                   f"size{', or grey' if colour else ''}")
        index = {name: k for k, name in enumerate(class_names)}
        X = np.empty((len(entries), 3 if colour else 1, size, size), dtype=np.uint8)
        y = np.empty(len(entries), dtype=np.int64)
        for row, (info, (cls, _)) in enumerate(sorted(entries, key=lambda e: e[0].filename)):
            X[row] = _image(_read(zf, info), info.filename, size, colour)
            y[row] = index[cls]
    return ImageUpload(X, y, class_names, tuple(counts[c] for c in class_names), tuple(notes))
