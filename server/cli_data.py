"""`nn-playground train --data FILE`: a person's own data for a headless run, read by the same
readers as the page's uploads, and which kind of file it was detected as.

- a `.zip`: images, one folder per class (--image-size, --colour), as "Your images";
- a CSV with --label, or with other than 3 columns: a table, as "Your table" (label: --label,
  else the last column that is not all numbers, else the last column; features: every other
  numeric column);
- a CSV of exactly 3 columns and no --label: points (x1, x2, label or value), as "Your points";
- a `.txt`: UTF-8 text for the character model (--lowercase), as "Your own text"; a spec of
  another family takes the character model's default network.

A table or images are kept as arrays in a throw-away uploads folder for the run (the spec names
them by id, as the server's do). When the spec does not already train that kind of upload, its
network and dataset-dependent settings go back to the uploaded set's defaults.
"""
from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
from pathlib import Path

from engine.data import imagezips, tablefiles, uploaded
from engine.data.csvfiles import MAX_CSV_BYTES, CsvError, points_from_csv, read_table
from engine.data.imagezips import ZipError
from engine.data.usertext import MAX_TEXT_BYTES, TextFileError, read_text_file
from engine.spec.types import Spec, SpecError
from server.specs import parse
from server.uploadstore import Quotas, UploadStore

CLI_OWNER = "cli"
POINT_COLUMNS = 3
TEXT, TEXT_SUFFIX, TEXT_DATASET = "text", ".txt", "text"
# A run's own folder holds one upload: no quota beyond the readers' caps.
NO_QUOTA = Quotas(per_browser=1, browser_bytes=1 << 62, total_bytes=1 << 62, keep_s=1e12)
# Settings that depend on the dataset: dropped so the uploaded set's defaults apply.
DATASET_DEPENDENT = {"data": ("classes", "samples", "features", "points", "noise"),
                     "model": ("layers", "init")}


def detect(path: str, content: bytes, label: str | None) -> str:
    """"images", "table", "points" or "text" (the module docstring's rule)."""
    if path.lower().endswith(TEXT_SUFFIX):
        return TEXT
    if path.lower().endswith(".zip") or content[:4] == b"PK\x03\x04":
        return uploaded.IMAGES
    if label is not None:
        return uploaded.TABLE
    try:
        columns = len(read_table(content, tablefiles.MAX_TABLE_ROWS, tablefiles.MAX_TABLE_COLUMNS,
                                 tablefiles.MAX_TABLE_BYTES).columns)
    except CsvError:
        columns = POINT_COLUMNS             # the points reader names what is wrong
    return "points" if columns == POINT_COLUMNS else uploaded.TABLE


def _points(raw: dict, content: bytes) -> tuple[dict, str]:
    body = points_from_csv(content)
    data = raw.setdefault("data", {})
    data.update(dataset=body["dataset"], classes=body["classes"], points=body["points"])
    raw.setdefault("training", {})["loss"] = None   # mse or cross-entropy for the classes
    what = ", ".join(body["class_names"]) or "values"
    return raw, f"points ({len(body['points'])} points; {what})"


def _text(raw: dict, content: bytes, lowercase: bool) -> tuple[dict, str]:
    text = read_text_file(content[:MAX_TEXT_BYTES + 4])
    if lowercase:
        text = text.lower()
    if raw.get("data", {}).get("dataset") != TEXT_DATASET:
        raw = {"data": {}, "training": {}, **({"version": raw["version"]} if "version" in raw else {})}
    raw.setdefault("data", {}).update(dataset=TEXT_DATASET, text=text)
    return raw, f"text ({len(text):,} characters, {len(set(text))} different)"


def _upload(raw: dict, kind: str, content: bytes, args, store: UploadStore) -> tuple[dict, str]:
    if kind == uploaded.IMAGES:
        got = imagezips.images_from_zip(content, args.image_size, args.colour)
        X, y, names, extra = got.X, got.y, got.class_names, {}
        choices = repr((args.image_size, args.colour))
        said = (f"images ({len(y)} at {args.image_size}×{args.image_size} "
                f"{'colour' if args.colour else 'grey'}; "
                + ", ".join(f"{n} {c}" for n, c in zip(names, got.counts)) + ")"
                + "".join(f"; {note}" for note in got.notes))
    else:
        got = tablefiles.table_from_csv(content, args.label)
        X, y, names, extra = got.X, got.y, got.class_names, {"features": list(got.features)}
        choices = repr((got.label, got.features))
        said = (f"a table ({len(y)} rows; features {', '.join(got.features)}; label "
                f"{got.label!r}: {', '.join(names)})")
    counts = [int((y == k).sum()) for k in range(len(names))]
    info = store.save(store.id_for(CLI_OWNER, kind, choices, content), X, y,
                      {"kind": kind, "shape": list(X.shape[1:]), "class_names": list(names),
                       "counts": counts, **extra}, CLI_OWNER)
    dataset = next(name for name, k in uploaded.KINDS.items() if k == kind)
    if raw.get("data", {}).get("dataset") != dataset:
        for section, keys in DATASET_DEPENDENT.items():
            for key in keys:
                raw.get(section, {}).pop(key, None)
    raw.setdefault("data", {}).update(dataset=dataset, upload=info.id)
    return raw, said


def with_data(raw, path: str, args) -> Spec:
    """The raw spec trained on FILE; prints what FILE was detected as. A refused file names its
    row, column, entry or limit; then the run stops (SystemExit)."""
    if not isinstance(raw, dict):
        raw = {}
    try:
        with open(path, "rb") as f:
            content = f.read(max(imagezips.MAX_ZIP_BYTES, tablefiles.MAX_TABLE_BYTES,
                                 MAX_CSV_BYTES) + 1)
        kind = detect(path, content, args.label)
        if kind in ("points", TEXT):
            raw, said = _points(raw, content) if kind == "points" else \
                _text(raw, content, args.lowercase)
            spec = parse(raw)
        else:
            folder = Path(tempfile.mkdtemp(prefix="nn-playground-data-"))
            atexit.register(shutil.rmtree, folder, True)        # kept until the export
            store = UploadStore(folder, "cli", NO_QUOTA)
            raw, said = _upload(raw, kind, content, args, store)
            spec = parse(raw, store.find)
    except (CsvError, ZipError, TextFileError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except SpecError as exc:
        for e in exc.errors:
            print(f"{path}: {e['message']}", file=sys.stderr)
        raise SystemExit(2) from None
    except OSError as exc:
        print(f"cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"--data {path}: {said}", file=sys.stderr)
    return spec
