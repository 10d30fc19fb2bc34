"""The runner with trainer worker processes (WORKERS=2): the path `nn-playground serve` takes on
a machine with more than one core. Real processes and real time: tests wait for frames with a
deadline (never assert durations)."""
from __future__ import annotations

import io
import os
import signal
import time
import zipfile

import pytest

from serverkit import Browser


DEADLINE_S = 60


@pytest.fixture
def app(make_app):
    app = make_app(RUNNER_AUTOSTART=True, WORKERS=2)
    app.extensions["runner"].clock = time.perf_counter      # real time: workers keep their own
    return app


def wait_for(sock, predicate, what: str) -> dict:
    """The first frame (acknowledged, as the page does) for which predicate holds."""
    end = time.monotonic() + DEADLINE_S
    while time.monotonic() < end:
        for frame in sock.frames():
            sock.ack(frame)
            if predicate(frame):
                return frame
        time.sleep(0.01)
    raise AssertionError(f"no frame with {what} within {DEADLINE_S}s")


def test_sessions_train_in_worker_processes_and_stream_frames(app):
    runner = app.extensions["runner"]
    pids = {w.process.pid for w in runner.trainers}
    assert len(pids) == 2 and os.getpid() not in pids
    socks = []
    for _ in range(4):
        sock = Browser(app).socket()
        sock.open()
        assert sock.call("play") == {"ok": True, "status": "playing"}
        socks.append(sock)
    assert {runner.slots[s.session_id].trainer for s in socks} == {0, 1}   # spread over both
    for sock in socks:
        frame = wait_for(sock, lambda f: f["epoch"] >= 5, "epoch ≥ 5")
        assert frame["session_id"] == sock.session_id and frame["status"] == "playing"
        assert frame["arrays"]["output"]["shape"] == [100, 100]
    answer = socks[0].call("pause")
    assert answer["ok"] and answer["status"] == "paused"
    paused = wait_for(socks[0], lambda f: f["status"] == "paused", "status paused")
    time.sleep(0.3)
    assert all(f["epoch"] == paused["epoch"] for f in socks[0].frames())


def test_another_browser_cannot_drive_a_session_in_a_worker(app):
    mine = Browser(app).socket()
    mine.open()
    intruder = Browser(app).socket()
    intruder.open()
    for event in ("play", "pause", "reset", "step", "save"):
        answer = intruder.call(event, {"session_id": mine.session_id})
        assert not answer["ok"] and answer["errors"][0]["path"] == "session_id", (event, answer)
    assert Browser(app).http.get(f"/api/sessions/{mine.session_id}/export.zip").status_code == 404


def test_edit_save_fork_and_export_go_through_the_workers(app):
    browser = Browser(app)
    sock = browser.socket()
    sock.open(spec={"data": {"dataset": "xor"}})
    for _ in range(3):
        assert sock.call("step", unit="epoch")["ok"]
    edited = sock.call("set_weight", layer=0, to=0, **{"from": 1}, value=2.5)
    assert edited["ok"] and edited["epoch"] == 3
    saved = sock.call("save", title="workers")
    assert saved["ok"], saved
    fork = browser.socket()
    answer = fork.open(experiment=saved["id"])
    assert answer["epoch"] == 3 and answer["session_id"] != sock.session_id
    response = browser.http.get(f"/api/sessions/{sock.session_id}/export.zip")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert {"model.py", "weights.safetensors", "spec.json"} <= set(names)


def test_a_killed_worker_is_replaced_and_the_server_goes_on(app):
    runner = app.extensions["runner"]
    sock = Browser(app).socket()
    sock.open()
    victim = runner.trainers[runner.slots[sock.session_id].trainer]
    old_pid = victim.process.pid
    os.kill(old_pid, signal.SIGKILL)
    end = time.monotonic() + DEADLINE_S
    while time.monotonic() < end and (victim.process.pid == old_pid or
                                      not victim.process.is_alive()):
        time.sleep(0.05)
    assert victim.process.pid != old_pid and victim.process.is_alive()
    lost = [m["args"][0] for m in sock.client.get_received() if m["name"] == "lost"]
    assert [e["session_id"] for e in lost] == [sock.session_id]    # its client was told
    assert sock.session_id not in runner.slots                     # and its slot freed
    answer = sock.call("play")
    assert answer["errors"][0]["path"] == "session_id"   # that session died with its worker
    for _ in range(2):                        # both trainers take new sessions again
        again = Browser(app).socket()
        again.open()
        assert again.call("play")["ok"]
        wait_for(again, lambda f: f["epoch"] >= 1, "epoch ≥ 1")
