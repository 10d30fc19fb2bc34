"""The PostgreSQL backend (`--db postgresql://…`, psycopg 3): every web node of a cluster
shares one database. Connections are kept for the next request and checked before reuse, so
a server that went away and came back is served again at once, no restart; while it is away
each request answers DatabaseUnavailable (never a crash). Saves that share a quota (the same
browser or address) take their turn on advisory locks, so the quota check and the insert see
the same rows, as SQLite's one writer does; the schema is made by one node at a time."""
from __future__ import annotations

import hashlib
import logging
import re
import threading
from contextlib import contextmanager

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus

from server.errors import PayloadError
from server.errors import BadDatabase
from server.store.base import ACCEPTED, DatabaseUnavailable, Store
from server.store.limits import DISK_FULL, Quota

log = logging.getLogger(__name__)
CONNECT_TIMEOUT_S = 5             # an unreachable host refuses a request this soon
MAX_IDLE = 8                      # connections kept between requests (a node's busy handlers)
SCHEMA_LOCK = 0x6E6E_706C         # advisory lock key of the schema ("nnpl")
QUOTA_LOCKS = {"owner": 1, "address": 2}   # advisory lock class of each quota's key
PASSWORD = re.compile(r"(://[^:/@]*):[^@/]*@")   # user:password@ in a URL


def one_line(exc: BaseException) -> str:
    """The driver's message on one line, any password in it masked."""
    return PASSWORD.sub(r"\1:***@", " ".join(str(exc).split())) or type(exc).__name__


def lock_key(text: str) -> int:
    """A stable signed 32-bit key for an advisory lock on `text` (collisions only serialise)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big",
                          signed=True)


class PostgresStore(Store):
    dialect = "postgresql"
    marker = "%s"

    def __init__(self, url: str):
        super().__init__(url)
        try:
            params = conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise BadDatabase(f"{self.describe()} is not a PostgreSQL URL ({one_line(exc)}); "
                              f"give {ACCEPTED}") from None
        self.options = {} if "connect_timeout" in params else \
            {"connect_timeout": CONNECT_TIMEOUT_S}
        self.idle: list[psycopg.Connection] = []
        self.lock = threading.Lock()
        self.serving = False              # past init: a lost server is logged, not fatal

    def describe(self) -> str:
        return PASSWORD.sub(r"\1:***@", self.target)

    def init(self) -> None:
        """As Store.init; a server that cannot be reached is a BadDatabase (start-up)."""
        try:
            super().init()
        except DatabaseUnavailable as exc:
            raise BadDatabase(f"cannot use {self.describe()}: {one_line(exc.__cause__)}; give "
                              f"{ACCEPTED} of a server that accepts connections") from None
        except psycopg.Error as exc:     # reached, but refused: no right to make the tables
            raise BadDatabase(f"cannot use {self.describe()}: {one_line(exc)}; its user must "
                              f"be allowed to create tables there") from None
        self.serving = True

    # ---- connections ------------------------------------------------------------------------

    def _take(self) -> psycopg.Connection:
        """A kept connection that still answers, else a new one."""
        while True:
            with self.lock:
                db = self.idle.pop() if self.idle else None
            if db is None:
                return psycopg.connect(self.target, **self.options)
            try:
                db.execute("SELECT 1")
                db.rollback()
                return db
            except psycopg.Error:           # the server restarted since: try the next one
                db.close()

    def _keep(self, db: psycopg.Connection) -> None:
        idle = not db.closed and db.info.transaction_status == TransactionStatus.IDLE
        with self.lock:
            if idle and len(self.idle) < MAX_IDLE:
                self.idle.append(db)
                return
        db.close()

    @contextmanager
    def connection(self, action: str):
        try:
            db = self._take()
        except psycopg.OperationalError as exc:
            self._lost(exc)
            raise DatabaseUnavailable(action) from exc
        try:
            yield db
        except pg_errors.DiskFull:
            db.close()
            raise PayloadError("", DISK_FULL) from None
        except psycopg.OperationalError as exc:
            db.close()
            self._lost(exc)
            raise DatabaseUnavailable(action) from exc
        except BaseException:
            db.close()
            raise
        self._keep(db)

    def _lost(self, exc: BaseException) -> None:
        if self.serving:
            log.warning("saved experiments: %s: %s", self.describe(), one_line(exc))

    def close(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for db in idle:
            db.close()

    # ---- the backend's share ----------------------------------------------------------------

    def begin_schema(self, db) -> None:
        db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))

    def has_experiments(self, db) -> bool:
        return db.execute("SELECT to_regclass('experiments') IS NOT NULL").fetchone()[0]

    def begin_save(self, db, quota: Quota) -> None:
        # Always in this order (the owner's, then the address's): two saves never wait on
        # each other in a circle. (psycopg opens the transaction with the first statement.)
        for column, key, _, _ in quota.limits():
            db.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                       (QUOTA_LOCKS[column], lock_key(key)))

    def room_on_disk(self, size: int, min_free: int) -> bool:
        return True       # the database server's disk is its own: a full one is DiskFull

    def is_duplicate(self, exc: BaseException) -> bool:
        return isinstance(exc, pg_errors.UniqueViolation)
