"""`/api/...` answers in JSON whatever goes wrong: unknown addresses, wrong methods, bodies too
large, too deep or not JSON."""
from __future__ import annotations

import pytest


@pytest.fixture
def http(app):
    return app.test_client()


@pytest.mark.parametrize("method, path, status", [
    ("get", "/api/nothing", 404),
    ("get", "/api/sessions/x/nothing", 404),
    ("delete", "/api/schema", 405),
    ("put", "/api/spec", 405),
    ("get", "/api/spec", 405),
    ("post", "/api/schema", 405),
])
def test_unknown_addresses_and_methods_answer_json(http, method, path, status):
    r = getattr(http, method)(path)
    assert r.status_code == status and r.is_json
    [error] = r.get_json()["errors"]
    assert error["path"] == "" and error["message"]


@pytest.mark.parametrize("body", [
    "[" * 5000 + "]" * 5000,                  # deeper than the JSON reader follows
    '{"hash": ' + "9" * 5000 + "}",          # an integer Python will not read
    "not json", "[1, 2]", '"text"', "",
    '{"hash": "#dataset=xor", "colour": 1}',
    '{"hash": "#dataset=xor", "spec": {}}',
])
def test_a_bad_spec_body_is_a_400_naming_the_problem(http, body):
    r = http.post("/api/spec", data=body, content_type="application/json")
    assert r.status_code == 400 and r.get_json()["errors"][0]["message"]


def test_a_share_link_with_a_seed_of_1e308_names_the_seed(http):
    r = http.post("/api/spec", json={"hash": "seed=1e308"})
    assert r.status_code == 400
    assert [e["path"] for e in r.get_json()["errors"]] == ["data.seed"]


def test_the_schema_states_the_limits(http):
    limits = http.get("/api/schema").get_json()["limits"]
    assert limits["max_params"] == 5_000_000 and limits["max_step_flops"] == 0.5e9
    server = limits["server"]
    assert server["sessions_per_address"] == 64 and server["record_bytes"] == 25_000_000
    assert server["rates"]["room_guess"]["address"] == {"burst": 10, "per_s": 10 / 60,
                                                        "window_s": 60}


def test_a_missing_dataset_does_not_reveal_the_servers_folders(make_app, tmp_path):
    app = make_app(DATA_DIR=str(tmp_path / "secret-place"))
    r = app.test_client().get("/api/datasets/mnist/preview")
    message = r.get_json()["errors"][0]["message"]
    assert r.status_code == 404 and "--data-dir" in message and "secret-place" not in message


def test_the_schema_says_which_data_fields_a_dataset_ignores(http):
    """The page greys out what means nothing for a set: noise on real data, the sample count
    where every point or row the person gave is used."""
    ignores = {d["name"]: d["ignores"] for d in http.get("/api/schema").get_json()["datasets"]}
    assert ignores["circle"] == [] and ignores["shapes"] == [] and ignores["sine-wave"] == []
    for name in ("digits", "mnist", "fashion-mnist", "text"):
        assert ignores[name] == ["noise"], name
    for name in ("hand", "hand-values", "upload-table", "upload-images"):
        assert ignores[name] == ["samples", "noise"], name
