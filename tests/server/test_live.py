"""The real server under the conditions that broke it: its first `open` right after it starts on
a busy CPU, one client flooding opens from fresh cookies while another person opens a session,
and a restart with the same secret. `nn-playground serve` runs in a subprocess (livekit)."""
from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
import socketio

from livekit import LiveServer, close_soon

XOR = {"data": {"dataset": "xor"}}
CALL_TIMEOUT_S = 3          # what tests/server/test_store.py allowed the first open (it failed)
# A second person's opens are all answered while one client floods: the flood's never take
# every slot nor leave hers unanswered. How long hers take, quiet and flooded, bench/flood.py
# measures (the bound: within 1 s).
PERSON_TIMEOUT_S = 10
FLOOD_S = 5
FLOODERS = 3
FLOODER = {"X-Forwarded-For": "198.51.100.7"}        # one address (behind --proxy-hops 1)
SECRET = "s" * 48


@pytest.fixture
def busy_cpu():
    """A core kept busy for the whole test, as on a loaded CI machine."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    yield
    proc.kill()
    proc.wait()


@pytest.fixture
def log(tmp_path):
    with open(tmp_path / "server.log", "w") as out:
        yield out


def opened(sio, payload=None) -> dict:
    answer = sio.call("open", payload or {"spec": XOR}, timeout=CALL_TIMEOUT_S)
    assert answer["ok"], answer
    return answer


def test_the_first_open_right_after_start_answers_on_a_busy_cpu(tmp_path, log, busy_cpu):
    server = LiveServer(str(tmp_path / "db.sqlite3"), log, "--workers", "2")
    try:
        sio = server.client()                # the moment it listens: its trainers are ready
        answer = opened(sio)
        assert answer["status"] == "paused" and answer["epoch"] == 0
        close_soon(sio)
    finally:
        server.kill()


def flood(server: LiveServer, stop: threading.Event, tally: dict) -> None:
    """Fresh cookies, one socket each, opens as fast as the server answers; sockets kept."""
    held = []
    while not stop.is_set():
        try:
            sio = server.client(headers=FLOODER)
            held.append(sio)
            answer = sio.call("open", {"hash": "#dataset=xor"}, timeout=CALL_TIMEOUT_S)
            tally["opened" if answer["ok"] else "refused"] += 1
        except (socketio.exceptions.ConnectionError, socketio.exceptions.TimeoutError,
                OSError):
            tally["refused"] += 1            # the connection itself refused: also an answer
    tally["sockets"] = tally.get("sockets", 0) + len(held)   # left open: the server's to bear


def test_a_flood_of_opens_from_fresh_cookies_locks_no_one_out(tmp_path, log):
    server = LiveServer(str(tmp_path / "db.sqlite3"), log, "--proxy-hops", "1")
    stop, tally = threading.Event(), {"opened": 0, "refused": 0}
    flooders = [threading.Thread(target=flood, args=(server, stop, tally))
                for _ in range(FLOODERS)]
    try:
        for t in flooders:
            t.start()
        people = []
        end = time.monotonic() + FLOOD_S
        while time.monotonic() < end:
            headers = {"X-Forwarded-For": f"203.0.113.{len(people) + 1}"}
            sio = server.client(headers=headers)
            answer = sio.call("open", {"spec": XOR}, timeout=PERSON_TIMEOUT_S)
            assert answer["ok"], answer                    # she always gets her session
            people.append(sio)
            time.sleep(1)
        stop.set()
        for t in flooders:
            t.join(CALL_TIMEOUT_S * 3)
        assert tally["opened"] + tally["refused"] > 50, tally      # it really flooded
        assert tally["refused"] > 0 and tally["opened"] <= 64, tally   # and met its limits
        assert len(people) >= 3, people      # their sockets go with the server
    finally:
        stop.set()
        server.kill()


def test_a_restart_with_the_same_secret_keeps_the_browser(tmp_path, log):
    db = str(tmp_path / "db.sqlite3")
    env = {"NN_PLAYGROUND_SECRET": SECRET}
    server = LiveServer(db, log, env=env)
    try:
        cookie = server.cookie()
        sio = server.client(cookie)
        old = opened(sio)["session_id"]
    finally:
        server.kill()
    server = LiveServer(db, log, env=env)           # restarted: its sessions are gone
    try:
        frames = []
        sio = socketio.Client(reconnection=False)
        sio.on("frame", frames.append)
        sio.connect(server.url, headers={"Cookie": cookie}, wait_timeout=10)   # still valid
        gone = sio.call("open", {"session_id": old}, timeout=CALL_TIMEOUT_S)
        assert gone["errors"][0]["path"] == "session_id"
        new = opened(sio)["session_id"]             # what the page does: reopen from its spec
        deadline = time.monotonic() + CALL_TIMEOUT_S
        while not any(f["session_id"] == new for f in frames):
            assert time.monotonic() < deadline, "the new session's first frame never came"
            time.sleep(0.02)
        close_soon(sio)
    finally:
        server.kill()
    other = LiveServer(db, log, env={"NN_PLAYGROUND_SECRET": "t" * 48})
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            other.client(cookie)                    # another key: the cookie means nothing
    finally:
        other.kill()
