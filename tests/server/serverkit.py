"""Helpers for the server tests: browsers, sockets, a controllable clock, frame decoding.

A "browser" is a Flask test client (it holds the signed owner cookie)
plus Socket.IO test clients opened through it, so they share that cookie as a page's socket does.
"""
from __future__ import annotations

import secrets

import numpy as np

from server import socketio


# A TF Playground link: xor, 3 inputs (x, y, x·y), hidden layers 5 and 3.
TF_HASH = ("#activation=tanh&batchSize=10&dataset=xor&learningRate=0.03&noise=0"
           "&networkShape=5,3&seed=0.12345&x=true&y=true&xTimesY=true&percTrainData=50"
           "&problem=classification")
TF_INPUTS, TF_UNITS = 3, (5, 3)

# Regression on a plane with a huge learning rate: the loss is inf/nan within one epoch.
DIVERGING = {"data": {"dataset": "plane", "samples": 100},
             "model": {"layers": [{"units": 8, "activation": "relu"},
                                  {"units": 8, "activation": "relu"}]},
             "training": {"learning_rate": 10, "batch_size": 1}}


class FakeClock:
    """The runner's clock. Every reading moves time on by `step` (so `train_for` budgets end
    after a fixed number of batches); `advance` jumps. Deterministic, never sleeps."""

    def __init__(self, step: float = 1e-3):
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def unpack(frame: dict) -> dict:
    """A frame as sent (every array in one binary `blob`) with each array's bytes as `data`."""
    blob = frame.get("blob")
    if blob is None:
        return frame
    assert isinstance(blob, bytes), "the arrays did not arrive as binary"
    for a in frame["arrays"].values():
        assert a["offset"] % 8 == 0
        a["data"] = blob[a["offset"]:a["offset"] + a["nbytes"]]
    return frame


def array(frame: dict, name: str) -> np.ndarray:
    """Decode one binary array of a frame."""
    a = frame["arrays"][name]
    assert isinstance(a["data"], bytes), f"{name} did not arrive as binary"
    return np.frombuffer(a["data"], dtype=a["dtype"]).reshape(a["shape"])


class Socket:
    """One Socket.IO connection of a browser."""

    def __init__(self, app, http):
        self.app = app
        self.client = socketio.test_client(app, flask_test_client=http)
        assert self.client.is_connected()
        self.session_id: str | None = None

    def call(self, event: str, payload=None, **fields):
        """Emit with an acknowledgement and return the answer; fields fill the payload and the
        current session id is added unless the payload says otherwise."""
        if payload is None:
            payload = dict(fields)
            if self.session_id is not None:
                payload.setdefault("session_id", self.session_id)
        return self.client.emit(event, payload, callback=True)

    def send(self, event: str, payload) -> None:
        """Emit without an acknowledgement."""
        self.client.emit(event, payload)

    def open(self, **payload) -> dict:
        answer = self.client.emit("open", payload, callback=True)
        assert answer["ok"], answer
        self.session_id = answer["session_id"]
        return answer

    def frames(self) -> list[dict]:
        """Frames received since the last call, oldest first (other events fail the test)."""
        got = self.client.get_received()
        assert all(m["name"] == "frame" for m in got), [m["name"] for m in got]
        return [unpack(m["args"][0]) for m in got]

    def frame(self) -> dict:
        """Exactly one new frame."""
        got = self.frames()
        assert len(got) == 1, f"expected one frame, got {len(got)}"
        return got[0]

    def ack(self, frame: dict) -> None:
        self.send("frame_ack", {"session_id": frame["session_id"], "seq": frame["seq"]})

    def disconnect(self) -> None:
        self.client.disconnect()


class Browser:
    """A browser: one cookie jar, any number of sockets."""

    def __init__(self, app, load_page: bool = False):
        """`load_page`: get the cookie from GET / as a page does; otherwise write the same
        signed cookie directly (so socket tests do not depend on the page template)."""
        self.app = app
        self.http = app.test_client()
        if load_page:
            assert self.http.get("/").status_code == 200
        else:
            with self.http.session_transaction() as cookie:
                cookie["owner"] = secrets.token_urlsafe(16)

    def socket(self) -> Socket:
        return Socket(self.app, self.http)


