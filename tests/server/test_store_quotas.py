"""Storage that cannot be filled, and that its users can empty: each saved record notes who
saved it and its size; quotas per browser and per address and a free-disk floor refuse a save
naming what to do; the owner (only) deletes; a version 1 database is migrated without losing a
row. On both backends (SQLite and PostgreSQL), but for the free-disk floor: PostgreSQL's disk
is its server's, not this machine's.
"""
from __future__ import annotations

from server import store
from server.store.schema import SCHEMA, render
from serverkit import XOR, Browser, error_paths, trained
from storekit import BOTH_BACKENDS, execute, query

V1_SCHEMA = SCHEMA.split("    owner TEXT,")[0].rstrip().rstrip(",") + "\n);"


def saved(sock, title="run") -> dict:
    return sock.call("save", title=title)


@BOTH_BACKENDS
def test_a_browser_past_its_quota_is_told_to_delete_first(make_app):
    app = make_app()
    sock = Browser(app).socket()
    trained(sock, XOR, epochs=1)
    first = saved(sock)
    assert first["ok"]
    size = app.extensions["store"].load(first["id"], ("size",))["size"]
    app.config["SAVE_QUOTA_BROWSER_BYTES"] = int(size * 2.5)
    assert saved(sock)["ok"]
    refused = error_paths(saved(sock))[""]
    assert "this browser has saved" in refused and "delete some saved experiments" in refused
    r = sock.client.flask_test_client.delete(f"/api/experiments/{first['id']}")
    assert r.status_code == 200 and r.get_json() == {"deleted": first["id"]}
    assert saved(sock)["ok"]                                  # room again


@BOTH_BACKENDS
def test_an_address_has_a_quota_across_browsers(make_app):
    app = make_app()
    socks = [Browser(app).socket() for _ in range(3)]
    for sock in socks:
        trained(sock, XOR, epochs=1)
    size = app.extensions["store"].load(saved(socks[0])["id"], ("size",))["size"]
    app.config["SAVE_QUOTA_ADDRESS_BYTES"] = int(size * 2.5)
    assert saved(socks[1])["ok"]
    assert "this address has saved" in error_paths(saved(socks[2]))[""]


def test_no_save_fills_the_disk(make_app):          # SQLite's: its file's folder on this machine
    app = make_app(MIN_FREE_DISK_BYTES=10 ** 18)
    sock = Browser(app).socket()
    trained(sock, XOR, epochs=1)
    assert "disk is nearly full" in error_paths(saved(sock))[""]


@BOTH_BACKENDS
def test_only_the_browser_that_saved_may_delete_and_only_it_sees_the_button(app):
    owner = Browser(app)
    sock = owner.socket()
    trained(sock, XOR, epochs=1)
    exp_id = saved(sock)["id"]
    other = Browser(app).http
    assert b'data-experiment-owned="true"' in owner.http.get(f"/e/{exp_id}").data
    assert b"data-experiment-owned" not in other.get(f"/e/{exp_id}").data
    r = other.delete(f"/api/experiments/{exp_id}")
    assert r.status_code == 403 and r.get_json()["errors"][0]["path"] == "id"
    assert owner.http.delete(f"/api/experiments/{exp_id}").status_code == 200
    for http in (owner.http, other):
        assert http.get(f"/api/experiments/{exp_id}").status_code == 404
        assert http.delete(f"/api/experiments/{exp_id}").status_code == 404
    assert owner.http.delete("/api/experiments/not-an-id").status_code == 404


@BOTH_BACKENDS
def test_a_version_1_database_is_migrated_without_losing_a_row(database, make_app):
    target = database()
    old = store.open_store(target)
    for statement in render(V1_SCHEMA, old.dialect):
        execute(old, statement)
    row = {"id": "A" * 22, "created": 1.0, "format": 1, "title": "old", "description": "",
           "spec": '{"data": {"dataset": "xor"}}', "weights": b"w" * 100, "optimizer": b"",
           "history": "{}", "recording": b"r" * 50, "metrics": "{}", "epoch": 3, "step": 30,
           "device": "cpu"}
    execute(old, f"INSERT INTO experiments ({', '.join(row)}) VALUES "
                 f"({', '.join('?' * len(row))})", tuple(row.values()))
    old.close()
    app = make_app(DATABASE=target)
    migrated = app.extensions["store"].load(row["id"], store.COLUMNS + store.WHO)
    assert {k: migrated[k] for k in row} == row
    assert migrated["owner"] is None and migrated["size"] == 100 + 50 + 3 + 28 + 2 + 2
    meta = query(app.extensions["store"], "SELECT value FROM meta")
    assert meta == [(str(store.SCHEMA_VERSION),)]
    assert Browser(app).http.delete(f"/api/experiments/{row['id']}").status_code == 403
    again = store.open_store(target)
    again.init()                                                  # a second start: unchanged
    assert again.load(row["id"], ("size",))["size"] == migrated["size"]
    again.close()


@BOTH_BACKENDS
def test_a_record_over_the_size_cap_is_refused_naming_it(make_app):
    app = make_app(MAX_EXPERIMENT_BYTES=1000)
    sock = Browser(app).socket()
    trained(sock, XOR, epochs=1)
    assert "can be saved" in error_paths(saved(sock))["model"]
