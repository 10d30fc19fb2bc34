"""Per-class precision, recall and F1, top-k accuracy and R² against scikit-learn's; the
overfitting and over-confidence warnings."""
import numpy as np
import pytest
import torch
from sklearn import metrics as sk

from engine.frames.report import report, warnings
from engine.spec.parse import parse_spec
from engine.training.history import History
from engine.training.metrics import classification, overfitting, regression
from engine.training.session import Session


def test_classification_figures_equal_sklearns():
    gen = torch.Generator().manual_seed(0)
    probs = torch.softmax(torch.randn(300, 6, generator=gen) * 2, 1)
    labels = torch.randint(0, 6, (300,), generator=gen)
    labels[labels == 5] = 4                       # a class never present: sklearn's zeros
    got = classification(probs, labels)
    y, p = labels.numpy(), probs.argmax(1).numpy()
    precision, recall, f1, support = sk.precision_recall_fscore_support(
        y, p, labels=range(6), zero_division=0)
    for row, pr, rc, f, s in zip(got["per_class"], precision, recall, f1, support):
        assert (row["precision"], row["recall"], row["f1"], row["support"]) == (
            pytest.approx(pr, abs=1e-4), pytest.approx(rc, abs=1e-4), pytest.approx(f, abs=1e-4), s)
    assert got["macro_f1"] == pytest.approx(
        sk.f1_score(y, p, labels=range(6), average="macro", zero_division=0), abs=1e-4)
    for k in (3, 5):
        assert got[f"top{k}"] == pytest.approx(
            sk.top_k_accuracy_score(y, probs.numpy(), k=k, labels=range(6)), abs=1e-4)
    assert got["wrong"] == int((p != y).sum())


def test_r2_equals_sklearns():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(200, 1))
    pred = y + rng.normal(scale=0.3, size=y.shape)
    got = regression(torch.from_numpy(pred), torch.from_numpy(y))
    assert got["r2"] == pytest.approx(sk.r2_score(y, pred), abs=1e-4)
    assert got["mae"] == pytest.approx(sk.mean_absolute_error(y, pred), abs=1e-4)


def test_sessions_report_their_test_split():
    iris = Session(parse_spec({"data": {"dataset": "iris"}}))
    for _ in range(30):
        iris.train_epoch()
    iris.refresh()
    r = report(iris)
    assert len(r["per_class"]) == 3 and sum(c["support"] for c in r["per_class"]) == 75
    assert "top3" not in r                                    # three classes: top-3 is trivial
    plane = Session(parse_spec({"data": {"dataset": "plane"}}))
    for _ in range(20):
        plane.train_epoch()
    assert report(plane)["r2"] > 0.9


def history(test, train):
    h = History()
    for e, (a, b) in enumerate(zip(train, test), 1):
        h.append(e, {"train_loss": a, "test_loss": b})
    return h


def test_overfitting_is_flagged_only_when_test_rises_while_training_falls():
    falling = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    assert overfitting(history([0.5, 0.4, 0.41, 0.42, 0.43, 0.44, 0.45], falling))
    assert not overfitting(history([0.5, 0.4, 0.41, 0.42, 0.41, 0.44, 0.45], falling))
    assert not overfitting(history([0.5, 0.4, 0.41, 0.42, 0.43, 0.44, 0.45], falling[::-1]))
    assert not overfitting(history([0.5, 0.41, 0.42], falling[:3]))


def test_confident_mistakes_are_flagged():
    s = Session(parse_spec({"data": {"dataset": "iris"}}))
    s.outputs["test"] = torch.zeros(len(s.splits["test"]), 3)
    s.outputs["test"][:, 0] = 20.0                             # certain it is class 0
    kinds = [w["kind"] for w in warnings(s, report(s))]
    assert kinds == ["confident"]
