"""Compare over HTTP: /api/compare for saved experiments and this browser's live sessions, the
spec differences, /api/compare/sessions, the page, and every bad request answered as JSON.

Training is driven with explicit `step` events and `trainer.tick()` (conftest.py): no sleeps.
"""
from __future__ import annotations

import base64

import numpy as np
import pytest



from server.pages.compare import MAX_RUNS, differences, leaves

from serverkit import XOR, Browser, save, trained
from storekit import BOTH_BACKENDS


EPOCHS = 3
ID = "A" * 22


def compare(browser, *runs, status=200) -> dict:
    r = browser.http.get("/api/compare?runs=" + ",".join(runs))
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.is_json
    return r.get_json()


def decoded(item: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(item["data_b64"]), dtype=item["dtype"]).reshape(item["shape"])


def with_rate(lr: float, **training) -> dict:
    return {**XOR, "training": {"learning_rate": lr, **training}}


def saved_run(sock, spec, epochs=EPOCHS, title="") -> str:
    trained(sock, spec, epochs)
    return "e:" + save(sock, title=title)["id"]


def paths(items: list[dict]) -> list[str]:
    return [item["path"] for item in items]


# ---- what a comparison holds ------------------------------------------------------------------

@BOTH_BACKENDS
def test_two_saved_runs_and_a_live_one(visitor, sock):
    slow = saved_run(sock, with_rate(0.03), title="slow")
    other = visitor.socket()
    fast = saved_run(other, with_rate(0.3))
    other.call("step", unit="epoch")                       # the live run is one epoch further
    live = f"s:{other.session_id}"

    answer = compare(visitor, slow, fast, live)
    runs = answer["runs"]
    assert [r["run"] for r in runs] == [slow, fast, live]
    assert [r["kind"] for r in runs] == ["saved", "saved", "live"]
    assert [r["label"] for r in runs] == ["slow", "Untitled experiment", "Exclusive or (live)"]
    assert [r["url"] for r in runs] == [f"/e/{slow[2:]}", f"/e/{fast[2:]}", None]
    assert [r["epoch"] for r in runs] == [EPOCHS, EPOCHS, EPOCHS + 1]
    assert [r["status"] for r in runs] == ["saved", "saved", "paused"]
    assert [r["history"]["epoch"] for r in runs] == [[1, 2, 3], [1, 2, 3], [1, 2, 3, 4]]
    assert runs[0]["params"] == 4 * 2 + 4 + 2 * 4 + 2 + 2 + 1            # xor's 2-4-2-1 net

    assert answer["differences"] == [{"path": "training.learning_rate", "values": [0.03, 0.3, 0.3]}]
    same = paths(answer["same"])
    assert "training.batch_size" in same and "model.layers[1].units" in same
    assert not [p for p in same if p.startswith(("view.", "version"))]
    for run in runs:
        assert run["spec"]["training"]["learning_rate"] in (0.03, 0.3) and run["hash"]
        out = run["output"]
        assert out["kind"] == "map" and decoded(out["arrays"]["output"]).shape == (100, 100)
        assert decoded(out["arrays"]["train_x"]).shape == (250, 2)
    maps = [decoded(r["output"]["arrays"]["output"]) for r in runs]
    assert not np.array_equal(maps[0], maps[1])


@BOTH_BACKENDS
def test_a_saved_run_is_what_its_experiment_pages_show(visitor, sock):
    run = saved_run(sock, with_rate(0.3))
    exp_id = run[2:]
    saved = compare(visitor, run)["runs"][0]
    page = visitor.http.get(f"/api/experiments/{exp_id}").get_json()
    for key in ("spec", "hash", "history", "metrics", "epoch", "step"):
        assert saved[key] == page[key], key
    last = len(page["recording"]["epochs"]) - 1
    frame = visitor.http.get(f"/api/experiments/{exp_id}/frames/{last}").get_json()
    for name, item in saved["output"]["arrays"].items():
        assert item == frame["arrays"][name], name


def test_a_live_run_is_fresh_on_every_request(visitor, sock, trainer):
    sock.open(spec=XOR)
    live = f"s:{sock.session_id}"
    first = compare(visitor, live)["runs"][0]
    assert (first["epoch"], first["history"]["epoch"]) == (0, [])
    assert sock.call("play")["ok"]
    while trainer.entries[sock.session_id].session.epoch < 2:
        trainer.tick()
    now = compare(visitor, live)["runs"][0]
    assert now["status"] == "playing" and now["epoch"] >= 2
    assert now["history"]["epoch"][:2] == [1, 2]
    assert not np.array_equal(decoded(now["output"]["arrays"]["output"]),
                              decoded(first["output"]["arrays"]["output"]))


def test_layer_and_dataset_differences_name_their_paths(visitor, sock):
    deep = saved_run(sock, {**XOR, "model": {"layers": [{"units": 4}, {"units": 2}]}}, epochs=1)
    shallow = saved_run(visitor.socket(), {"data": {"dataset": "circle"},
                                          "model": {"layers": [{"units": 3}]}}, epochs=1)
    found = {d["path"]: d["values"] for d in compare(visitor, deep, shallow)["differences"]}
    assert found["data.dataset"] == ["xor", "circle"]
    assert found["model.layers[0].units"] == [4, 3]
    assert found["model.layers[1].units"] == [2, None]
    assert found["model.layers[1].activation"] == ["tanh", None]
    assert "model.layers[0].activation" not in found


def test_an_image_run_compares_with_a_2d_one(visitor, sock):
    digits = saved_run(sock, {"data": {"dataset": "digits", "samples": 300}}, epochs=1)
    other = visitor.socket()
    other.open(spec=XOR)
    runs = compare(visitor, digits, f"s:{other.session_id}")["runs"]
    assert [r["output"]["kind"] for r in runs] == ["confusion", "map"]
    assert decoded(runs[0]["output"]["arrays"]["confusion"]).shape == (10, 10)
    assert runs[0]["history"]["test_accuracy"][-1] is not None


def test_differences_flatten_specs_to_dotted_paths():
    spec = {"version": 1, "data": {"features": ["x1", "x2"], "noise": 0},
            "model": {"layers": [{"kind": "dense", "units": 4}]}, "view": {"discretize": True}}
    assert leaves(spec) == {"version": 1, "data.features": ["x1", "x2"], "data.noise": 0,
                            "model.layers[0].kind": "dense", "model.layers[0].units": 4,
                            "view.discretize": True}
    other = {**spec, "data": {"features": ["x1"], "noise": 0}, "view": {"discretize": False}}
    differ, same = differences([spec, other])
    assert differ == [{"path": "data.features", "values": [["x1", "x2"], ["x1"]]}]
    assert paths(same) == ["data.noise", "model.layers[0].kind", "model.layers[0].units"]


# ---- live sessions belong to their browser ----------------------------------------------------

def test_sessions_lists_only_this_browsers_live_sessions(app, visitor, sock):
    sock.open(spec=XOR)
    sock.call("step", unit="epoch")
    mine = visitor.http.get("/api/compare/sessions").get_json()["sessions"]
    assert mine == [{"session_id": sock.session_id, "run": f"s:{sock.session_id}",
                     "dataset": "xor", "label": "Exclusive or", "epoch": 1, "status": "paused"}]
    stranger = Browser(app)
    assert stranger.http.get("/api/compare/sessions").get_json() == {"sessions": []}
    answer = compare(stranger, f"s:{sock.session_id}", status=404)
    assert answer["errors"] == [{"path": "runs[0]", "message":
                                 f"runs[0]: no live session in this browser s:{sock.session_id}"}]


def test_a_cookieless_request_finds_no_session(app, sock):
    sock.open(spec=XOR)
    bare = app.test_client()
    assert bare.get(f"/api/compare?runs=s:{sock.session_id}").status_code == 404
    assert bare.get("/api/compare/sessions").get_json() == {"sessions": []}


# ---- bad requests: JSON errors naming the run, never a 500 ------------------------------------

@pytest.mark.parametrize("runs, path, says", [
    ("", "runs", f"name 1 to {MAX_RUNS} runs (got 0)"),
    (",".join(f"e:{c * 22}" for c in "ABCDEFGHIJKLM"), "runs",
     f"name 1 to {MAX_RUNS} runs (got 13)"),
    ("e:short", "runs[0]", "is not e:<saved experiment id> or s:<live session id>"),
    (f"e:{ID},x:{ID}", "runs[1]", "is not e:"),
    (f"e:{ID},{ID}", "runs[1]", "is not e:"),
    (f"e:{ID}'--", "runs[0]", "is not e:"),
    (f"s:{ID},s:{ID}", "runs[1]", "already in the list"),
    ("e:" + "A" * 5000, "runs", "more than the 400 allowed"),
    ("%00,%ff", "runs[0]", "is not e:"),
])
def test_malformed_runs_are_400_naming_the_item(visitor, runs, path, says):
    errors = compare(visitor, runs, status=400)["errors"]
    assert errors[0]["path"] == path and says in errors[0]["message"], errors


@BOTH_BACKENDS
def test_unknown_runs_are_404_naming_each(visitor, sock):
    known = saved_run(sock, XOR, epochs=1)
    errors = compare(visitor, known, f"e:{ID}", f"s:{ID}", status=404)["errors"]
    assert errors == [
        {"path": "runs[1]", "message": f"runs[1]: no saved experiment e:{ID}"},
        {"path": "runs[2]", "message": f"runs[2]: no live session in this browser s:{ID}"},
    ]


def test_the_page_sets_the_cookie_and_loads_its_own_script(app):
    browser = Browser(app, load_page=False)
    r = app.test_client().get(f"/compare?runs=e:{ID}")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "session=" in r.headers.get("Set-Cookie", "")
    html = r.get_data(as_text=True)
    assert "js/compare/main.js" in html and "css/compare.css" in html and "css/app.css" in html
    assert "js/main.js" not in html.replace("js/compare/main.js", "")
    assert browser.http.get("/compare").status_code == 200
