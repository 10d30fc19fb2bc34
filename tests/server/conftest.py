"""Fixtures for the server tests: a fresh app per test, browsers, a controllable clock, and the
saved experiments' database on either backend.

Every test gets its own app from the factory (`create_app`) with the trainer thread off; tests
drive training with `trainer.tick()` (the one in-process trainer that holds every session) and
a fake clock (serverkit.FakeClock), so nothing sleeps and nothing depends on how fast the
machine is. Each app gets a fresh database from `database`: a SQLite file, or, in the tests
marked `storekit.BOTH_BACKENDS`, once a SQLite file and once a PostgreSQL database on the
session's throwaway server (pgkit).
"""
from __future__ import annotations

import uuid

import pytest

from server import create_app

from pgkit import PostgresServer
from serverkit import TF_HASH, Browser, FakeClock, Socket


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL for the whole run, started when a test first needs it."""
    server = PostgresServer()
    yield server
    server.close()


@pytest.fixture
def database(request, tmp_path):
    """A factory of fresh, empty databases: `new()` gives a target for `DATABASE` or `--db`.
    SQLite files unless the test is parametrised over storekit.BACKENDS (indirectly)."""
    backend = getattr(request, "param", "sqlite")
    server = request.getfixturevalue("postgres_server") if backend == "postgresql" else None
    names: list[str] = []

    def new() -> str:
        names.append(f"test_{uuid.uuid4().hex[:16]}")
        if server is None:
            return str(tmp_path / f"db{len(names) - 1}.sqlite3")
        return server.create_database(names[-1])

    yield new
    for name in names if server is not None else ():
        server.drop_database(name)


@pytest.fixture
def make_app(tmp_path, database):
    """App factory with the test configuration; keyword arguments override it."""
    apps = []

    def make(**config):
        base = {"RUNNER_AUTOSTART": False, "DATABASE": database(),
                "TESTING": True, "FPS": 20, "SOCKET_HANDLER_THREADS": 0,
                "INSTANCE_DIR": str(tmp_path / "instance")}
        app = create_app({**base, **config})
        runner, clock = app.extensions["runner"], FakeClock()
        runner.clock = clock
        if not runner.trainers[0].__class__.__name__ == "WorkerTrainer":
            runner.trainers[0].trainer.clock = clock
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["runner"].stop()
        app.extensions["store"].close()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def runner(app):
    return app.extensions["runner"]


@pytest.fixture
def trainer(runner):
    """The in-process trainer (its thread is off): tests tick it and look at its sessions."""
    return runner.trainers[0].trainer


@pytest.fixture
def clock(runner) -> FakeClock:
    return runner.clock


@pytest.fixture
def visitor(app) -> Browser:
    return Browser(app)


@pytest.fixture
def sock(visitor) -> Socket:
    return visitor.socket()


@pytest.fixture
def opened(sock) -> Socket:
    """A socket with the TF link open and its first frame acknowledged and consumed."""
    sock.open(hash=TF_HASH)
    sock.ack(sock.frame())
    return sock
