"""Saves survive a crash: SIGKILL the real server during a burst of saves, restart it on the
same database, and every save that answered a URL opens completely; nothing is half-written.
On both backends: a SQLite file and a PostgreSQL database (`--db postgresql://…`).

The server runs as `python -m server.cli serve` in a subprocess and is driven by a real
Socket.IO client carrying the owner cookie a page would get from GET /.
"""
from __future__ import annotations

import io
import json
import threading
import time

import numpy as np
import requests
from safetensors.torch import load as load_tensors

from livekit import LiveServer, close_soon
from server import store
from storekit import BOTH_BACKENDS, query


XOR = {"data": {"dataset": "xor"}}
EPOCHS = 2
ANSWERED_BEFORE_KILL = 8
START_TIMEOUT_S = 30
CALL_TIMEOUT_S = 3
POLL_S = 0.02


def call(sio, event: str, payload: dict) -> dict:
    answer = sio.call(event, payload, timeout=CALL_TIMEOUT_S)
    assert answer["ok"], answer
    return answer


def burst(sio, session_id: str, answered: list, stop: threading.Event) -> None:
    """Save over and over until the server is gone; every id it answered goes in `answered`."""
    i = 0
    while not stop.is_set():
        try:
            answer = sio.call("save", {"session_id": session_id, "title": f"save {i}"},
                              timeout=CALL_TIMEOUT_S)
        except Exception:            # the connection died with the server
            return
        if answer and answer.get("ok"):
            answered.append(answer["id"])
        i += 1


def assert_complete(target: str) -> int:
    """Every stored row decodes whole (weights, optimiser, history, recording); their count."""
    db = store.open_store(target)
    try:
        if db.dialect == "sqlite":
            assert query(db, "PRAGMA integrity_check") == [("ok",)]
        ids = [r[0] for r in query(db, "SELECT id FROM experiments")]
        for exp_id in ids:
            record = db.load(exp_id)
            assert all(record[c] is not None for c in store.COLUMNS), exp_id
            assert load_tensors(record["weights"]) and "t" in load_tensors(record["optimizer"])
            assert json.loads(record["history"])["epoch"] == list(range(1, EPOCHS + 1))
            with np.load(io.BytesIO(record["recording"]), allow_pickle=False) as z:
                assert len(z.files) > 1
    finally:
        db.close()
    return len(ids)


@BOTH_BACKENDS
def test_every_answered_save_survives_sigkill(tmp_path, database):
    db = database()
    with open(tmp_path / "server.log", "w") as log:
        server = LiveServer(db, log)
        try:
            sio = server.client()
            session_id = call(sio, "open", {"spec": XOR})["session_id"]
            for _ in range(EPOCHS):
                call(sio, "step", {"session_id": session_id, "unit": "epoch"})
            answered: list[str] = []
            stop = threading.Event()
            saver = threading.Thread(target=burst, args=(sio, session_id, answered, stop))
            saver.start()
            deadline = time.monotonic() + START_TIMEOUT_S
            while len(answered) < ANSWERED_BEFORE_KILL and saver.is_alive():
                assert time.monotonic() < deadline, "the saves did not come back"
                time.sleep(POLL_S)
            server.kill()                                  # mid-burst: a save is in flight
            stop.set()
            saver.join()
            close_soon(sio)
        finally:
            server.kill()
        assert len(answered) >= ANSWERED_BEFORE_KILL

        server = LiveServer(db, log)                           # the same database, restarted
        try:
            assert assert_complete(db) >= len(answered)
            for exp_id in answered:
                r = requests.get(f"{server.url}/api/experiments/{exp_id}", timeout=5)
                assert r.status_code == 200, exp_id
                exp = r.json()
                assert exp["spec"]["data"]["dataset"] == "xor" and exp["epoch"] == EPOCHS
                assert len(exp["history"]["epoch"]) == EPOCHS
                assert requests.get(f"{server.url}/e/{exp_id}", timeout=5).ok
            sio = server.client()
            for exp_id in (answered[0], answered[-1]):     # the weights load into a new session
                assert call(sio, "open", {"experiment": exp_id})["epoch"] == EPOCHS
            close_soon(sio)
        finally:
            server.kill()
