"""SQLite storage of saved experiments: one file, WAL journal, schema made on first use and
brought up to date (`migrate`) without losing a row.

A connection per call, so any thread may save or load; `save` writes a whole record in ONE
transaction with `synchronous=FULL` and returns only after the commit, so a crash leaves the
whole row or none. Each record notes who saved it (the browser's id, a keyed hash of its
address) and its size: the quotas are sums over those, checked in the saving transaction, and
only its owner may `delete` it. Records are never updated; what one holds is `server.records`'.
"""
from __future__ import annotations

import re
import secrets
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from server.errors import PayloadError, RecordError

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
    device TEXT NOT NULL,
    owner TEXT,                     -- the browser that saved it (NULL: saved before version 2)
    address TEXT,                   -- a keyed hash of the address it was saved from
    size INTEGER NOT NULL DEFAULT 0 -- bytes of the record, for the quotas
);
"""
# Version 1 files lack the columns that say who saved a record and how big it is: added in
# place, existing rows sized from their contents (their owner unknown: no one may delete them).
MIGRATIONS = {
    2: """
ALTER TABLE experiments ADD COLUMN owner TEXT;
ALTER TABLE experiments ADD COLUMN address TEXT;
ALTER TABLE experiments ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
UPDATE experiments SET size = length(title) + length(description) + length(spec)
    + length(weights) + length(optimizer) + length(history) + length(recording) + length(metrics);
""",
}
INDEXES = """
CREATE INDEX IF NOT EXISTS experiments_owner ON experiments (owner);
CREATE INDEX IF NOT EXISTS experiments_address ON experiments (address);
"""
SCHEMA_VERSION = max(MIGRATIONS)

ID_BYTES = 16                                   # 128 bits: token_urlsafe gives 22 characters
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")   # the only shape an id has
MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_RECORD_BYTES = 25_000_000                   # a whole saved experiment (app config may lower)
TEXT_LIMITS = {"title": MAX_TITLE, "description": MAX_DESCRIPTION}
COLUMNS = ("id", "created", "format", "title", "description", "spec", "weights", "optimizer",
           "history", "recording", "metrics", "epoch", "step", "device")
WHO = ("owner", "address", "size")              # written by save, never part of a record
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
        db.execute("BEGIN IMMEDIATE")      # one process migrates; the others wait, then see it
        fresh = db.execute("SELECT name FROM sqlite_master WHERE name = 'experiments'"
                           ).fetchone() is None
        for statement in _statements(SCHEMA):
            db.execute(statement)
        if fresh:
            _set_version(db, SCHEMA_VERSION)
        migrate(db)
        for statement in _statements(INDEXES):
            db.execute(statement)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]


def _set_version(db, version: int) -> None:
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))


def migrate(db) -> None:
    """Bring a file up to SCHEMA_VERSION inside the caller's transaction."""
    version = int(db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
    for target in sorted(v for v in MIGRATIONS if v > version):
        for statement in _statements(MIGRATIONS[target]):
            db.execute(statement)
        _set_version(db, target)


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


@dataclass(frozen=True)
class Quota:
    """Who saves, and how much each may keep: bytes per browser, per address, and the disk
    space that must stay free."""
    owner: str | None = None
    address: str | None = None
    per_owner: int | None = None
    per_address: int | None = None
    min_free_disk: int = 0


def save(db_path: str, record: dict, max_bytes: int = MAX_RECORD_BYTES,
         quota: Quota = Quota()) -> str:
    """Store `record` (every COLUMNS key but id and created) as a new experiment; its id.
    Refused (PayloadError) when it would pass a quota or leave too little disk free, checked
    in the same transaction as the insert. Committed and synced before it returns."""
    for field in TEXT_LIMITS:
        check_text(field, record[field])
    size = size_of(record)
    if size > max_bytes:
        raise RecordError("model", f"this experiment is {size / MEGABYTE:.1f} MB; at most "
                              f"{max_bytes / MEGABYTE:.1f} MB can be saved")
    if shutil.disk_usage(Path(db_path).parent).free - size < quota.min_free_disk:
        raise PayloadError("", "save: the server's disk is nearly full: saving is off for now")
    db = connect(db_path)
    try:
        while True:
            row = {**record, "id": secrets.token_urlsafe(ID_BYTES), "created": time.time(),
                   "owner": quota.owner, "address": quota.address, "size": size}
            try:
                db.execute("BEGIN IMMEDIATE")  # one transaction: the quota check and the row
                _check_quota(db, quota, size)
                db.execute(f"INSERT INTO experiments ({', '.join(COLUMNS + WHO)}) VALUES "
                           f"({', '.join('?' * len(COLUMNS + WHO))})",
                           [row[c] for c in COLUMNS + WHO])
                db.commit()
                return row["id"]
            except sqlite3.IntegrityError:
                db.rollback()
                continue              # a 128-bit id collided: draw another
            except BaseException:
                db.rollback()
                raise
    finally:
        db.close()


def _check_quota(db, quota: Quota, size: int) -> None:
    for column, key, limit, who in (("owner", quota.owner, quota.per_owner, "this browser"),
                                    ("address", quota.address, quota.per_address,
                                     "this address")):
        if key is None or limit is None:
            continue
        used = db.execute(f"SELECT COALESCE(SUM(size), 0) FROM experiments WHERE {column} = ?",
                          (key,)).fetchone()[0]
        if used + size > limit:
            raise PayloadError("", f"save: {who} has saved {used / MEGABYTE:,.1f} MB of its "
                                   f"{limit / MEGABYTE:,.0f} MB; delete some saved experiments "
                                   f"(the Delete button on their pages) to save more")


def delete(db_path: str, exp_id, owner: str) -> str:
    """Delete an experiment its owner saved: "deleted", "missing" or "not yours"."""
    if not valid_id(exp_id):
        return "missing"
    db = connect(db_path)
    try:
        with db:
            row = db.execute("SELECT owner FROM experiments WHERE id = ?", (exp_id,)).fetchone()
            if row is None:
                return "missing"
            if row[0] is None or row[0] != owner:
                return "not yours"
            db.execute("DELETE FROM experiments WHERE id = ?", (exp_id,))
            return "deleted"
    finally:
        db.close()


def load(db_path: str, exp_id, columns: tuple[str, ...] = COLUMNS) -> dict | None:
    """The experiment's `columns`, or None for an unknown or malformed id."""
    if not valid_id(exp_id):
        return None
    unknown = set(columns) - set(COLUMNS + WHO)
    if unknown:
        raise ValueError(f"no such columns: {sorted(unknown)}")
    db = connect(db_path)
    try:
        row = db.execute(f"SELECT {', '.join(columns)} FROM experiments WHERE id = ?",
                         (exp_id,)).fetchone()
    finally:
        db.close()
    return None if row is None else dict(zip(columns, row))
