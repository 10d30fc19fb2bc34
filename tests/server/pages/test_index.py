"""Pages and REST (docs/protocol.md section 2): the schema, dataset previews, spec
normalisation, the page and the vendored front-end packages."""
from __future__ import annotations

import pytest

from engine.data.registry import DATASETS, POINT_DATASETS
from engine.spec.parse import parse_spec
from server.config import ROOT
from server.specs import resolve

from serverkit import TF_HASH, Browser

ALL_DATASETS = ["circle", "xor", "gauss", "spiral", "moons", "checkerboard", "plane",
                "multi-gauss", "sine", "hand", "hand-values", "digits", "shapes", "mnist", "fashion-mnist", "iris",
                "sine-wave", "two-sines", "recall", "parity-count", "text", "upload-table", "upload-images"]


@pytest.fixture
def http(app):
    return app.test_client()


# ---- schema ---------------------------------------------------------------------------------

def test_schema_describes_every_control(http):
    r = http.get("/api/schema")
    assert r.status_code == 200 and r.mimetype == "application/json"
    s = r.get_json()
    assert s["version"] == 1
    assert s["defaults"] == parse_spec({}).to_dict()
    bs = s["fields"]["training.batch_size"]
    assert (bs["type"], bs["min"], bs["max"], bs["live"]) == ("integer", 1, 1000, True)
    lr = s["fields"]["training.learning_rate"]
    assert lr["min"] == 1e-5 and lr["max"] == 10 and 0.03 in lr["choices"]
    assert s["fields"]["data.noise"]["min"] == 0 and s["fields"]["data.noise"]["max"] == 50
    assert "relu" in s["fields"]["model.layers[].activation"]["choices"]
    # every number has its range, and the defaults sit inside it
    for path, f in s["fields"].items():
        if f["type"] in ("integer", "number"):
            assert f["min"] <= f["max"], path
            section, _, key = path.partition(".")
            default = s["defaults"].get(section, {}).get(key)
            if default is not None:
                assert f["min"] <= default <= f["max"], path
    assert [d["name"] for d in s["datasets"]] == ALL_DATASETS
    for d in s["datasets"]:
        assert d["problem"] in ("classification", "regression") and d["dims"] in (1, 2)
        assert d["family"] in ("points", "images", "tabular", "sequences")
        assert d["max_classes"] >= (2 if d["problem"] == "classification" else 1)
    assert s["fields"]["data.dataset"]["choices"] == ALL_DATASETS
    assert s["grid"] == {"size": 100, "thumb": 16, "extent": 6.0}
    assert s["limits"]["max_point_layers"] == 8 and s["limits"]["max_point_units"] == 16
    assert "showTestData" in s["hideable"]
    assert {f["name"] for f in s["features"]} >= {"x1", "x2", "x1x2", "sinx1"}
    assert s["compute"]["device"] == "cpu"


# ---- dataset previews -----------------------------------------------------------------------

@pytest.mark.parametrize("name", list(POINT_DATASETS))
def test_every_dataset_has_a_preview_of_200_points(http, name):
    r = http.get(f"/api/datasets/{name}/preview")
    assert r.status_code == 200
    p = r.get_json()
    assert len(p["points"]) == 200 and len(p["labels"]) == 200
    assert all(len(pt) == 2 for pt in p["points"])
    assert all(-6.5 <= c <= 6.5 for pt in p["points"] for c in pt)
    assert p["problem"] == DATASETS[name].problem
    if p["problem"] == "classification":
        assert set(p["labels"]) == {0, 1}
    if DATASETS[name].dims == 1:
        assert {pt[1] for pt in p["points"]} == {0}


def test_preview_with_more_classes(http):
    p = http.get("/api/datasets/gauss/preview?classes=5").get_json()
    assert set(p["labels"]) == {0, 1, 2, 3, 4}
    # fixed seed: the same thumbnail every time
    assert http.get("/api/datasets/gauss/preview?classes=5").get_json() == p


def test_preview_of_an_unknown_dataset_is_404(http):
    r = http.get("/api/datasets/nope/preview")
    assert r.status_code == 404
    [error] = r.get_json()["errors"]
    assert "'nope'" in error["message"] and "circle" in error["message"]


@pytest.mark.parametrize("classes", [1, 6, 99])
def test_preview_with_a_bad_class_count_is_400(http, classes):
    r = http.get(f"/api/datasets/circle/preview?classes={classes}")
    assert r.status_code == 400
    [error] = r.get_json()["errors"]
    assert error["path"] == "classes" and "2 to 5" in error["message"]


# ---- spec normalisation ---------------------------------------------------------------------

def test_post_a_hash_returns_the_spec_and_its_hash(http):
    r = http.post("/api/spec", json={"hash": TF_HASH})
    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == {"spec", "hash", "plan", "schedule"}
    assert body["schedule"] is None                       # a constant rate: no curve
    assert body["spec"]["data"]["dataset"] == "xor"
    assert [p["out_shape"] for p in body["plan"]] == [[5], [3], [1]]
    assert [l["units"] for l in body["spec"]["model"]["layers"]] == [5, 3]
    assert body == resolve({"hash": TF_HASH}).answer()
    again = http.post("/api/spec", json={"hash": body["hash"]}).get_json()
    assert again == body                                         # the hash is a fixed point


def test_post_a_spec_fills_the_defaults(http):
    body = http.post("/api/spec", json={"spec": {"data": {"dataset": "plane"}}}).get_json()
    assert body["spec"]["data"]["samples"] == 1200
    assert body["spec"]["training"] == parse_spec({}).to_dict()["training"]
    assert "regDataset=reg-plane" in body["hash"] and "problem=regression" in body["hash"]


def test_post_bad_values_lists_every_error(http):
    r = http.post("/api/spec", json={"spec": {
        "data": {"dataset": "nope", "noise": 80},
        "training": {"batch_size": 0, "learning_rate": "abc"},
        "model": {"layers": [{"units": 17}]},
        "colour": "red"}})
    assert r.status_code == 400
    errors = {e["path"]: e["message"] for e in r.get_json()["errors"]}
    assert set(errors) == {"data.dataset", "data.noise", "training.batch_size",
                           "training.learning_rate", "model.layers[0].units", "colour"}
    assert errors["training.batch_size"] == "training.batch_size: 0 is below the minimum 1"
    assert "above the maximum 50" in errors["data.noise"]
    assert "1e-05 to 10" in errors["training.learning_rate"]
    assert "maximum 16" in errors["model.layers[0].units"]


def test_post_a_bad_hash_names_the_fields(http):
    r = http.post("/api/spec", json={"hash": "#batchSize=0&learningRate=abc"})
    assert r.status_code == 400
    paths = {e["path"] for e in r.get_json()["errors"]}
    assert paths == {"training.batch_size", "training.learning_rate"}
    r = http.post("/api/spec", json={"hash": "x" * 8001})
    assert r.status_code == 400 and r.get_json()["errors"][0]["path"] == "hash"


@pytest.mark.parametrize("kwargs", [
    {"data": "not json", "content_type": "text/plain"},
    {"data": "{broken", "content_type": "application/json"},
    {"json": [1, 2]},
    {"json": "a string"},
    {},
], ids=["text", "broken-json", "list", "string", "empty"])
def test_post_something_that_is_not_a_json_object_is_400(http, kwargs):
    r = http.post("/api/spec", **kwargs)
    assert r.status_code == 400
    assert r.get_json()["errors"][0]["message"]


def test_post_a_huge_integer_is_400(http):
    r = http.post("/api/spec", json={"spec": {"training": {"batch_size": 10**400}}})
    assert r.status_code == 400


def test_a_body_too_large_is_413(http):
    r = http.post("/api/spec", data="x" * 2_000_000, content_type="application/json")
    assert r.status_code == 413
    assert "too large" in r.get_json()["errors"][0]["message"]


# ---- the page and vendored packages ---------------------------------------------------------

needs_page = pytest.mark.skipif(not (ROOT / "templates" / "index.html").exists(),
                                reason="templates/index.html is not written yet")


@needs_page
def test_the_page_is_served_with_an_owner_cookie(http):
    r = http.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert b"<html" in r.data.lower() or b"<!doctype" in r.data.lower()
    cookie = http.get_cookie("session")
    assert cookie is not None and cookie.expires is not None      # permanent: survives restarts
    with http.session_transaction() as s:
        owner = s["owner"]
    http.get("/")
    with http.session_transaction() as s:
        assert s["owner"] == owner                                  # stable across loads


@needs_page
def test_a_browser_that_loaded_the_page_can_reattach(app):
    browser = Browser(app, load_page=True)
    sock = browser.socket()
    sid = sock.open(hash=TF_HASH)["session_id"]
    sock.frames()
    sock.disconnect()
    again = browser.socket()
    again.send("open", {"session_id": sid})      # ack left out: see test_reattach_answers_the_spec
    assert again.frame()["session_id"] == sid
    stranger = Browser(app, load_page=True).socket()
    answer = stranger.call("step", {"session_id": sid, "unit": "epoch"})
    assert answer["ok"] is False and answer["errors"][0]["path"] == "session_id"


@pytest.mark.parametrize("name, marker", [("plotly.min.js", b"plotly"),
                                          ("socket.io.esm.min.js", b"export")])
def test_vendor_serves_javascript(http, name, marker):
    r = http.get(f"/vendor/{name}")
    assert r.status_code == 200
    assert "javascript" in r.mimetype
    assert len(r.data) > 10_000 and marker in r.data[:200_000].lower()
    r.close()


@pytest.mark.parametrize("path", ["/vendor/../package.json", "/vendor/%2E%2E%2Fpackage.json",
                                  "/vendor/..%2Fpackage.json", "/vendor/nope.js",
                                  "/vendor/plotly.js-dist-min/plotly.min.js",
                                  "/vendor/package.json"])
def test_vendor_serves_nothing_else(http, path):
    r = http.get(path)
    assert r.status_code == 404
    assert b'"name"' not in r.data
