"""Save and share: socket `save`, the /e/<id> page and REST, and forking a saved experiment.

Training is driven with explicit `step` events (conftest.py): no sleeps, no trainer thread.
Every test runs on both backends of the store (SQLite and PostgreSQL).
"""
from __future__ import annotations

import base64
from urllib.parse import quote

import numpy as np
import pytest
import torch
from safetensors.torch import load as load_tensors

from server import store
from engine.frames import recording as recording_module
from server.config import ROOT

from serverkit import DIVERGING, EPOCHS, XOR, Browser, array, save, trained
from storekit import BOTH_BACKENDS, count

pytestmark = BOTH_BACKENDS

STEPS_PER_EPOCH = 25            # xor: 500 points, half for training, batches of 10
MARKUP = "<script>alert(1)</script>"
BAD_IDS = ["short", "A" * 21, "A" * 23, "A" * 400, "é" * 22, "'; DROP TABLE experiments; --",
           "' OR '1'='1' --aaaaaaaa", "A" * 21 + "'", "A" * 21 + ".", "%00" * 8, "..%2F" * 5]


def summary(browser, exp_id) -> dict:
    r = browser.http.get(f"/api/experiments/{exp_id}")
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def decoded(item: dict) -> np.ndarray:
    data = base64.b64decode(item["data_b64"])
    return np.frombuffer(data, dtype=item["dtype"]).reshape(item["shape"])


def errors(answer: dict) -> dict[str, str]:
    assert answer["ok"] is False and answer["errors"], answer
    return {e["path"]: e["message"] for e in answer["errors"]}


def weights(frame: dict) -> dict[str, bytes]:
    return {k: v["data"] for k, v in frame["arrays"].items() if k.startswith(("weight.", "bias."))}


# ---- saving -----------------------------------------------------------------------------------

def test_save_answers_an_unguessable_short_url(sock):
    trained(sock)
    first, second = save(sock), save(sock, title="again")
    assert len(first["id"]) >= 22 and store.valid_id(first["id"])
    assert first["url"] == f"/e/{first['id']}"
    assert first["id"] != second["id"]


def test_saved_experiment_reads_back_as_it_was(visitor, sock):
    opened = sock.open(spec=XOR)
    for _ in range(EPOCHS):
        sock.call("step", unit="epoch")
    last = sock.frames()[-1]
    exp = summary(visitor, save(sock, title="xor", description="three epochs")["id"])
    assert exp["spec"] == opened["spec"] and exp["hash"] == opened["hash"]
    assert exp["plan"] == opened["plan"]
    assert (exp["title"], exp["description"]) == ("xor", "three epochs")
    assert (exp["epoch"], exp["step"], exp["device"]) == (EPOCHS, EPOCHS * STEPS_PER_EPOCH, "cpu")
    assert exp["history"]["epoch"] == list(range(1, EPOCHS + 1)) and exp["history"]["start"] == 0
    assert exp["history"]["stride"] == 1 and len(exp["history"]["train_loss"]) == EPOCHS
    assert exp["metrics"] == last["metrics"]
    assert exp["recording"] == {"stride": 1, "epochs": list(range(EPOCHS + 1))}


def test_recorded_frames_replay_the_output_map(visitor, sock):
    last = trained(sock)
    exp_id = save(sock)["id"]
    everything = visitor.http.get(f"/api/experiments/{exp_id}/frames").get_json()["frames"]
    assert [f["epoch"] for f in everything] == list(range(EPOCHS + 1))
    for k, frame in enumerate(everything):
        one = visitor.http.get(f"/api/experiments/{exp_id}/frames/{k}")
        assert one.status_code == 200 and one.get_json() == frame
        assert frame["index"] == k and set(frame["metrics"]) >= {"train_loss", "test_loss"}
        out = decoded(frame["arrays"]["output"])
        assert out.shape == (100, 100) and out.dtype == np.uint8
    assert np.array_equal(decoded(everything[-1]["arrays"]["output"]), array(last, "output"))
    assert not np.array_equal(decoded(everything[0]["arrays"]["output"]), array(last, "output"))


def test_an_off_stride_save_still_ends_with_the_current_state(visitor, sock, monkeypatch):
    monkeypatch.setattr(recording_module, "MAX_FRAMES", 2)    # epochs 0, 2 kept; 3 is off-stride
    last = trained(sock)
    exp_id = save(sock)["id"]
    assert summary(visitor, exp_id)["recording"] == {"stride": 2, "epochs": [0, 2, 3]}
    frames = visitor.http.get(f"/api/experiments/{exp_id}/frames").get_json()["frames"]
    assert np.array_equal(decoded(frames[-1]["arrays"]["output"]), array(last, "output"))
    assert ["train_x" in f["arrays"] for f in frames] == [True, False, True]    # first, last


def test_markup_in_title_and_description_is_kept_as_inert_text(app, visitor, sock):
    trained(sock, epochs=1)
    description = f'<img src=x onerror="alert(2)"> & {MARKUP}\n"quoted"'
    exp_id = save(sock, title=MARKUP, description=description)["id"]
    exp = summary(visitor, exp_id)
    assert exp["title"] == MARKUP and exp["description"] == description
    if not (ROOT / "templates" / "index.html").is_file():
        pytest.skip("no page template")
    page = visitor.http.get(f"/e/{exp_id}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "alert(" not in page.get_data(as_text=True)      # the page fetches it as JSON data


def test_the_page_gives_a_new_browser_its_cookie_and_the_id(app, sock):
    if not (ROOT / "templates" / "index.html").is_file():
        pytest.skip("no page template")
    trained(sock, epochs=1)
    exp_id = save(sock)["id"]
    http = app.test_client()
    assert http.get(f"/e/{exp_id}").status_code == 200
    with http.session_transaction() as cookie:
        assert cookie.get("owner")                          # so the page's socket may connect


@pytest.mark.parametrize("field, value, says", [
    ("title", "t" * (store.MAX_TITLE + 1), "201 characters"),
    ("title", "t" * 500_000, "more than the 200 allowed"),   # a message holds 1 MB
    ("title", 7, "must be text"),
    ("description", "d" * (store.MAX_DESCRIPTION + 1), "more than the 5000 allowed"),
    ("description", ["a list"], "must be text"),
])
def test_bad_title_or_description_is_refused_naming_the_field(app, sock, field, value, says):
    trained(sock, epochs=1)
    paths = errors(sock.call("save", **{field: value}))
    assert list(paths) == [field] and paths[field].startswith(f"{field}: ") and says in paths[field]
    assert count(app) == 0


def test_longest_title_and_description_are_accepted(visitor, sock):
    trained(sock, epochs=1)
    title, description = "t" * store.MAX_TITLE, "d" * store.MAX_DESCRIPTION
    exp = summary(visitor, save(sock, title=title, description=description)["id"])
    assert (exp["title"], exp["description"]) == (title, description)


def test_an_experiment_over_the_size_limit_is_refused(make_app):
    app = make_app(MAX_EXPERIMENT_BYTES=1000)
    sock = Browser(app).socket()
    trained(sock, epochs=1)
    paths = errors(sock.call("save"))
    assert "MB" in paths["model"] and count(app) == 0


def test_only_the_owner_can_save_a_session(app, sock):
    trained(sock, epochs=1)
    stranger = Browser(app).socket()
    assert "no such session" in errors(stranger.call("save", session_id=sock.session_id))["session_id"]
    assert errors(sock.call("save", "not an object"))
    assert count(app) == 0


def test_a_diverged_run_saves_with_null_losses(visitor, sock):
    sock.open(spec=DIVERGING)
    assert sock.call("step", unit="epoch")["status"] == "diverged"
    exp_id = save(sock)["id"]
    r = visitor.http.get(f"/api/experiments/{exp_id}")
    assert r.status_code == 200 and "NaN" not in r.get_data(as_text=True)
    assert r.get_json()["metrics"]["train_loss"] is None


# ---- reading bad ids --------------------------------------------------------------------------

@pytest.mark.parametrize("bad", BAD_IDS + ["A" * 22])          # the last: well-formed, unknown
def test_bad_or_unknown_ids_are_404_json(visitor, bad):
    for url in (f"/e/{quote(bad)}", f"/api/experiments/{quote(bad)}",
                f"/api/experiments/{quote(bad)}/frames", f"/api/experiments/{quote(bad)}/frames/0"):
        r = visitor.http.get(url)
        assert r.status_code == 404 and r.is_json, (url, r.status_code)
        assert r.get_json()["errors"][0]["path"] == "id"


@pytest.mark.parametrize("k", ["4", "-1", "1.5", "x", "9" * 40, "%C3%A9"])
def test_bad_frame_indexes_are_404_json(visitor, sock, k):
    trained(sock)
    r = visitor.http.get(f"/api/experiments/{save(sock)['id']}/frames/{k}")
    assert r.status_code == 404 and r.get_json()["errors"][0]["path"] == "frame"


def test_paths_below_experiments_that_match_no_route_are_404_json(visitor):
    for url in ("/e/", "/e/a/b", "/api/experiments/", "/api/experiments/a/b/c/d"):
        r = visitor.http.get(url)
        assert r.status_code == 404 and r.is_json, url


# ---- forking ----------------------------------------------------------------------------------

def test_another_browser_forks_a_saved_experiment(app, visitor, sock, trainer):
    last = trained(sock)
    exp_id = save(sock)["id"]
    before = summary(visitor, exp_id)
    raw_before = app.extensions["store"].load(exp_id)
    other = Browser(app).socket()
    answer = other.open(experiment=exp_id)
    assert answer["session_id"] != sock.session_id and answer["experiment"] == exp_id
    assert (answer["epoch"], answer["step"], answer["status"]) == (EPOCHS, EPOCHS * STEPS_PER_EPOCH, "paused")
    assert answer["spec"] == before["spec"] and answer["hash"] == before["hash"]
    first = other.frame()
    assert weights(first) == weights(last)
    assert first["history"]["epoch"] == before["history"]["epoch"] and first["epoch"] == EPOCHS
    assert first["metrics"] == last["metrics"]
    for _ in range(2):                                   # training the fork leaves the save alone
        other.call("step", unit="epoch")
    trained_on = other.frames()[-1]
    assert trained_on["epoch"] == EPOCHS + 2 and weights(trained_on) != weights(last)
    assert summary(visitor, exp_id) == before
    assert app.extensions["store"].load(exp_id) == raw_before
    assert trainer.entries[sock.session_id].session.epoch == EPOCHS     # the original too


def test_fork_is_trained_on_from_the_saved_weights(app, visitor, sock, trainer):
    trained(sock)
    exp_id = save(sock)["id"]
    other = Browser(app).socket()
    other.open(experiment=exp_id)
    fork = trainer.entries[other.session_id].session
    saved = load_tensors(app.extensions["store"].load(exp_id)["weights"])
    assert all(torch.equal(fork.model.state_dict()[k], v) for k, v in saved.items())
    other.call("step", unit="epoch")
    assert not all(torch.equal(fork.model.state_dict()[k], v) for k, v in saved.items())
    # saving the fork gives a new experiment whose recording goes on from the saved one
    again = summary(visitor, save(other)["id"])
    assert again["recording"]["epochs"] == list(range(EPOCHS + 2))
    assert again["history"]["epoch"] == list(range(1, EPOCHS + 2))


def test_fork_restores_the_optimiser_moments(app, sock, trainer):
    trained(sock, spec={**XOR, "training": {"optimizer": "adam"}}, epochs=2)
    exp_id = save(sock)["id"]
    other = Browser(app).socket()
    other.open(experiment=exp_id)
    mine, fork = (trainer.entries[s.session_id].session.optimizer for s in (sock, other))
    assert fork.t == mine.t == 2 * STEPS_PER_EPOCH and set(fork.state) == {"m", "v"}
    for key in ("m", "v"):
        assert all(torch.equal(a, b) for a, b in zip(mine.state[key], fork.state[key]))


@pytest.mark.parametrize("bad", ["A" * 22, "nope", 7, None, {"id": 1}])
def test_forking_an_unknown_experiment_is_refused(sock, bad):
    assert "no such experiment" in errors(sock.call("open", {"experiment": bad}))["experiment"]


def test_an_image_experiment_saves_and_forks(app, visitor, sock, trainer):
    trained(sock, spec={"data": {"dataset": "digits", "samples": 300}}, epochs=1)
    exp_id = save(sock, title="digits")["id"]
    exp = summary(visitor, exp_id)
    assert exp["spec"]["data"]["dataset"] == "digits" and exp["recording"]["epochs"] == [0, 1]
    frame = visitor.http.get(f"/api/experiments/{exp_id}/frames/1").get_json()
    assert decoded(frame["arrays"]["confusion"]).shape == (10, 10)
    assert decoded(frame["arrays"]["filters.0"]).ndim == 4
    other = Browser(app).socket()
    assert other.open(experiment=exp_id)["epoch"] == 1
    mine, fork = (trainer.entries[s.session_id].session.model.state_dict() for s in (sock, other))
    assert mine.keys() == fork.keys() and all(torch.equal(mine[k], fork[k]) for k in mine)
    assert other.call("step", unit="epoch")["epoch"] == 2


def test_a_record_too_large_with_the_moments_is_saved_without_them(app, sock, trainer):
    trained(sock, spec={"data": {"dataset": "digits", "samples": 300}}, epochs=1)   # adam
    full = app.extensions["store"].load(save(sock)["id"])
    moments = len(full["optimizer"])
    app.config["MAX_EXPERIMENT_BYTES"] = store.size_of(full) - moments // 2
    lean = app.extensions["store"].load(save(sock)["id"])
    assert lean["weights"] == full["weights"] and len(lean["optimizer"]) < moments // 10
    other = Browser(app).socket()
    other.open(experiment=lean["id"])
    fork = trainer.entries[other.session_id].session
    assert fork.optimizer.t == 0 and fork.optimizer.state == {} and fork.epoch == 1
