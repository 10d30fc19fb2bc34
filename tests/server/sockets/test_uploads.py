"""Sessions on a person's uploads over the socket: a table and a zip of images are uploaded,
opened by id, trained, saved (which keeps the upload) and reopened from the saved run."""
from __future__ import annotations

import pytest

from serverkit import array, error_paths, save
from uploadkit import shapes_zip, table_csv


def _upload(visitor, url: str, body: bytes, **args) -> dict:
    r = visitor.http.post(url, data=body, query_string=args)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["upload"]


@pytest.mark.parametrize("kind", ["table", "images"])
def test_an_upload_opens_trains_and_its_saved_run_keeps_it(app, visitor, sock, kind):
    if kind == "table":
        up = _upload(visitor, "/api/uploads/table", table_csv(60))
        spec = {"data": {"dataset": "upload-table", "upload": up["id"]},
                "training": {"learning_rate": 0.03}}
    else:
        up = _upload(visitor, "/api/uploads/images", shapes_zip(12), size="16")
        spec = {"data": {"dataset": "upload-images", "upload": up["id"]}}
    answer = sock.open(spec=spec)
    assert answer["upload"]["class_names"] == up["class_names"]
    assert answer["spec"]["data"]["upload"] == up["id"]
    first = sock.frames()[0]
    assert first["split"]["text"].startswith("Stratified random split: each class cut 50:50")
    assert sock.call("view", views=["confusion"])["ok"]
    for _ in range(20):                # within the step rate's burst of 30
        assert sock.call("step", unit="epoch")["ok"]
    frame = sock.frames()[-1]
    k = len(up["class_names"])
    assert array(frame, "confusion").shape == (k, k)
    assert frame["metrics"]["test_accuracy"] >= 0.8        # chance is 0.5 and 0.33
    exp = save(sock)["id"]
    assert app.extensions["uploads"]._metas[up["id"]]["pinned"] is True
    forked = sock.call("open", {"experiment": exp})
    assert forked["ok"] and forked["upload"]["id"] == up["id"], forked


def test_opening_an_unknown_upload_names_data_upload(sock):
    answer = sock.call("open", {"spec": {"data": {"dataset": "upload-images",
                                                  "upload": "f" * 32}}})
    assert "no upload has this id" in error_paths(answer)["data.upload"]
