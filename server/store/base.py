"""The saved experiments' store, its SQL written once: `init` makes or migrates the schema,
`save` checks the quotas and inserts a record in ONE transaction that commits before it
returns (a crash leaves the whole row or none), `delete` lets only its owner remove one, `load`
reads columns of one. Records are never updated. A backend (server.store.sqlite,
server.store.postgres) supplies connections, the locks that serialise writers and how its
errors read; which one serves a target is `server.store.open_store`'s choice."""
from __future__ import annotations

import secrets
import time
from contextlib import contextmanager

from server.errors import PayloadError
from server.store.limits import (DISK_FULL, ID_BYTES, Quota, check_size, over_quota,
                                 valid_id)
from server.store.schema import COLUMNS, INDEXES, MIGRATIONS, SCHEMA, SCHEMA_VERSION, WHO, render

ACCEPTED = "a SQLite file path or a postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME URL"


class DatabaseUnavailable(PayloadError):
    """The database went away mid-request: the request is refused, the server goes on, and
    the next request tries again."""

    def __init__(self, action: str):
        super().__init__("", f"{action}: the database of saved experiments cannot be reached "
                             f"now; try again in a moment")


class Store:
    """The saved experiments in one database; safe to share between threads."""
    dialect = ""                       # schema.TYPES key
    marker = "?"                       # the driver's parameter placeholder

    def __init__(self, target: str):
        self.target = target

    def describe(self) -> str:
        """The target as it may be printed (no password)."""
        return self.target

    # ---- what a backend supplies --------------------------------------------------------------

    @contextmanager
    def connection(self, action: str):
        """A connection for one request (`action` names it in errors); the caller commits."""
        raise NotImplementedError
        yield

    def begin_schema(self, db) -> None:
        """Start the transaction that makes or migrates the schema: one process at a time."""
        raise NotImplementedError

    def has_experiments(self, db) -> bool:
        raise NotImplementedError

    def begin_save(self, db, quota: Quota) -> None:
        """Start a save's transaction, serialised with every other save under its quotas."""
        raise NotImplementedError

    def room_on_disk(self, size: int, min_free: int) -> bool:
        raise NotImplementedError

    def is_duplicate(self, exc: BaseException) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        """Let go of any connections kept open."""

    # ---- written once ---------------------------------------------------------------------

    def init(self) -> None:
        """Make the schema, or bring an older one up to SCHEMA_VERSION without losing a row."""
        with self.connection("open the database") as db:
            try:
                self.begin_schema(db)      # one process migrates; the others wait, then see it
                fresh = not self.has_experiments(db)
                self._run(db, SCHEMA)
                if fresh:
                    self._set_version(db, SCHEMA_VERSION)
                self.migrate(db)
                self._run(db, INDEXES)
                db.commit()
            except BaseException:
                db.rollback()
                raise

    def _run(self, db, script: str) -> None:
        for statement in render(script, self.dialect):
            db.execute(statement)

    def _set_version(self, db, version: int) -> None:
        db.execute(f"UPDATE meta SET value = {self.marker} WHERE key = 'schema_version'",
                   (str(version),))

    def migrate(self, db) -> None:
        """Bring the database up to SCHEMA_VERSION inside the caller's transaction."""
        version = int(db.execute("SELECT value FROM meta WHERE key = 'schema_version'")
                      .fetchone()[0])
        for target in sorted(v for v in MIGRATIONS if v > version):
            self._run(db, MIGRATIONS[target])
            self._set_version(db, target)

    def save(self, record: dict, max_bytes: int, quota: Quota = Quota()) -> str:
        """Store `record` (every COLUMNS key but id and created) as a new experiment; its id.
        Refused (PayloadError) when it would pass a quota or leave too little disk free,
        checked in the same transaction as the insert. Committed before it returns."""
        size = check_size(record, max_bytes)
        if not self.room_on_disk(size, quota.min_free_disk):
            raise PayloadError("", DISK_FULL)
        names = COLUMNS + WHO
        insert = (f"INSERT INTO experiments ({', '.join(names)}) VALUES "
                  f"({', '.join([self.marker] * len(names))})")
        with self.connection("save") as db:
            while True:
                row = {**record, "id": secrets.token_urlsafe(ID_BYTES), "created": time.time(),
                       "owner": quota.owner, "address": quota.address, "size": size}
                try:
                    self.begin_save(db, quota)  # one transaction: the quota check and the row
                    self._check_quota(db, quota, size)
                    db.execute(insert, [row[c] for c in names])
                    db.commit()
                    return row["id"]
                except BaseException as exc:
                    db.rollback()
                    if not self.is_duplicate(exc):
                        raise
                    # a 128-bit id collided: draw another

    def _check_quota(self, db, quota: Quota, size: int) -> None:
        for column, key, limit, who in quota.limits():
            used = db.execute(f"SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM experiments "
                              f"WHERE {column} = {self.marker}", (key,)).fetchone()[0]
            if used + size > limit:
                raise over_quota(who, used, limit)

    def delete(self, exp_id, owner: str) -> str:
        """Delete an experiment its owner saved: "deleted", "missing" or "not yours"."""
        if not valid_id(exp_id):
            return "missing"
        with self.connection("delete") as db:
            try:
                row = db.execute(f"SELECT owner FROM experiments WHERE id = {self.marker}",
                                 (exp_id,)).fetchone()
                if row is None:
                    outcome = "missing"
                elif row[0] is None or row[0] != owner:
                    outcome = "not yours"
                else:
                    db.execute(f"DELETE FROM experiments WHERE id = {self.marker}", (exp_id,))
                    outcome = "deleted"
                db.commit()
                return outcome
            except BaseException:
                db.rollback()
                raise

    def load(self, exp_id, columns: tuple[str, ...] = COLUMNS) -> dict | None:
        """The experiment's `columns`, or None for an unknown or malformed id."""
        if not valid_id(exp_id):
            return None
        unknown = set(columns) - set(COLUMNS + WHO)
        if unknown:
            raise ValueError(f"no such columns: {sorted(unknown)}")
        with self.connection("load") as db:
            row = db.execute(f"SELECT {', '.join(columns)} FROM experiments WHERE id = "
                             f"{self.marker}", (exp_id,)).fetchone()
            db.rollback()                      # a read: nothing to keep, the connection freed
        return None if row is None else dict(zip(columns, row))
