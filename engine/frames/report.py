"""The figures and warnings a frame carries beside loss and accuracy: the test split's report
(engine.training.metrics: per-class precision, recall and F1, top-k, confident mistakes; R² for
regression and reconstructions) and the warnings it and the history raise."""
from __future__ import annotations

from engine.frames.common import finite
from engine.nn.losses import head
from engine.training.metrics import (class_labels, class_probabilities, classification,
                                     confident_mistakes, overfitting, regression)


def report(session, split: str = "test") -> dict | None:
    """The report of one split from the session's last evaluation; None before one."""
    out, part = session.outputs.get(split), session.splits[split]
    if out is None or len(part) == 0 or len(out) != len(part):
        return None
    spec = session.spec
    if spec.model.task == "autoencoder" or spec.data.problem == "regression":
        return finite(regression(out, part.t))
    kind = head(spec)
    return finite(classification(class_probabilities(out, kind), class_labels(part.t, kind)))


def warnings(session, test_report: dict | None) -> list[dict]:
    return [w for w in (overfitting(session.history), confident_mistakes(test_report)) if w]
