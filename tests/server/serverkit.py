"""Helpers for the server tests: browsers, sockets, a controllable clock, frame decoding.

A "browser" is a Flask test client (it holds the signed owner cookie)
plus Socket.IO test clients opened through it, so they share that cookie as a page's socket does.
"""
from __future__ import annotations

import secrets

import numpy as np

from engine.data.registry import DATASETS
from server import socketio
from server.cli import main as cli_main


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


NO_SUCH_SESSION = "no such session"


N_TRAIN = 250           # the TF link: 500 xor points, 50 % for training


BATCHES_PER_EPOCH = N_TRAIN // 10


def weights(frame: dict) -> dict[str, bytes]:
    return {k: v["data"] for k, v in frame["arrays"].items() if k.startswith(("weight.", "bias."))}


def play_and_collect(sock, trainer, ticks: int) -> list[dict]:
    """Tick `ticks` times, acknowledging every frame as a page does; the frames, in order."""
    got = []
    for _ in range(ticks):
        trainer.tick()
        for frame in sock.frames():
            got.append(frame)
            sock.ack(frame)
    return got


def tick_until_frame(sock, trainer, max_ticks: int = 10) -> dict:
    """Tick until a frame arrives (at 20 fps a frame is due every few ticks); that frame."""
    for _ in range(max_ticks):
        trainer.tick()
        got = sock.frames()
        if got:
            assert len(got) == 1, got
            return got[0]
    raise AssertionError(f"no frame in {max_ticks} ticks")


def error_paths(answer: dict) -> dict[str, str]:
    assert answer["ok"] is False, answer
    assert answer["errors"], answer
    for e in answer["errors"]:
        assert isinstance(e["path"], str) and isinstance(e["message"], str), e
    return {e["path"]: e["message"] for e in answer["errors"]}


def assert_no_such_session(answer: dict) -> None:
    paths = error_paths(answer)
    assert list(paths) == ["session_id"], answer
    assert NO_SUCH_SESSION in paths["session_id"]


SESSION_EVENTS = [
    ("open", {}), ("configure", {"spec": {}}), ("play", {}), ("pause", {}), ("reset", {}),
    ("regenerate", {}), ("step", {"unit": "epoch"}), ("view", {"focus": 0}),
    ("set_weight", {"layer": 0, "to": 0, "from": 0, "value": 1.0}),
    ("set_bias", {"layer": 0, "unit": 0, "value": 1.0}),
]


BAD_SPEC = {"data": {"dataset": "nope"},
            "training": {"batch_size": 0, "learning_rate": "abc"},
            "colour": "red"}


def check_bad_spec_errors(answer: dict) -> None:
    paths = error_paths(answer)
    assert set(paths) == {"data.dataset", "training.batch_size", "training.learning_rate",
                          "colour"}, paths
    for path, message in paths.items():
        assert message.startswith(path + ":"), message
    assert "minimum 1" in paths["training.batch_size"]
    assert "1e-05 to 10" in paths["training.learning_rate"]
    assert all(name in paths["data.dataset"] for name in DATASETS)
    assert "unknown" in paths["colour"]


XOR = {"data": {"dataset": "xor"}}


EPOCHS = 3


def trained(sock, spec=XOR, epochs=EPOCHS) -> dict:
    """Open `spec`, step `epochs` epochs; the last frame."""
    sock.open(spec=spec)
    for _ in range(epochs):
        assert sock.call("step", unit="epoch")["ok"]
    return sock.frames()[-1]


def save(sock, **fields) -> dict:
    answer = sock.call("save", **fields)
    assert answer["ok"], answer
    return answer


def run_main(argv, capsys) -> tuple[int, str, str]:
    """The CLI's main(argv) in this process: its exit code, stdout and stderr."""
    try:
        cli_main(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err
