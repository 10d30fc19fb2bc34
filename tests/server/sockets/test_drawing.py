"""`probe_image`: a drawing from the pad through a session's image classifier, answered with the
arrays a picked test example gives; every refusal names the field; paused and while training.
And `data.text` refused over the socket with its position or limit."""
from __future__ import annotations

import math

import numpy as np
import pytest

from engine.data.drawing import DRAW_SIZE
from engine.frames.drawing import probe_drawing
from serverkit import Browser, TF_HASH, array, assert_no_such_session, error_paths, unpack

DIGITS = {"data": {"dataset": "digits", "samples": 300},
          "model": {"layers": [{"kind": "conv2d", "filters": 4, "kernel": 3, "padding": 1},
                               {"kind": "maxpool"}, {"kind": "flatten"}]}}
N = DRAW_SIZE * DRAW_SIZE


def a_one() -> list[float]:
    """A vertical stroke: a drawn "1"."""
    pad = np.zeros((DRAW_SIZE, DRAW_SIZE))
    pad[8:48, 26:31] = 1.0
    return pad.ravel().round(2).tolist()


@pytest.fixture
def digits(sock):
    sock.open(spec=DIGITS)
    sock.frames()
    return sock


def test_a_drawing_is_answered_with_its_prediction_probabilities_and_feature_maps(digits, trainer):
    answer = unpack(digits.call("probe_image", pixels=a_one()))
    assert answer["ok"], answer
    probs = array(answer, "sample_probs")
    assert probs.shape == (10,) and math.isclose(float(probs.sum()), 1.0, rel_tol=1e-5)
    assert answer["prediction"] == int(probs.argmax()) and answer["sample"] == {"drawn": True}
    assert array(answer, "sample").shape == (8, 8)               # what the net sees: 8×8
    assert array(answer, "fmap.0").shape == (4, 8, 8) and array(answer, "fmap.1").shape == (4, 4, 4)
    session = trainer.entries[digits.session_id].session
    arrays, _ = probe_drawing(session, np.asarray(a_one(), np.float32).reshape(DRAW_SIZE, DRAW_SIZE))
    np.testing.assert_array_equal(probs, arrays["sample_probs"])
    assert digits.frames() == []                                 # an answer, not a frame


def test_it_works_paused_and_while_training_and_follows_the_weights(digits, trainer):
    before = array(unpack(digits.call("probe_image", pixels=a_one())), "sample_probs")
    assert digits.call("play")["ok"]
    for _ in range(20):
        trainer.tick()
    during = unpack(digits.call("probe_image", pixels=a_one()))
    assert during["ok"] and during["epoch"] > 0
    assert not np.array_equal(array(during, "sample_probs"), before)
    assert trainer.entries[digits.session_id].session.status == "playing"


@pytest.mark.parametrize("pixels, path, message", [
    (None, "pixels", "pixels: null is not a list: a 56×56 drawing is 3,136 numbers from 0 to 1"),
    ("abc", "pixels", "pixels: 'abc' is not a list"),
    ([0.5] * 100, "pixels", "pixels: 100 values; a 56×56 drawing is 3,136 numbers from 0 to 1"),
    ([0.5] * (N + 1), "pixels", "pixels: 3,137 values;"),
    ([0.0] * 3 + [1.5] + [0.0] * (N - 4), "pixels[3]", "pixels[3]: 1.5 is not a number from 0 to 1"),
    ([0.0] * 7 + [-0.1] + [0.0] * (N - 8), "pixels[7]", "pixels[7]: -0.1 is not a number from 0 to 1"),
    ([0.0] * 9 + [float("nan")] + [0.0] * (N - 10), "pixels[9]", "pixels[9]: nan is not a number"),
    ([0.0] * 2 + [float("inf")] + [0.0] * (N - 3), "pixels[2]", "pixels[2]: inf is not a number"),
    ([True] + [0.0] * (N - 1), "pixels[0]", "pixels[0]: true is not a number from 0 to 1"),
    (["1"] + [0.0] * (N - 1), "pixels[0]", "pixels[0]: '1' is not a number from 0 to 1"),
])
def test_bad_pixels_are_refused_naming_the_value(digits, pixels, path, message):
    answer = digits.call("probe_image", pixels=pixels)
    assert not answer["ok"] and list(error_paths(answer)) == [path]
    assert error_paths(answer)[path].startswith(message), answer


def test_an_unknown_field_is_refused(digits):
    answer = digits.call("probe_image", {"session_id": digits.session_id, "pixels": a_one(), "x": 1})
    assert list(error_paths(answer)) == ["x"]


def test_another_browsers_session_is_refused(app, digits, trainer):
    other = Browser(app).socket()
    answer = other.call("probe_image", {"session_id": digits.session_id, "pixels": a_one()})
    assert_no_such_session(answer)
    assert answer == other.call("probe_image", {"session_id": "x" * 22, "pixels": a_one()})


@pytest.mark.parametrize("spec, what", [
    ({"hash": TF_HASH}, "xor"),
    ({"spec": {"data": {"dataset": "digits", "samples": 200}, "model": {"task": "autoencoder"}}},
     "an autoencoder"),
])
def test_only_image_classifiers_take_a_drawing(sock, spec, what):
    sock.open(**spec)
    answer = sock.call("probe_image", pixels=a_one())
    assert error_paths(answer) == {"pixels": f"pixels: only image classifiers take a drawing, not {what}"}


def test_drawing_is_rate_limited_per_browser(app, digits, clock):
    app.extensions["limits"].clock = clock            # no token comes back meanwhile
    answers = [digits.call("probe_image", pixels=[0.0] * N) for _ in range(25)]
    assert sum(a["ok"] for a in answers) == 20           # the burst, then refused
    refused = [a for a in answers if not a["ok"]]
    assert refused and "slow down: too much drawing from here" in refused[0]["errors"][0]["message"]
    assert refused[0]["errors"][0]["retry_after"] >= 1


TEXT = "Mary had a little lamb, its fleece was white as snow.\n" * 4


@pytest.mark.parametrize("text, message", [
    ("x" * 20_001 + "yz", "data.text: 20,003 characters is outside 100 to 20,000"),
    (TEXT[:60] + "\x1b" + TEXT[60:], "data.text: character 61 (line 2, column 7) is U+001B"),
    ("".join(chr(0x400 + i) for i in range(97)) * 2, "data.text: 97 distinct characters is outside 3 to 96"),
])
def test_a_bad_own_text_is_refused_over_the_socket(sock, text, message):
    sock.open(spec={"data": {"dataset": "text", "samples": 100}})
    answer = sock.call("configure", spec={"data": {"dataset": "text", "samples": 100, "text": text}})
    assert not answer["ok"] and error_paths(answer)["data.text"].startswith(message), answer
    good = sock.call("configure", spec={"data": {"dataset": "text", "samples": 100, "text": TEXT}})
    assert good["ok"] and good["spec"]["data"]["text"] == TEXT and "text=Mary" in good["hash"]


def test_a_saved_experiment_and_its_fork_carry_the_own_text(app, sock):
    sock.open(spec={"data": {"dataset": "text", "samples": 100, "text": TEXT * 20}})
    assert sock.call("step", unit="epoch")["ok"]
    saved = sock.call("save", title="mary")
    assert saved["ok"], saved
    page = app.test_client().get(f"/api/experiments/{saved['id']}").get_json()
    assert page["spec"]["data"]["text"] == TEXT * 20
    assert "text=" not in page["hash"]                    # too long for a link: left out of it
    other = Browser(app).socket()
    fork = other.call("open", {"experiment": saved["id"]})
    assert fork["ok"] and fork["spec"]["data"]["text"] == TEXT * 20
