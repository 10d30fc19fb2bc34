"""SQLite storage: one file, WAL journal, schema created on first use.

Saved experiments (spec, weights, history, recorded frames) are the save/share feature's;
this module owns the connection discipline they will use: one connection per thread,
`with connect(app) as db:` commits on success.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '1');
"""


def connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=10)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    return db


def init_app(app: Flask) -> None:
    path = Path(app.config["DATABASE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect(str(path)) as db:
        db.executescript(SCHEMA)
    db.close()
