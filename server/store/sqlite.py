"""The SQLite backend, the default: one file, WAL journal, `synchronous=FULL`. A connection per
call, so any thread may save or load; `BEGIN IMMEDIATE` makes writers take turns (the quota
check and the insert see the same file), and one process at a time makes the schema."""
from __future__ import annotations

import shutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from server.store.base import Store
from server.store.limits import Quota

TIMEOUT_S = 10                    # how long a writer waits for another's turn


class SqliteStore(Store):
    dialect = "sqlite"
    marker = "?"

    def __init__(self, path: str):
        super().__init__(path)
        Path(path).parent.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def connection(self, action: str):
        db = sqlite3.connect(self.target, timeout=TIMEOUT_S)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            yield db
        finally:
            db.close()

    def begin_schema(self, db) -> None:
        db.execute("BEGIN IMMEDIATE")

    def has_experiments(self, db) -> bool:
        return db.execute("SELECT name FROM sqlite_master WHERE name = 'experiments'"
                          ).fetchone() is not None

    def begin_save(self, db, quota: Quota) -> None:
        db.execute("BEGIN IMMEDIATE")

    def room_on_disk(self, size: int, min_free: int) -> bool:
        return shutil.disk_usage(Path(self.target).parent).free - size >= min_free

    def is_duplicate(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.IntegrityError)
