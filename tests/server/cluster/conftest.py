"""Fixtures of the cluster tests: Redis, two web nodes and two trainer nodes, all real
processes (clusterkit), all killed at teardown."""
from __future__ import annotations

import pytest

from clusterkit import RedisServer, TrainerProcess, redis_binary, web_node


@pytest.fixture
def log(tmp_path):
    with open(tmp_path / "cluster.log", "w") as out:
        yield out


@pytest.fixture
def redis_server(tmp_path):
    redis_binary()
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder)
    yield server
    server.kill()


@pytest.fixture
def cluster(log, redis_server, database):
    """(redis, [web A, web B], [trainer 1, trainer 2]) sharing one database: a SQLite file, or
    a PostgreSQL database where the test is parametrised so (conftest.database)."""
    made = {"web": [], "trainers": []}
    shared = database()
    try:
        for _ in range(2):
            made["trainers"].append(TrainerProcess(redis_server.url, log))
        for _ in range(2):
            made["web"].append(web_node(shared, log, redis_server.url))
        yield redis_server, made["web"], made["trainers"]
    finally:
        for process in made["web"] + made["trainers"]:
            process.kill()
