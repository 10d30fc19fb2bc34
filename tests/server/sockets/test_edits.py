"""Editing one weight or bias of a 2-D net from the diagram."""
from __future__ import annotations

import numpy as np
import pytest

from serverkit import TF_HASH, array, error_paths, weights




def test_set_weight_changes_exactly_that_weight(sock):
    sock.open(hash=TF_HASH)
    start = sock.frame()
    # layer 1 maps the 5 units of hidden layer 0 to the 3 of hidden layer 1
    answer = sock.call("set_weight", layer=1, to=2, **{"from": 4}, value=0.75)
    assert answer["ok"], answer
    frame = sock.frame()
    w, w0 = array(frame, "weight.1"), array(start, "weight.1").copy()
    assert w[2, 4] == np.float32(0.75)
    w0[2, 4] = 0.75
    assert np.array_equal(w, w0)
    for name, data in weights(start).items():
        if name != "weight.1":
            assert frame["arrays"][name]["data"] == data, name


def test_set_bias_changes_exactly_that_bias(sock):
    sock.open(hash=TF_HASH)
    start = sock.frame()
    assert sock.call("set_bias", layer=2, unit=0, value=-0.5)["ok"]
    frame = sock.frame()
    assert array(frame, "bias.2")[0] == np.float32(-0.5)
    for name, data in weights(start).items():
        if name != "bias.2":
            assert frame["arrays"][name]["data"] == data, name


GOOD_EDIT = {"layer": 1, "to": 2, "from": 4, "value": 0.5}


@pytest.mark.parametrize("change, path, words", [
    ({"layer": 3}, "layer", "0 to 2"),
    ({"layer": -1}, "layer", "0 to 2"),
    ({"layer": "0"}, "layer", "'0'"),
    ({"layer": True}, "layer", "true"),
    ({"layer": 1.0}, "layer", "0 to 2"),
    ({"to": 3}, "to", "0 to 2"),
    ({"from": 5}, "from", "0 to 4"),
    ({"from": None}, "from", "null"),
    ({"value": "abc"}, "value", "'abc'"),
    ({"value": None}, "value", "null"),
    ({"value": [1]}, "value", "a list of 1 item"),
    ({"value": 1e7}, "value", "1e+06"),
    ({"value": float("nan")}, "value", "nan"),
    ({"value": 10**90}, "value", "1e+06"),     # python-socketio refuses >100-digit ints itself
])
def test_set_weight_with_bad_fields_names_the_field(opened, trainer, change, path, words):
    before = trainer.entries[opened.session_id].session.model.weight(1).clone()
    paths = error_paths(opened.call("set_weight", **{**GOOD_EDIT, **change}))
    assert list(paths) == [path]
    assert paths[path].startswith(path + ":") and words in paths[path], paths
    assert opened.frames() == []
    assert trainer.entries[opened.session_id].session.model.weight(1).equal(before)


@pytest.mark.parametrize("change, path", [({"unit": 3}, "unit"), ({"layer": 3}, "layer"),
                                          ({"value": "x"}, "value")])
def test_set_bias_with_bad_fields_names_the_field(opened, change, path):
    paths = error_paths(opened.call("set_bias", **{"layer": 1, "unit": 0, "value": 1.0,
                                                   **change}))
    assert list(paths) == [path]
