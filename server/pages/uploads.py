"""Files a person brings.

- `POST /api/uploads/points` reads a CSV into hand-placed points (engine.data.csvfiles) for the
  page to put in its spec; nothing is stored: the points travel in the spec. Query arguments
  x1, x2 and label choose the columns (defaults: the first two numeric columns and the last
  other one).
- `POST /api/uploads/table` reads a CSV table (engine.data.tablefiles; `label` and repeated
  `feature` arguments choose the columns) and `POST /api/uploads/images` a zip of class
  folders (engine.data.imagezips; `size` and `colour`). Both keep the parsed arrays in the
  uploads store (server.uploadstore) and answer the upload's id for the spec's data.upload.
- `GET /api/uploads` lists this browser's own uploads (never anyone else's).

Refusals are 400 (413 past the byte cap, 429 past the rate or a quota) with
{"errors": [{path, message}]}, the path naming the row and column, the zip entry or the argument.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request

from engine.data import imagezips, tablefiles, uploaded
from engine.data.csvfiles import (MAX_CSV_BYTES, MAX_CSV_COLUMNS, MAX_CSV_ROWS, CsvError,
                                  points_from_csv)
from engine.data.imagezips import ZipError
from server.errors import SlowDown
from server.owners import address, owner_id
from server.uploadstore import QuotaFull

bp = Blueprint("uploads", __name__)
COLUMN_ARGS = ("x1", "x2", "label")
TABLE_ARGS = ("label", "feature", "name")
IMAGE_ARGS = ("size", "colour", "name")
MAX_COLUMN_NAME = 200
MAX_FILE_NAME = 200
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no", "")


def _refuse(status: int, path: str, message: str):
    return jsonify(errors=[{"path": path, "message": f"{path}: {message}"}]), status


def _gate(max_bytes: int, allowed: tuple[str, ...]):
    """The rate limit, the byte cap and the arguments: a refusal, or None to go on."""
    try:
        current_app.extensions["limits"].take("upload", browser=owner_id(), address=address())
    except SlowDown as exc:
        return jsonify(errors=exc.errors), 429
    if (request.content_length or 0) > max_bytes:
        return _refuse(413, "file", f"{request.content_length:,} bytes is above the maximum "
                                    f"{max_bytes:,}")
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        return _refuse(400, unknown[0][:MAX_COLUMN_NAME], f"unknown argument (allowed: "
                                                          f"{', '.join(allowed)})")
    request.max_content_length = max_bytes
    return None


@bp.post("/api/uploads/points")
def upload_points():
    refused = _gate(MAX_CSV_BYTES, COLUMN_ARGS)
    if refused:
        return refused
    chosen = {k: request.args.get(k, "")[:MAX_COLUMN_NAME] or None for k in COLUMN_ARGS}
    try:
        return jsonify(points_from_csv(request.get_data(cache=False), **chosen))
    except CsvError as exc:
        return _refuse(400, exc.where, str(exc).removeprefix(f"{exc.where}: "))


def _keep(kind: str, choices: str, content: bytes, X, y, meta: dict):
    store = current_app.extensions["uploads"]
    owner = owner_id()
    name = request.args.get("name", "")[:MAX_FILE_NAME]
    upload_id = store.id_for(owner, kind, choices, content)
    info = store.save(upload_id, X, y, {"kind": kind, "shape": list(X.shape[1:]),
                                        "class_names": meta["class_names"],
                                        "counts": meta["counts"],
                                        "features": meta.get("features", []), "name": name},
                      owner)
    return info.describe()


@bp.post("/api/uploads/table")
def upload_table():
    refused = _gate(tablefiles.MAX_TABLE_BYTES, TABLE_ARGS)
    if refused:
        return refused
    label = request.args.get("label", "")[:MAX_COLUMN_NAME] or None
    features = [f[:MAX_COLUMN_NAME] for f in request.args.getlist("feature")] or None
    content = request.get_data(cache=False)
    try:
        table = tablefiles.table_from_csv(content, label, features)
        counts = [int((table.y == k).sum()) for k in range(len(table.class_names))]
        described = _keep(uploaded.TABLE, repr((table.label, table.features)), content,
                          table.X, table.y, {"class_names": list(table.class_names),
                                             "counts": counts,
                                             "features": list(table.features)})
    except CsvError as exc:
        return _refuse(400, exc.where, str(exc).removeprefix(f"{exc.where}: "))
    except QuotaFull as exc:
        return jsonify(errors=exc.errors), 429
    return jsonify(upload=described, dataset="upload-table", columns=list(table.columns),
                   numeric=list(table.numeric), label=table.label, notes=[])


def _flag(value: str | None, where: str) -> bool:
    text = (value or "").lower()
    if text not in TRUE + FALSE:
        raise ZipError(where, f"{value!r} is not true or false")
    return text in TRUE


@bp.post("/api/uploads/images")
def upload_images():
    refused = _gate(imagezips.MAX_ZIP_BYTES, IMAGE_ARGS)
    if refused:
        return refused
    content = request.get_data(cache=False)
    try:
        size_text = request.args.get("size", str(imagezips.DEFAULT_IMAGE_SIZE))
        if not size_text.isdigit():
            raise ZipError("size", f"{size_text[:MAX_COLUMN_NAME]!r} is not one of "
                                   f"{', '.join(map(str, imagezips.IMAGE_SIZES))}")
        colour = _flag(request.args.get("colour"), "colour")
        images = imagezips.images_from_zip(content, int(size_text), colour)
        described = _keep(uploaded.IMAGES, repr((int(size_text), colour)), content,
                          images.X, images.y, {"class_names": list(images.class_names),
                                               "counts": list(images.counts)})
    except ZipError as exc:
        return _refuse(400, exc.where, str(exc).removeprefix(f"{exc.where}: "))
    except QuotaFull as exc:
        return jsonify(errors=exc.errors), 429
    return jsonify(upload=described, dataset="upload-images", notes=list(images.notes))


@bp.get("/api/uploads")
def my_uploads():
    return jsonify(uploads=current_app.extensions["uploads"].mine(owner_id()))


def limits() -> dict:
    """The caps the page states beside its file choosers (also in /api/schema)."""
    return {"max_bytes": MAX_CSV_BYTES, "max_rows": MAX_CSV_ROWS,
            "max_columns": MAX_CSV_COLUMNS}


def upload_limits() -> dict:
    return {"table": {"max_bytes": tablefiles.MAX_TABLE_BYTES,
                      "max_rows": tablefiles.MAX_TABLE_ROWS,
                      "max_columns": tablefiles.MAX_TABLE_COLUMNS,
                      "max_classes": tablefiles.MAX_TABLE_CLASSES},
            "images": {"max_bytes": imagezips.MAX_ZIP_BYTES,
                       "max_files": imagezips.MAX_ZIP_FILES,
                       "max_unpacked_bytes": imagezips.MAX_UNPACKED_BYTES,
                       "max_classes": imagezips.MAX_IMAGE_CLASSES,
                       "sizes": list(imagezips.IMAGE_SIZES),
                       "default_size": imagezips.DEFAULT_IMAGE_SIZE}}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
