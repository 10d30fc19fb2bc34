"""Where saved experiments go: a file path is SQLite, a postgresql:// URL PostgreSQL, from
--db, NN_PLAYGROUND_DB or the app's DATABASE. A target that cannot be used stops `serve` with
one line naming --db (or the variable) and what is accepted, never a traceback; a PostgreSQL
that goes away while serving refuses saves and loads with an error and serves them again once
it is back."""
from __future__ import annotations

import psycopg
import pytest

from server import store
from server.cli import main

from livekit import free_port
from pgkit import SUPERUSER, PostgresServer
from serverkit import XOR, Browser, error_paths, trained

ACCEPTED = "a SQLite file path or a postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME URL"


def refused_line(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        main(["serve", "--device", "cpu", "--workers", "0", *argv])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("target, says", [
    ("postgres://nohost/db", "failed to resolve host 'nohost'"),
    ("postgresql://player:secret@127.0.0.1:{port}/db", "Connection refused"),
    ("mysql://player:secret@db/experiments", "mysql:// is not a database this server can use"),
    ("postgresql://player:secret@[::1/db", "is not a PostgreSQL URL"),
])
def test_a_target_that_cannot_be_used_stops_serve_with_one_line(capsys, target, says):
    line = refused_line(capsys, ["--db", target.format(port=free_port())])
    assert line.startswith("nn-playground: --db: ") and says in line and ACCEPTED in line
    assert "secret" not in line                                  # a password is never shown


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_a_user_that_may_not_make_the_tables_stops_serve_with_one_line(capsys, database,
                                                                       postgres_server):
    target = database()
    with psycopg.connect(target, autocommit=True) as admin:      # PostgreSQL 15: no CREATE
        admin.execute("DROP ROLE IF EXISTS reader")               # on public for others
        admin.execute("CREATE ROLE reader LOGIN")
    line = refused_line(capsys, ["--db", target.replace(f"{SUPERUSER}@", "reader@")])
    assert line.startswith("nn-playground: --db: cannot use postgresql://reader@")
    assert "permission denied" in line and "allowed to create tables" in line


def test_the_environment_names_the_database_when_db_is_not_given(capsys, monkeypatch):
    monkeypatch.setenv(store.ENV, "redis://localhost:6379/0")
    line = refused_line(capsys, [])
    assert line.startswith(f"nn-playground: {store.ENV}: redis:// is not a database")


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_the_environment_chooses_postgresql_for_an_app_without_a_database(
        make_app, monkeypatch, database):
    monkeypatch.setenv(store.ENV, database())
    app = make_app(DATABASE=None)
    assert app.extensions["store"].dialect == "postgresql"
    sock = Browser(app).socket()
    trained(sock, XOR, epochs=1)
    exp_id = sock.call("save", title="env")["id"]
    assert app.extensions["store"].load(exp_id, ("title",)) == {"title": "env"}


@pytest.fixture
def lonely_postgres():
    """A PostgreSQL of this test's own, to stop and start without disturbing the others."""
    server = PostgresServer()
    yield server
    server.close()


def test_a_postgresql_that_goes_away_refuses_saves_and_serves_them_when_back(
        make_app, lonely_postgres):
    app = make_app(DATABASE=lonely_postgres.create_database("outage"))
    owner = Browser(app)
    sock = owner.socket()
    trained(sock, XOR, epochs=1)
    first = sock.call("save", title="before")
    assert first["ok"]
    lonely_postgres.stop()
    refused = error_paths(sock.call("save", title="while away"))[""]
    assert refused == ("save: the database of saved experiments cannot be reached now; try "
                       "again in a moment")
    r = owner.http.get(f"/api/experiments/{first['id']}")
    assert r.status_code == 503 and "cannot be reached" in r.get_json()["errors"][0]["message"]
    assert sock.call("step", unit="epoch")["ok"]                   # the session goes on
    lonely_postgres.start()
    again = sock.call("save", title="after")
    assert again["ok"], again
    for exp_id, title in ((first["id"], "before"), (again["id"], "after")):
        assert owner.http.get(f"/api/experiments/{exp_id}").get_json()["title"] == title
