"""Saved experiments: one interface (`Store`: init, save, delete, load) with two backends,
chosen by the target's form: a file path is SQLite (the default, server.store.sqlite), a
`postgresql://` (or `postgres://`) URL is PostgreSQL (server.store.postgres, needs the
`postgres` extra). The app's store is `app.extensions["store"]`; its target comes from the
app's DATABASE, else NN_PLAYGROUND_DB, else instance/nn-playground.sqlite3."""
from __future__ import annotations

import os
import re

from flask import Flask, current_app, jsonify

from server.config import DATABASE_ENV as ENV, DEFAULT_DATABASE
from server.errors import BadDatabase
from server.store.base import ACCEPTED, DatabaseUnavailable, Store
from server.store.limits import (MAX_DESCRIPTION, MAX_RECORD_BYTES, MAX_TITLE, Quota,
                                 check_text, size_of, valid_id)
from server.store.schema import COLUMNS, SCHEMA_VERSION, WHO
from server.store.sqlite import SqliteStore

POSTGRES_SCHEMES = ("postgresql", "postgres")
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")

__all__ = ["ACCEPTED", "BadDatabase", "COLUMNS", "DatabaseUnavailable", "ENV",
           "MAX_DESCRIPTION", "MAX_RECORD_BYTES", "MAX_TITLE", "Quota", "SCHEMA_VERSION",
           "Store", "WHO", "check_text", "current", "init_app", "open_store", "size_of",
           "valid_id"]


def open_store(target: str) -> Store:
    """The store of `target` (not yet initialised); BadDatabase names what is accepted."""
    if not isinstance(target, str) or not target.strip():
        raise BadDatabase(f"{target!r} is empty; give {ACCEPTED}")
    scheme = SCHEME.match(target)
    if scheme is None:
        return SqliteStore(target)
    if scheme.group(1).lower() not in POSTGRES_SCHEMES:
        raise BadDatabase(f"{scheme.group(1)}:// is not a database this server can use; give "
                          f"{ACCEPTED}")
    try:
        # Started once, at start-up: psycopg is the optional `postgres` extra.
        from server.store.postgres import PostgresStore
    except ImportError:
        raise BadDatabase("PostgreSQL needs psycopg: pip install 'nn-playground[postgres]'"
                          ) from None
    return PostgresStore(target)


def target_of(config: dict) -> str:
    return config.get("DATABASE") or os.environ.get(ENV) or DEFAULT_DATABASE


def init_app(app: Flask) -> None:
    """Open and initialise the app's store (BadDatabase when it cannot be used)."""
    store = open_store(target_of(app.config))
    store.init()
    app.config["DATABASE"] = store.target
    app.extensions["store"] = store

    @app.errorhandler(DatabaseUnavailable)
    def unavailable(exc):
        return jsonify(errors=exc.errors), 503


def current() -> Store:
    """The store of the app handling this request."""
    return current_app.extensions["store"]
