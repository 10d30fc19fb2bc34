"""Where uploaded tables and images live: one folder per upload under UPLOADS_DIR (instance/
uploads by default) holding the PARSED arrays (`arrays.npz`, numbers only, read back with
allow_pickle=False) and `meta.json` (kind, shape, class names, counts, owner, bytes, created;
engine.data.uploaded). Nothing a person sent is kept as sent.

An upload's id is 128 bits of sha256 over the server's secret, the browser, the choices and
the content: unguessable, and the same file uploaded again with the same choices by the same
browser is the same upload (no second copy, no second charge). Holding the id is the
capability: a spec names it, so a saved experiment or a shared link reopens with the same
data; ids are listed only to the browser that uploaded them.

Quotas: per browser MAX_UPLOADS_PER_BROWSER uploads and UPLOAD_QUOTA_BROWSER_BYTES; all
uploads together UPLOAD_QUOTA_TOTAL_BYTES. Uploads a saved experiment names are pinned and
kept; the others are dropped UPLOAD_KEEP_S after they were made (swept at each new upload).
"""
from __future__ import annotations

import hashlib
import json
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from flask import Flask

from engine.data import uploaded
from engine.data.uploaded import UploadInfo
from engine.spec.uploads import ID_FORM
from server.errors import PayloadError

ID_HEX = 32                                 # 128 bits


class QuotaFull(PayloadError):
    """An upload over a quota: the message says which and by how much."""


@dataclass(frozen=True)
class Quotas:
    per_browser: int
    browser_bytes: int
    total_bytes: int
    keep_s: float


class UploadStore:
    def __init__(self, folder: str | Path, secret: str, quotas: Quotas, clock=time.time):
        self.folder, self.secret, self.quotas, self.clock = Path(folder), secret, quotas, clock
        self._lock = threading.Lock()
        self._metas: dict[str, dict] = {}
        self.folder.mkdir(parents=True, exist_ok=True)
        for sub in self.folder.iterdir():
            if ID_FORM.fullmatch(sub.name) and (sub / uploaded.META).is_file():
                self._metas[sub.name] = uploaded.read_meta(sub)

    def id_for(self, owner: str, kind: str, choices: str, content: bytes) -> str:
        digest = hashlib.sha256()
        for part in (self.secret, owner, kind, choices):
            digest.update(part.encode() + b"\0")
        digest.update(content)
        return digest.hexdigest()[:ID_HEX]

    def save(self, upload_id: str, X: np.ndarray, y: np.ndarray, meta: dict,
             owner: str) -> UploadInfo:
        """Keep the arrays under `upload_id` (id_for), within the quotas; QuotaFull if not."""
        with self._lock:
            self._sweep()
            if upload_id in self._metas:
                return self._info(upload_id)
            size = X.nbytes + y.nbytes
            self._check(owner, size)
            meta = {**meta, "owner": owner, "bytes": size, "created": self.clock(),
                    "pinned": False}
            uploaded.write(self.folder / upload_id, X, y, meta)
            self._metas[upload_id] = meta
            return self._info(upload_id)

    def _check(self, owner: str, size: int) -> None:
        q = self.quotas
        mine = [m for m in self._metas.values() if m["owner"] == owner]
        if len(mine) >= q.per_browser:
            raise QuotaFull("file", f"this browser keeps {len(mine)} uploads, the maximum "
                                    f"{q.per_browser}; older ones are dropped "
                                    f"{q.keep_s / 86400:g} days after they were made")
        used = sum(m["bytes"] for m in mine)
        if used + size > q.browser_bytes:
            raise QuotaFull("file", f"{size:,} bytes more would take this browser's uploads to "
                                    f"{used + size:,} bytes, above the maximum "
                                    f"{q.browser_bytes:,}")
        total = sum(m["bytes"] for m in self._metas.values())
        if total + size > q.total_bytes:
            raise QuotaFull("file", f"the server's uploads are full ({total:,} of "
                                    f"{q.total_bytes:,} bytes); try again later")

    def _sweep(self) -> None:
        """Drop unpinned uploads older than keep_s (caller holds the lock)."""
        old = self.clock() - self.quotas.keep_s
        for upload_id, meta in list(self._metas.items()):
            if not meta.get("pinned") and meta["created"] < old:
                shutil.rmtree(self.folder / upload_id, ignore_errors=True)
                del self._metas[upload_id]

    def _info(self, upload_id: str) -> UploadInfo:
        return uploaded.info_of(upload_id, self.folder / upload_id, self._metas[upload_id])

    def find(self, upload_id: str) -> UploadInfo | None:
        """The upload with this id (the parser's `uploads`), or None."""
        with self._lock:
            return self._info(upload_id) if upload_id in self._metas else None

    def pin(self, upload_id: str) -> None:
        """A saved experiment names this upload: keep it while the experiment is kept."""
        with self._lock:
            meta = self._metas.get(upload_id)
            if meta is not None and not meta.get("pinned"):
                meta["pinned"] = True
                uploaded.write_meta(self.folder / upload_id, meta)

    def pin_named(self, spec_json: str) -> None:
        """Pin the upload a saved spec (as JSON) names, if it names one."""
        upload_id = json.loads(spec_json).get("data", {}).get("upload")
        if isinstance(upload_id, str):
            self.pin(upload_id)

    def mine(self, owner: str) -> list[dict]:
        """This browser's uploads, newest first (never another's)."""
        with self._lock:
            ids = [i for i, m in self._metas.items() if m["owner"] == owner]
            ids.sort(key=lambda i: -self._metas[i]["created"])
            return [{**self._info(i).describe(), "name": self._metas[i].get("name", ""),
                     "bytes": self._metas[i]["bytes"], "created": self._metas[i]["created"]}
                    for i in ids]


def folder_of(config) -> Path:
    """UPLOADS_DIR, else an uploads folder beside the SQLite file (the experiments that keep
    uploads live there), else in the instance folder (a database that is not a file)."""
    if config["UPLOADS_DIR"]:
        return Path(config["UPLOADS_DIR"])
    db = str(config["DATABASE"])
    return (Path(db).parent if "://" not in db else Path(config["INSTANCE_DIR"])) / "uploads"


def init_app(app: Flask) -> None:
    c = app.config
    folder = folder_of(c)
    app.extensions["uploads"] = UploadStore(
        folder, c["SECRET_KEY"],
        Quotas(c["MAX_UPLOADS_PER_BROWSER"], c["UPLOAD_QUOTA_BROWSER_BYTES"],
               c["UPLOAD_QUOTA_TOTAL_BYTES"], c["UPLOAD_KEEP_S"]))
