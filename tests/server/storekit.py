"""The store tests' share: run a test on both backends, and read a store's rows directly."""
from __future__ import annotations

import pytest

BACKENDS = ("sqlite", "postgresql")
# `pytestmark = BOTH_BACKENDS` (or on one test): every app it makes gets a SQLite file in one
# run and a PostgreSQL database in the other (conftest.database).
BOTH_BACKENDS = pytest.mark.parametrize("database", BACKENDS, indirect=True)


def query(store, sql: str, params: tuple = ()) -> list[tuple]:
    """The rows of one statement (written with `?` placeholders) on the store's database,
    committed."""
    with store.connection("test") as db:
        rows = db.execute(sql.replace("?", store.marker), params).fetchall()
        db.commit()
    return rows


def execute(store, sql: str, params: tuple = ()) -> None:
    with store.connection("test") as db:
        db.execute(sql.replace("?", store.marker), params)
        db.commit()


def count(app) -> int:
    return query(app.extensions["store"], "SELECT count(*) FROM experiments")[0][0]
