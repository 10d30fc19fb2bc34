"""The saved-experiments schema, written once for both backends: the tables, the migrations
that bring an older database up to SCHEMA_VERSION, and the indexes, as SQL that SQLite and
PostgreSQL both read once its three column types are named in the backend's words (`render`).
What a record's columns hold is `server.records`'."""
from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta (key, value) VALUES ('schema_version', '1') ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS experiments (
    id TEXT PRIMARY KEY,
    created {REAL} NOT NULL,
    format {INTEGER} NOT NULL,        -- record layout version (experiments.FORMAT)
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    spec TEXT NOT NULL,             -- JSON, Spec.to_dict()
    weights {BLOB} NOT NULL,          -- safetensors of the model's state_dict
    optimizer {BLOB} NOT NULL,        -- safetensors of the optimiser's moments (may be empty)
    history TEXT NOT NULL,          -- JSON: History.KEYS lists and stride
    recording {BLOB} NOT NULL,        -- npz (no pickles) of frame arrays plus a JSON index
    metrics TEXT NOT NULL,          -- JSON
    epoch {INTEGER} NOT NULL,
    step {INTEGER} NOT NULL,
    device TEXT NOT NULL,
    owner TEXT,                     -- the browser that saved it (NULL: saved before version 2)
    address TEXT,                   -- a keyed hash of the address it was saved from
    size {INTEGER} NOT NULL DEFAULT 0 -- bytes of the record, for the quotas
);
"""
# Version 1 databases lack the columns that say who saved a record and how big it is: added in
# place, existing rows sized from their contents (their owner unknown: no one may delete them).
MIGRATIONS = {
    2: """
ALTER TABLE experiments ADD COLUMN owner TEXT;
ALTER TABLE experiments ADD COLUMN address TEXT;
ALTER TABLE experiments ADD COLUMN size {INTEGER} NOT NULL DEFAULT 0;
UPDATE experiments SET size = length(title) + length(description) + length(spec)
    + length(weights) + length(optimizer) + length(history) + length(recording) + length(metrics);
""",
}
INDEXES = """
CREATE INDEX IF NOT EXISTS experiments_owner ON experiments (owner);
CREATE INDEX IF NOT EXISTS experiments_address ON experiments (address);
"""
SCHEMA_VERSION = max(MIGRATIONS)
# The column types in each backend's words: the same values come back from both (bytes, int,
# float, str); PostgreSQL's BIGINT is SQLite's 64-bit INTEGER.
TYPES = {
    "sqlite": {"REAL": "REAL", "INTEGER": "INTEGER", "BLOB": "BLOB"},
    "postgresql": {"REAL": "DOUBLE PRECISION", "INTEGER": "BIGINT", "BLOB": "BYTEA"},
}

COLUMNS = ("id", "created", "format", "title", "description", "spec", "weights", "optimizer",
           "history", "recording", "metrics", "epoch", "step", "device")
WHO = ("owner", "address", "size")              # written by save, never part of a record


def render(script: str, dialect: str) -> list[str]:
    """The script's statements with the column types in `dialect`'s words."""
    text = script.format(**TYPES[dialect])
    return [part.strip() for part in text.split(";") if part.strip()]
