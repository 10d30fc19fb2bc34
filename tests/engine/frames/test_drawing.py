"""A drawing made into one of a set's images (engine.data.drawing) and run through the net as a
test example is (engine.frames.drawing)."""
import numpy as np
import pytest
import torch

from trainkit import trained

from engine.data.drawing import DRAW_SIZE, to_image
from engine.frames.drawing import probe_drawing
from engine.frames.images import feature_maps
from engine.training.splits import image_stats

DIGITS = {"data": {"dataset": "digits", "samples": 400},
          "model": {"layers": [{"kind": "conv2d", "filters": 4, "kernel": 3, "padding": 1},
                               {"kind": "flatten"}, {"kind": "dense", "units": 16, "activation": "relu"}]},
          "training": {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 32}}


def pad_with(top, left, height, width) -> np.ndarray:
    pad = np.zeros((DRAW_SIZE, DRAW_SIZE))
    pad[top:top + height, left:left + width] = 1.0
    return pad


def test_mnist_fits_the_ink_in_20_pixels_centred_by_its_mass():
    image = to_image(pad_with(2, 30, 40, 8), (1, 28, 28), "mnist")[0]      # a tall stroke, off centre
    rows, cols = np.flatnonzero(image.any(1)), np.flatnonzero(image.any(0))
    assert rows[-1] - rows[0] + 1 == 20 and cols[-1] - cols[0] + 1 == 4     # aspect kept
    ys, xs = np.indices(image.shape)
    assert abs((image * ys).sum() / image.sum() + 0.5 - 14) <= 0.5
    assert abs((image * xs).sum() / image.sum() + 0.5 - 14) <= 0.5
    assert image.max() == 1.0 and image.min() == 0.0


def test_digits_fill_their_8x8_frame_and_other_sets_take_the_whole_pad():
    corner = pad_with(0, 0, 14, 14)                                          # a blob in a corner
    digit = to_image(corner, (1, 8, 8), "digits")[0]
    assert digit.min() == 1.0                                                # filled the frame
    shape = to_image(corner, (1, 16, 16), "shapes")[0]
    assert shape[:4, :4].min() == 1.0 and shape[4:, :].max() == 0.0           # stays in its place
    colour = to_image(corner, (3, 16, 16), "anything")
    assert colour.shape == (3, 16, 16) and (colour[0] == colour[2]).all()


def test_a_test_image_drawn_large_comes_back_as_itself():
    rng = np.random.default_rng(0)
    image = rng.random((8, 8))
    np.testing.assert_allclose(to_image(np.kron(image, np.ones((7, 7))), (1, 8, 8), "other")[0],
                               image / image.max(), rtol=1e-6)


def test_an_empty_pad_is_a_blank_image():
    assert to_image(np.zeros((DRAW_SIZE, DRAW_SIZE)), (1, 28, 28), "mnist").max() == 0


@pytest.fixture(scope="module")
def session():
    return trained(DIGITS, 3)


def test_the_training_statistics_are_the_sessions_own(session):
    mean, std = image_stats(session.splits["train"], session.device)
    test = session.splits["test"]
    assert torch.equal((torch.from_numpy(test.raw[:5]) - mean) / std, test.x[:5])


def test_a_drawing_goes_through_the_net_as_a_test_example_does(session):
    test = session.splits["test"]
    i = next(i for i in range(len(test))
             if np.array_equal(to_image(np.kron(test.raw[i, 0], np.ones((7, 7))), (1, 8, 8),
                                        "digits")[0], test.raw[i, 0]))
    drawn, scalars = probe_drawing(session, np.kron(test.raw[i, 0], np.ones((7, 7))))
    shown = {}
    feature_maps(session, shown, {}, i)
    assert set(drawn) == set(shown)
    for name in shown:
        np.testing.assert_allclose(drawn[name], shown[name], rtol=0, atol=1e-5)
    assert scalars["prediction"] == int(np.argmax(shown["sample_probs"]))
    assert scalars["sample"] == {"drawn": True} and scalars["epoch"] == 3
