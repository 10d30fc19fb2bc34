"""SQLite storage of saved experiments: one file, WAL journal, schema made on first use.

A connection per call, so any thread may save or load; `save` writes a whole record in ONE
transaction with `synchronous=FULL` and returns only after the commit, so a crash leaves the
whole row or none. Records are never updated; what one holds is `server.records`'.
"""
from __future__ import annotations

import re
import secrets
import sqlite3
import time
from pathlib import Path

from flask import Flask

from server.errors import RecordError

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '1');
CREATE TABLE IF NOT EXISTS experiments (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    format INTEGER NOT NULL,        -- record layout version (experiments.FORMAT)
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    spec TEXT NOT NULL,             -- JSON, Spec.to_dict()
    weights BLOB NOT NULL,          -- safetensors of the model's state_dict
    optimizer BLOB NOT NULL,        -- safetensors of the optimiser's moments (may be empty)
    history TEXT NOT NULL,          -- JSON: History.KEYS lists and stride
    recording BLOB NOT NULL,        -- npz (no pickles) of frame arrays plus a JSON index
    metrics TEXT NOT NULL,          -- JSON
    epoch INTEGER NOT NULL,
    step INTEGER NOT NULL,
    device TEXT NOT NULL
);
"""

ID_BYTES = 16                                   # 128 bits: token_urlsafe gives 22 characters
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")   # the only shape an id has
MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_RECORD_BYTES = 50_000_000                   # a whole saved experiment (app config may lower)
TEXT_LIMITS = {"title": MAX_TITLE, "description": MAX_DESCRIPTION}
COLUMNS = ("id", "created", "format", "title", "description", "spec", "weights", "optimizer",
           "history", "recording", "metrics", "epoch", "step", "device")
MEGABYTE = 1e6


def connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=10)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    return db


def init_app(app: Flask) -> None:
    init_db(app.config["DATABASE"])


def init_db(path: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    try:
        with db:
            db.executescript(SCHEMA)
    finally:
        db.close()


def valid_id(text) -> bool:
    return isinstance(text, str) and ID_PATTERN.fullmatch(text) is not None


def check_text(field: str, value) -> str:
    """A title or description: text within its limit (stored verbatim; never markup)."""
    limit = TEXT_LIMITS[field]
    if not isinstance(value, str):
        raise RecordError(field, f"must be text of at most {limit} characters")
    if len(value) > limit:
        raise RecordError(field, f"{len(value)} characters is more than the {limit} allowed")
    return value


def size_of(record: dict) -> int:
    return sum(len(v) for v in record.values() if isinstance(v, (bytes, str)))


def save(db_path: str, record: dict, max_bytes: int = MAX_RECORD_BYTES) -> str:
    """Store `record` (every COLUMNS key but id and created) as a new experiment; its id.
    Committed and synced before it returns."""
    for field in TEXT_LIMITS:
        check_text(field, record[field])
    size = size_of(record)
    if size > max_bytes:
        raise RecordError("model", f"this experiment is {size / MEGABYTE:.1f} MB; at most "
                              f"{max_bytes / MEGABYTE:.1f} MB can be saved")
    db = connect(db_path)
    try:
        while True:
            row = {**record, "id": secrets.token_urlsafe(ID_BYTES), "created": time.time()}
            try:
                with db:              # one transaction: the whole row or nothing
                    db.execute(f"INSERT INTO experiments ({', '.join(COLUMNS)}) VALUES "
                               f"({', '.join('?' * len(COLUMNS))})", [row[c] for c in COLUMNS])
                return row["id"]
            except sqlite3.IntegrityError:
                continue              # a 128-bit id collided: draw another
    finally:
        db.close()


def load(db_path: str, exp_id, columns: tuple[str, ...] = COLUMNS) -> dict | None:
    """The experiment's `columns`, or None for an unknown or malformed id."""
    if not valid_id(exp_id):
        return None
    unknown = set(columns) - set(COLUMNS)
    if unknown:
        raise ValueError(f"no such columns: {sorted(unknown)}")
    db = connect(db_path)
    try:
        row = db.execute(f"SELECT {', '.join(columns)} FROM experiments WHERE id = ?",
                         (exp_id,)).fetchone()
    finally:
        db.close()
    return None if row is None else dict(zip(columns, row))
