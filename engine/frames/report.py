"""The figures and warnings a frame carries beside loss and accuracy: the test split's report
(engine.training.metrics: per-class precision, recall and F1, top-k, confident mistakes; R² for
regression and reconstructions) and the warnings it and the history raise."""
from __future__ import annotations

import time
import weakref

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


REFRESH_S = 0.5          # a training session's report and warnings, at most this often
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def report_and_warnings(session, clock=time.perf_counter) -> tuple[dict | None, list[dict]]:
    """The test report and warnings for a frame: recomputed when the weights or data changed,
    but at most every REFRESH_S while training (a 2-D session sends 30 frames a second; the
    figures are read, not animated). A session that is not playing gets fresh figures: its
    last frame stays on screen beside the loss and accuracy it was measured with."""
    key, now = (session.weights_version, session.data_version, session.epoch), clock()
    hit = _CACHE.get(session)
    playing = session.status == "playing"
    if hit is not None and (hit[0] == key or (playing and now - hit[1] < REFRESH_S
                                                 and hit[0][1] == key[1] and key[2] > 0)):
        return hit[2], hit[3]
    test_report = report(session)
    found = warnings(session, test_report)
    _CACHE[session] = (key, now, test_report, found)
    return test_report, found
