"""The lessons: sixteen of them, every spec (and variant) parses and opens from its URL hash, and
each trains, showing what its text tells students it will (failures included, with their fixes).

Epoch counts follow the texts ("within about 100 epochs", ...); every run is seeded, so each
claim is checked on exactly the run a student starts.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from trainkit import trained

from engine.export.quantize import quantize
from engine.nn.mlp import is_fast_mlp
from engine.nn.recurrent import step_gradient_norms
from engine.spec.parse import parse_spec
from engine.spec.schema import schema
from engine.spec.types import SpecError
from engine.spec.urlcodec import hash_to_raw, spec_to_hash
from engine.training.session import Session
from server.pages.lesson_catalog import ALL_FEATURES, Lesson, changed, dense, lesson, lessons
from server.specs import layer_plan


SLUGS = [item.slug for item in lessons()]


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """These tiny nets train faster on one thread, and 2-core machines are shared (DESIGN.md)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
SPECS = [(item.slug, "", item.spec) for item in lessons()] + [
    (item.slug, v.label, v.spec) for item in lessons() for v in item.variants]


def spec_of(slug: str, variant: str | None = None) -> dict:
    item = lesson(slug)
    if variant is None:
        return item.spec
    return next(v.spec for v in item.variants if v.label == variant)


def start_loss(raw: dict) -> float:
    s = Session(parse_spec(raw))
    s.refresh()
    return s.metrics["train_loss"]


def val_curve(raw: dict, epochs: int, every: int = 10) -> tuple[Session, list[float]]:
    """Train, evaluating the validation loss every `every` epochs; stop when training stops."""
    s, vals = Session(parse_spec(raw)), []
    for e in range(1, epochs + 1):
        s.train_epoch()
        if s.status == "stopped":
            break
        if e % every == 0:
            vals.append(s.evaluate(("val",))["val_loss"])
    s.refresh()
    return s, vals


def roughness(losses) -> float:
    """How jagged a loss curve is: mean |change| from epoch to epoch over the mean level."""
    losses = np.asarray(losses, dtype=float)
    return float(np.abs(np.diff(losses)).mean() / losses.mean())


# --- the table --------------------------------------------------------------------------------

def test_sixteen_lessons_with_distinct_slugs_and_full_content():
    items = lessons()
    assert len(items) == 16 and all(isinstance(item, Lesson) for item in items)
    assert len(set(SLUGS)) == 16 and len({item.title for item in items}) == 16
    for item in items:
        assert lesson(item.slug) is item
        assert item.slug.replace("-", "").isalnum() and item.slug == item.slug.lower()
        sentences = item.text.count(". ") + 1
        assert 3 <= sentences <= 8, item.slug
        assert 3 <= len(item.tries) <= 5, item.slug
        assert all(t.strip() for t in item.tries) and item.concept
        labels = [v.label for v in item.variants]
        assert len(set(labels)) == len(labels)
        assert not item.variants or item.variants[0].spec == item.spec   # the first is the start
    with pytest.raises(KeyError):
        lesson("no-such-lesson")


@pytest.mark.parametrize("slug, label, raw", SPECS, ids=[f"{s}-{l}" if l else s for s, l, _ in SPECS])
def test_every_spec_parses_and_opens_from_its_link(slug, label, raw):
    parsed = parse_spec(raw)
    assert parse_spec(hash_to_raw(spec_to_hash(parsed.to_dict()))) == parsed


def test_the_lessons_cover_every_family():
    families = {parse_spec(item.spec).data.family for item in lessons()}
    assert families == {"points", "images", "tabular", "sequences"}


# --- 2-D lessons ------------------------------------------------------------------------------

def test_sine_fits_and_its_tries_do_what_they_say():
    raw = spec_of("sine")
    assert trained(raw, 50).metrics["test_loss"] < 0.05
    one_bend = changed(raw, model__layers=dense(1))
    assert trained(one_bend, 50).metrics["test_loss"] > 0.15
    linear = changed(raw, model__layers=dense(8, 8, activation="linear"))
    assert trained(linear, 50).metrics["test_loss"] > 0.15
    sine_feature = changed(raw, model__layers=[], data__features=["x1", "sinx1"])
    assert trained(sine_feature, 50).metrics["test_loss"] < 0.01


def test_xor_fails_without_a_hidden_layer_and_both_fixes_work():
    raw = spec_of("xor")
    assert trained(raw, 100).metrics["test_accuracy"] < 0.75
    new_layer = schema()["default_layers"]["points"][0]          # what the page's + adds first
    assert new_layer == {"kind": "dense", "units": 4, "activation": "tanh"}
    assert trained(changed(raw, model__layers=[new_layer]), 100).metrics["test_accuracy"] > 0.95
    product = changed(raw, data__features=["x1", "x2", "x1x2"])
    assert trained(product, 100).metrics["test_accuracy"] > 0.95


def test_activations_compare_as_the_lesson_says():
    raw = spec_of("activations")
    with_act = lambda act, **more: changed(raw, model__layers=dense(4, 2, activation=act), **more)
    assert trained(raw, 100).metrics["test_accuracy"] > 0.95                   # tanh
    assert trained(with_act("relu"), 100).metrics["test_accuracy"] > 0.95
    assert trained(with_act("sigmoid"), 200).metrics["test_accuracy"] < 0.7    # stuck
    fast_sigmoid = with_act("sigmoid", training__learning_rate=0.3)
    assert trained(fast_sigmoid, 200).metrics["test_accuracy"] > 0.95
    assert trained(with_act("linear"), 100).metrics["test_accuracy"] < 0.75
    # Step: no gradient reaches the hidden layers, so their weights (and pictures) never move.
    s = Session(parse_spec(with_act("step")))
    assert is_fast_mlp(s.spec)
    before = [w.detach().clone() for w in list(s.model.w)[:2]]
    for _ in range(20):
        s.train_epoch()
    assert all(torch.equal(a, w) for a, w in zip(before, list(s.model.w)[:2]))


def test_learning_rate_too_high_too_low_and_right():
    raw = spec_of("learning-rate")
    assert trained(raw, 100).metrics["train_loss"] > start_loss(raw)            # higher than at start
    low = spec_of("learning-rate", "Too low: 0.0001")
    assert abs(trained(low, 100).metrics["train_loss"] - start_loss(low)) < 0.02
    assert trained(spec_of("learning-rate", "About right: 0.03"), 100).metrics["test_accuracy"] > 0.95


def test_batch_size_one_is_jagged_and_thirty_is_smooth_but_slow():
    raw = spec_of("batch-size")
    s = Session(parse_spec(raw))
    s.train_epoch()
    assert s.step == 250                                      # one step per training example
    for _ in range(29):
        s.train_epoch()
    assert s.metrics["test_accuracy"] > 0.85
    s.configure(s.spec.with_training(batch_size=30))          # live: same weights
    for _ in range(30):
        s.train_epoch()
    losses = s.history.train_loss
    assert roughness(losses[10:30]) > 3 * roughness(losses[30:])

    thirty = spec_of("batch-size", "Batch size 30")
    s = trained(thirty, 1)
    assert s.step == 9
    assert trained(thirty, 100).metrics["test_accuracy"] < 0.7
    faster = changed(thirty, training__learning_rate=0.3)
    assert trained(faster, 100).metrics["test_accuracy"] > 0.9


def test_overfitting_shows_on_the_validation_curve_and_each_cure_helps():
    raw = spec_of("overfitting")
    s, vals = val_curve(raw, 200)
    assert len(s.splits["train"]) == 50
    best = int(np.argmin(vals))
    assert (best + 1) * 10 <= 60                               # turns up early
    assert vals[-1] > 1.5 * min(vals) and s.metrics["train_loss"] < 0.05
    for reg, rate in (("L2", 0.01), ("L1", 0.003)):
        cured = changed(raw, training__regularization=reg, training__regularization_rate=rate)
        _, cured_vals = val_curve(cured, 200)
        assert cured_vals[-1] < 0.8 * vals[-1], reg
    stopped, _ = val_curve(changed(raw, training__early_stopping=20), 400, every=400)
    assert stopped.status == "stopped" and stopped.best_epoch < stopped.epoch <= 200


def test_dropout_variant_ends_with_a_lower_validation_loss():
    ends = {}
    for label in ("Digits, no dropout", "Digits with dropout"):
        s = trained(spec_of("overfitting", label), 60)
        ends[label] = s.metrics["val_loss"]
        assert s.metrics["train_loss"] < 0.05
    assert ends["Digits with dropout"] < 0.9 * ends["Digits, no dropout"]


def test_spiral_needs_features_or_depth():
    assert trained(spec_of("features-vs-depth"), 200).metrics["test_accuracy"] < 0.75
    features = spec_of("features-vs-depth", "Features: all seven inputs")
    assert parse_spec(features).data.features == tuple(ALL_FEATURES)
    assert trained(features, 200).metrics["test_accuracy"] > 0.9
    assert trained(spec_of("features-vs-depth", "Depth: six ReLU layers"), 300) \
        .metrics["test_accuracy"] > 0.85


def test_softmax_learns_three_classes_and_squared_error_is_refused():
    raw = spec_of("softmax")
    s = trained(raw, 60)
    assert s.metrics["test_accuracy"] > 0.9
    assert s.outputs["test"].shape[1] == 3
    parse_spec(changed(raw, data__classes=5))
    with pytest.raises(SpecError) as error:
        parse_spec(changed(raw, training__loss="mse"))
    assert error.value.errors[0]["path"].startswith("training.loss")


# --- images, tables, sequences ----------------------------------------------------------------

def test_conv_filters_lesson_learns_the_shapes():
    raw = spec_of("conv-filters")
    start = start_loss(raw)
    s = trained(raw, 2)
    assert s.metrics["train_loss"] < 0.5 * start and s.metrics["test_accuracy"] > 0.8
    parse_spec(changed(raw, model__layers=[{**raw["model"]["layers"][0], "kernel": 3,
                                            "padding": 1}, *raw["model"]["layers"][1:]]))


def test_pooling_halves_the_maps_and_saves_the_dense_weights():
    raw = spec_of("pooling")
    plan = layer_plan(parse_spec(raw))
    pools = [p for p in plan if p["kind"] == "maxpool"]
    assert all(p["params"] == 0 for p in pools)
    assert all(p["out_shape"][1:] == [d // 2 for d in p["in_shape"][1:]] for p in pools)
    layers = raw["model"]["layers"]
    without = changed(raw, model__layers=layers[:3] + layers[4:])
    dense_params = lambda r: next(p["params"] for p in layer_plan(parse_spec(r)) if p["kind"] == "dense")
    assert 3.5 < dense_params(without) / dense_params(raw) < 4.5
    parse_spec(changed(raw, model__layers=[*layers[:1], {"kind": "avgpool", "kernel": 2, "stride": 2},
                                           *layers[2:]]))
    start = start_loss(raw)
    assert trained(raw, 2).metrics["train_loss"] < 0.5 * start


def test_conv_arithmetic_matches_the_formulas_in_the_text():
    raw = spec_of("conv-arithmetic")
    layers = raw["model"]["layers"]

    def first(**fields):
        return layer_plan(parse_spec(changed(raw, model__layers=[{**layers[0], **fields}, *layers[1:]])))[0]

    card = first()
    assert card["out_shape"] == [8, 14, 14] and card["params"] == 80 and card["flops"] == 14_112
    n, k, c, f = 16, 3, 1, 8
    for stride, padding, kernel in ((1, 1, 3), (2, 0, 3), (1, 0, 7)):
        card = first(stride=stride, padding=padding, kernel=kernel)
        side = (n + 2 * padding - kernel) // stride + 1
        assert card["out_shape"] == [f, side, side]
        assert card["params"] == f * (kernel * kernel * c + 1)
        assert card["flops"] == side * side * f * kernel * kernel * c
    assert first(padding=1)["out_shape"][1:] == [16, 16]
    assert first(stride=2)["out_shape"][1:] == [7, 7] and first(stride=2)["flops"] * 4 == 14_112
    start = start_loss(raw)
    assert trained(raw, 2).metrics["train_loss"] < 0.5 * start


def test_digit_classifier_learns_in_a_few_epochs():
    s = trained(spec_of("digits"), 3)
    assert s.metrics["test_accuracy"] > 0.85


def confusion(s: Session) -> np.ndarray:
    test = s.splits["test"]
    predicted = s.outputs["test"].argmax(1).numpy()
    k = s.outputs["test"].shape[1]
    out = np.zeros((k, k), dtype=int)
    np.add.at(out, (np.asarray(test.labels, dtype=int), predicted), 1)
    return out


def test_iris_setosa_is_easy_and_the_mistakes_are_between_the_other_two():
    raw = spec_of("iris")
    s = trained(raw, 100)
    assert s.metrics["test_accuracy"] > 0.85
    cm = confusion(s)
    assert cm[0, 1:].sum() == 0 and cm[1:, 0].sum() == 0      # setosa: never confused
    no_hidden = trained(changed(raw, model__layers=[]), 100)
    assert start_loss(changed(raw, model__layers=[])) > no_hidden.metrics["train_loss"]
    assert no_hidden.metrics["test_accuracy"] < s.metrics["test_accuracy"]
    assert len(trained(changed(raw, data__train_ratio=20), 1).splits["train"]) == 30


def grad_ratio(raw: dict) -> float:
    s = Session(parse_spec(raw))
    test = s.splits["test"]
    norms = step_gradient_norms(s.model, test.x[0], test.t[:1], s._loss, 0)
    return float(norms[0] / norms[-1])


def test_lstm_gets_far_more_gradient_to_the_first_step_than_the_rnn():
    rnn, lstm = spec_of("rnn-vs-lstm"), spec_of("rnn-vs-lstm", "LSTM")
    r, l = grad_ratio(rnn), grad_ratio(lstm)
    assert r < 1e-10                       # "about a million-millionth"
    assert 1e-7 < l < 1e-3                 # "roughly a hundred-thousandth"
    assert l > 1e6 * r                     # "millions of times more"
    for raw in (rnn, lstm):
        start = start_loss(raw)
        assert start == pytest.approx(math.log(2), rel=0.01)      # the classifier starts at chance
        s = trained(raw, 2)
        # "Either can still sit at 50% (chance) for a while": trains, finite, never far above.
        assert math.isfinite(s.metrics["train_loss"]) and s.metrics["train_loss"] < start + 0.01
        assert trained(changed(raw, data__seq_length=20), 10).metrics["test_accuracy"] > 0.9


def test_autoencoder_embeds_in_two_numbers_and_a_wider_middle_reconstructs_better():
    raw = spec_of("autoencoder")
    start = start_loss(raw)
    two = trained(raw, 10)
    assert two.metrics["train_loss"] < 0.5 * start
    eight = trained(changed(raw, model__bottleneck=8), 10)
    assert eight.metrics["test_loss"] < two.metrics["test_loss"]


def test_quantising_shrinks_the_model_and_keeps_its_accuracy():
    s = trained(spec_of("quantize"), 5)
    r = quantize(s)
    assert r["float_accuracy"] > 0.85
    assert 0.2 < r["size_ratio"] < 0.55                   # "about a quarter to a half"
    assert abs(r["int8_accuracy"] - r["float_accuracy"]) <= 0.02
    untrained = quantize(Session(parse_spec(spec_of("quantize"))))
    assert untrained["float_accuracy"] < 0.3 and untrained["int8_accuracy"] < 0.3
    tiny = quantize(trained(spec_of("xor"), 1))
    assert tiny["int8_bytes"] > tiny["float_bytes"]        # the fixed overhead wins
