"""Fuzz: thousands of generated payloads, from a seeded generator, at every socket event and
every HTTP endpoint. Each must be answered (an ack with ok true, or ok false with errors that
name their field), none may be answered "internal server error" or a 5xx, nothing may be
logged at ERROR, and afterwards the server still serves a normal session.

Payloads start from valid ones (a live session's id, a working spec, a share link) and are
mutated: keys dropped, unknown keys added, values replaced by anything JSON can hold (huge and
negative numbers, NaN, 4,000-digit integers, long and odd text, deep lists and objects), specs
changed field by field, hashes made of known and unknown keys.
"""
from __future__ import annotations

import logging
import math
import random

import pytest

from engine.spec.urlcodec import NEW_KEYS, TF_KEYS
from server.limits import Rate
from server.sockets.payloads import EVENT_FIELDS
from serverkit import Browser, tick_until_frame

SEED = 20240611
SOCKET_PAYLOADS = 3900
HTTP_REQUESTS = 1200
BROWSERS = 6                     # payloads rotate among them (each has a live session)
# Validation is what is fuzzed: the rate limits (tested on their own) are opened wide.
WIDE = Rate(10 ** 9, 10 ** 9, "fuzzing")
WIDE_RATES = {kind: {"browser": WIDE, "address": WIDE} for kind in ("open", "step", "save")}
# A refusal with no field path names its subject in its first words instead.
GENERAL = ("payload:", "slow down:", "this browser", "this address", "the server", "save:")

BASES = [
    {"data": {"dataset": "xor", "samples": 100}},
    {"data": {"dataset": "circle", "samples": 60}, "model": {"layers": [{"units": 3}]}},
    {"data": {"dataset": "digits", "samples": 60},
     "model": {"layers": [{"kind": "conv2d", "filters": 2, "kernel": 3}, {"kind": "flatten"}]}},
    {"data": {"dataset": "iris", "samples": 60}},
    {"data": {"dataset": "sine-wave", "samples": 40, "seq_length": 5},
     "model": {"layers": [{"kind": "rnn", "units": 3}]}},
    {"data": {"dataset": "text", "samples": 30, "seq_length": 5},
     "model": {"layers": [{"kind": "embedding", "dim": 2}, {"kind": "gru", "units": 3}]}},
]
FIELDS = {"data": ["dataset", "classes", "samples", "noise", "train_ratio", "validation_ratio",
                   "seed", "augment", "normalize", "seq_length", "features"],
          "model": ["layers", "init", "task", "bottleneck"],
          "training": ["loss", "optimizer", "learning_rate", "momentum", "batch_size",
                       "regularization", "regularization_rate", "early_stopping", "clip", "seed"],
          "view": ["show_test_data", "discretize", "hide_text", "hidden", "presenter"]}
WORDS = ["xor", "digits", "relu", "conv2d", "lstm", "epoch", "batch", "adam", "x1", "filters",
         "dense", "embedding", "none", "L2", "mse", "he", "shift", "predict", "autoencoder",
         "session_id", "spec", "__proto__", "constructor", "toString", "../../etc/passwd",
         "<script>", "%00", "\u0000", "é☃𝔘", "NaN", "Infinity", "-1", "1e308", "true", ""]


class Junk:
    """Anything JSON can carry, biased towards the values that break parsers."""

    def __init__(self, rng: random.Random):
        self.r = rng

    def number(self):
        r = self.r
        return r.choice([
            0, 1, -1, 2, 3, 10, 20, 100, 1000, 2 ** 31 - 1, 2 ** 31, 2 ** 53 + 1, -2 ** 63,
            10 ** 70, -10 ** 70, 10 ** r.randint(20, 4000), 0.5, -0.0, 1e-320, 1e308, -1e308,
            math.nan, math.inf, -math.inf, r.random() * 100, r.randint(-50, 100)])

    def text(self):
        r = self.r
        kind = r.random()
        if kind < 0.5:
            return r.choice(WORDS)
        if kind < 0.8:
            return "".join(r.choice("abcXYZ019_-=&#:,. ") for _ in range(r.randint(0, 40)))
        return r.choice(WORDS) * r.randint(100, 3000)

    def value(self, depth: int = 0):
        r = self.r
        kind = r.random()
        if kind < 0.05:
            return self.deep(r.randint(20, 400))
        if depth > 3 or kind < 0.35:
            return r.choice([None, True, False, self.number(), self.number()])
        if kind < 0.7:
            return self.text()
        if kind < 0.85:
            return [self.value(depth + 1) for _ in range(r.randint(0, 5))]
        return {self.key(): self.value(depth + 1) for _ in range(r.randint(0, 5))}

    def key(self):
        return self.r.choice(WORDS + sum(FIELDS.values(), []) + ["kind", "units", "code", "seq"])

    def deep(self, depth: int):
        node = self.r.choice([[], {}, 1, "x"])
        for _ in range(depth):
            node = [node] if self.r.random() < 0.5 else {"a": node}
        return node

    def spec(self):
        r = self.r
        spec = {k: (dict(v) if isinstance(v, dict) else v) for k, v in r.choice(BASES).items()}
        for _ in range(r.randint(0, 3)):
            section = r.choice(list(FIELDS) + ["version", self.key()])
            if section not in FIELDS:
                spec[section] = self.value()
                continue
            part = dict(spec[section]) if isinstance(spec.get(section), dict) else {}
            field = r.choice(FIELDS[section] + [self.key()])
            if field == "layers" and r.random() < 0.7:
                part[field] = [self.layer() for _ in range(r.randint(0, 4))]
            elif r.random() < 0.2:
                part.pop(field, None)
            else:
                part[field] = self.value()
            spec[section] = part if r.random() < 0.95 else self.value()
        return spec

    def layer(self):
        r = self.r
        layer = {"kind": r.choice(["dense", "conv2d", "maxpool", "avgpool", "flatten", "dropout",
                                   "batchnorm", "residual", "embedding", "rnn", "lstm", "gru",
                                   self.text()])}
        for field in r.sample(["units", "activation", "filters", "kernel", "stride", "padding",
                               "rate", "dim", "num_layers", self.key()], r.randint(0, 3)):
            layer[field] = r.choice([r.randint(1, 6), self.value()])
        return layer

    def hash(self):
        r = self.r
        keys = list(TF_KEYS) + list(NEW_KEYS) + ["layers", "x", "seed", self.text()]
        pairs = []
        for _ in range(r.randint(0, 6)):
            value = r.choice([str(self.number()), self.text(), "true", "false", "4,2",
                              "conv2d:2:3,flatten", "relu", ""])
            pairs.append(f"{r.choice(keys)}={value}")
        return r.choice(["#", "", "http://x/#", "https://playground.tensorflow.org/#"]) + \
            "&".join(pairs)


class Fuzzer:
    def __init__(self, app, rng: random.Random):
        self.app, self.r, self.junk = app, rng, Junk(rng)
        self.browsers = []
        for _ in range(BROWSERS):
            browser = Browser(app)
            sock = browser.socket()
            sock.open(spec=BASES[0])
            self.browsers.append((browser, sock))
        self.saved: list[str] = []

    def session_id(self, sock):
        r = self.r
        return r.choice([sock.session_id] * 3 + [self.junk.value(), "x" * 22, None])

    def payload(self, event: str, sock):
        r, j = self.r, self.junk
        if r.random() < 0.08:
            return j.value()                          # not an object at all
        fields = EVENT_FIELDS.get(event, ())
        out = {}
        for field in fields:
            if r.random() < 0.5:
                continue
            out[field] = self.field(field, sock)
        if event in ("configure", "room_push") and "spec" not in out and "hash" not in out:
            out["spec" if r.random() < 0.7 else "hash"] = j.spec() if r.random() < 0.7 else j.hash()
        if "session_id" in fields and r.random() < 0.85:
            out["session_id"] = self.session_id(sock)
        if event == "open" and len(out) > 1 and r.random() < 0.8:
            keep = r.choice(list(out))
            out = {keep: out[keep]}
        if r.random() < 0.1:
            out[j.key() if r.random() < 0.5 else j.text()] = j.value()       # an unknown key
        return out

    def field(self, field: str, sock):
        r, j = self.r, self.junk
        good = {"spec": j.spec, "hash": j.hash, "session_id": lambda: self.session_id(sock),
                "experiment": lambda: r.choice(self.saved or ["A" * 22]),
                "unit": lambda: r.choice(["epoch", "batch"]),
                "views": lambda: r.sample(["filters", "confusion", "series", "text", "hidden"],
                                          r.randint(0, 3)),
                "code": lambda: r.choice(["ABCDEF", "abc", ""]),
                "title": lambda: j.text()[:300], "seq": lambda: r.randint(0, 5)}
        if field in good and r.random() < 0.6:
            return good[field]()
        return r.choice([r.randint(-2, 10), j.value()])

    def socket_round(self, n: int) -> None:
        events = list(EVENT_FIELDS) + ["nope", "message", "json", "", "on_open", "x" * 300]
        for i in range(n):
            browser, sock = self.browsers[i % BROWSERS]
            event = self.r.choice(events)
            payload = self.payload(event, sock)
            answer = sock.client.emit(event, payload, callback=True)
            check_answer(event, payload, answer)
            if event == "save" and answer.get("ok"):
                self.saved.append(answer["id"])
            if event == "open" and answer.get("ok") and self.r.random() < 0.5:
                sock.session_id = answer["session_id"]
            sock.client.get_received()                   # frames: not what is fuzzed here
            if i % 500 == 0:
                self.app.extensions["runner"].trainers[0].trainer.tick()

    def http_round(self, n: int) -> None:
        r, j = self.r, self.junk
        for i in range(n):
            browser, sock = self.browsers[i % BROWSERS]
            ident = r.choice([sock.session_id, r.choice(self.saved or ["B" * 22]), j.text(),
                              "A" * 22, str(j.number())])
            routes = [
                ("get", "/api/schema"), ("get", f"/api/datasets/{j.text()}/preview"),
                ("get", f"/api/datasets/{r.choice(['xor', 'digits', 'text', 'iris'])}/preview"
                        f"?classes={j.text()}"),
                ("get", f"/api/experiments/{ident}"), ("get", f"/api/experiments/{ident}/frames"),
                ("get", f"/api/experiments/{ident}/frames/{j.text()}"),
                ("delete", f"/api/experiments/{ident}"),
                ("get", f"/api/compare?runs={r.choice(['e:', 's:', ''])}{ident},{j.text()}"),
                ("get", "/api/compare/sessions"), ("get", f"/compare?runs={j.text()}"),
                ("get", f"/e/{ident}"), ("get", f"/r/{j.text()}"), ("get", f"/lessons/{j.text()}"),
                ("get", f"/vendor/{j.text()}"), ("post", f"/api/sessions/{j.text()}/quantize"),
                ("get", f"/api/sessions/{j.text()}/export.zip"),
                (r.choice(["put", "patch", "delete", "post", "get"]), f"/api/{j.text()}"),
                ("post", "/api/spec"), ("post", "/api/spec"), ("post", "/api/spec"),
            ]
            method, path = r.choice(routes)
            body = None
            if method in ("post", "put", "patch"):
                body = r.choice([{"spec": j.spec()}, {"hash": j.hash()}, j.value(),
                                 {j.key(): j.value()}])
            response = getattr(browser.http, method)(path, json=body)
            check_response(method, path, response)


def check_answer(event, payload, answer) -> None:
    where = f"{event} {str(payload)[:200]}"
    assert isinstance(answer, dict) and isinstance(answer.get("ok"), bool), where
    if answer["ok"]:
        return
    assert answer["errors"], where
    for error in answer["errors"]:
        path, message = error["path"], error["message"]
        assert isinstance(path, str) and isinstance(message, str) and message, where
        assert "internal server error" not in message, where
        assert len(message) < 1500, where
        if path:
            assert message.startswith(path[:60]), (where, error)
        else:
            assert message.startswith(GENERAL), (where, error)


def check_response(method, path, response) -> None:
    where = f"{method.upper()} {path[:200]} -> {response.status_code}"
    assert response.status_code < 500, where
    if path.startswith("/api/") and response.status_code >= 400:
        errors = response.get_json()["errors"]
        assert errors and all(e["message"] for e in errors), where


@pytest.fixture
def fuzz_app(make_app):
    return make_app(LIMIT_RATES=WIDE_RATES, MAX_SESSIONS_PER_OWNER=8)


def test_thousands_of_generated_payloads_are_all_answered(fuzz_app, caplog):
    caplog.set_level(logging.WARNING)
    fuzzer = Fuzzer(fuzz_app, random.Random(SEED))
    fuzzer.socket_round(SOCKET_PAYLOADS)
    fuzzer.http_round(HTTP_REQUESTS)
    assert SOCKET_PAYLOADS + HTTP_REQUESTS >= 5000
    bugs = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not bugs, "\n".join(r.getMessage() for r in bugs[:5])

    sock = Browser(fuzz_app).socket()          # and a normal session still works
    sock.open(spec={"data": {"dataset": "xor"}})
    sock.frames()
    assert sock.call("play")["ok"]
    trainer = fuzz_app.extensions["runner"].trainers[0].trainer
    frame = tick_until_frame(sock, trainer, max_ticks=50)
    assert frame["status"] == "playing"
