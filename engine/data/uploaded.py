"""Data a person uploaded, as the engine sees it: a folder holding `arrays.npz` (X and y,
parsed already: numbers only, loaded with allow_pickle=False) and `meta.json` (what the spec
parser needs: kind, example shape, class names, counts). The server's uploads store
(server/uploads.py) writes these folders and hands the parser an `UploadInfo` for an id; the
engine reads the arrays from `UploadInfo.folder`, as it reads MNIST from the data folder.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TABLE = "table"
IMAGES = "images"
KINDS = {"upload-table": TABLE, "upload-images": IMAGES}    # dataset name -> upload kind
ARRAYS = "arrays.npz"
META = "meta.json"


@dataclass(frozen=True)
class UploadInfo:
    """What a spec that names an upload needs to be planned (its shape and classes)."""
    id: str
    kind: str                           # TABLE | IMAGES
    shape: tuple[int, ...]              # one example: (features,) or (C, H, W)
    class_names: tuple[str, ...]
    counts: tuple[int, ...]             # examples per class
    folder: str                         # where arrays.npz lies
    features: tuple[str, ...] = ()      # a table's feature columns

    @property
    def rows(self) -> int:
        return sum(self.counts)

    def describe(self) -> dict:
        """For the page: no folder (a server path is not the client's business)."""
        return {"id": self.id, "kind": self.kind, "shape": list(self.shape),
                "class_names": list(self.class_names), "counts": list(self.counts),
                "features": list(self.features)}


def write(folder: Path, X: np.ndarray, y: np.ndarray, meta: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ARRAYS, "wb") as f:
        np.savez(f, X=X, y=y)
    write_meta(folder, meta)


def write_meta(folder: Path, meta: dict) -> None:
    (folder / META).write_text(json.dumps(meta))


def read_meta(folder: Path) -> dict:
    return json.loads((folder / META).read_text())


def info_of(upload_id: str, folder: Path, meta: dict) -> UploadInfo:
    return UploadInfo(upload_id, meta["kind"], tuple(meta["shape"]), tuple(meta["class_names"]),
                      tuple(meta["counts"]), str(folder), tuple(meta.get("features", ())))


def read_arrays(folder: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """X (uint8 images or float32 table rows) and y (int64); never unpickles."""
    with np.load(Path(folder) / ARRAYS, allow_pickle=False) as f:
        return f["X"], f["y"].astype(np.int64)
