"""A spec that names an upload: the id checked for form, existence and kind; its shape and
classes planned from the upload; its URL carrying the id; its data split by class; and a
session that learns it."""
import numpy as np
import pytest
import torch

from engine.data.imagezips import MAX_UPLOAD_VALUES, images_from_zip
from engine.data.registry import upload_split
from engine.data.tablefiles import table_from_csv
from engine.spec.network import plan_layers
from engine.spec.parse import parse_spec
from engine.spec.types import SpecError
from engine.spec.urlcodec import hash_to_raw, spec_to_hash
from engine.training.session import Session
from uploadkit import shapes_zip, stored, table_csv

TABLE_ID, IMAGES_ID = "a" * 32, "b" * 32


@pytest.fixture
def uploads(tmp_path):
    t = table_from_csv(table_csv(60))
    im = images_from_zip(shapes_zip(12), 16)
    found = {TABLE_ID: stored(tmp_path, TABLE_ID, t.X, t.y, "table", t.class_names),
             IMAGES_ID: stored(tmp_path, IMAGES_ID, im.X, im.y, "images", im.class_names)}
    return found.get


def _errors(raw, uploads):
    with pytest.raises(SpecError) as caught:
        parse_spec(raw, uploads)
    return {e["path"]: e["message"] for e in caught.value.errors}


@pytest.mark.parametrize("data, words", [
    ({"dataset": "upload-table"}, "needs the id of an upload"),
    ({"dataset": "upload-table", "upload": "../../etc"}, "is not an upload id (32 lower-case"),
    ({"dataset": "upload-table", "upload": 7}, "is not an upload id"),
    ({"dataset": "upload-table", "upload": "c" * 32}, "no upload has this id"),
    ({"dataset": "upload-table", "upload": IMAGES_ID}, "is a images upload; upload-table needs a table"),
    ({"dataset": "iris", "upload": TABLE_ID}, "iris takes no upload"),
])
def test_refusals_name_data_upload(uploads, data, words):
    errors = _errors({"data": data}, uploads)
    assert list(errors) == ["data.upload"] and words in errors["data.upload"]


def test_without_the_servers_uploads_an_upload_spec_is_refused():
    errors = _errors({"data": {"dataset": "upload-table", "upload": TABLE_ID}}, None)
    assert "uploads are not kept here" in errors["data.upload"]


def test_shape_classes_and_samples_come_from_the_upload_and_the_url_keeps_the_id(uploads):
    spec = parse_spec({"data": {"dataset": "upload-images", "upload": IMAGES_ID,
                                "samples": 20}}, uploads)
    assert spec.data.classes == 3 and spec.data.samples == 36       # all rows, always
    assert spec.data.info.shape == (1, 16, 16)
    assert spec.data.info.class_names == ("circle", "cross", "square")
    assert plan_layers(spec)[0].in_shape == (1, 16, 16)
    assert spec.to_dict()["data"]["upload"] == IMAGES_ID and "upload_info" not in spec.to_dict()["data"]
    again = parse_spec(hash_to_raw(spec_to_hash(spec.to_dict())), uploads)
    assert again == spec


def test_the_split_is_stratified_by_class(uploads):
    drawn = upload_split(uploads(IMAGES_ID), seed=3, train_ratio=50)
    for part in (drawn.train, drawn.test):
        assert np.bincount(drawn.y[part]).tolist() == [6, 6, 6]
    assert not set(drawn.train) & set(drawn.test)


def test_a_table_upload_learns(uploads):
    spec = parse_spec({"data": {"dataset": "upload-table", "upload": TABLE_ID}}, uploads)
    torch.manual_seed(0)
    session = Session(spec, torch.device("cpu"))
    for _ in range(60):
        session.train_epoch()
    assert session.evaluate()["test_accuracy"] >= 0.9


@pytest.mark.parametrize("channels", [1, 3])
def test_the_largest_image_uploads_fit_a_sessions_budget(tmp_path, channels):
    """As many 64×64 images as MAX_UPLOAD_VALUES allows (3,000 grey, 1,000 colour), with the
    default network, are within every budget (parse_spec checks it)."""
    n = MAX_UPLOAD_VALUES // (channels * 64 * 64)
    X = np.zeros((n, channels, 64, 64), np.uint8)
    y = np.arange(n) % 20
    info = stored(tmp_path, IMAGES_ID, X, y, "images", [f"c{i}" for i in range(20)])
    spec = parse_spec({"data": {"dataset": "upload-images", "upload": IMAGES_ID}},
                      {IMAGES_ID: info}.get)
    assert spec.data.samples == n == (3000 if channels == 1 else 1000)
