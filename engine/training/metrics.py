"""Figures beyond loss and accuracy, and the warnings they raise.

- classifiers: per-class precision, recall, F1 and support, macro F1, top-k accuracy, and how
  many mistakes were made at ≥ CONFIDENT probability (scikit-learn's definitions: a class never
  predicted has precision 0; its tests use sklearn.metrics as the oracle);
- regression (and an autoencoder's reconstruction): R² = 1 − SS_res / SS_tot, and the mean
  absolute error;
- warnings: overfitting (the test loss has risen for OVERFIT_EPOCHS measured epochs in a row
  while the training loss fell) and over-confident mistakes.
Read from a session's last evaluation (`session.outputs`): nothing here runs the model.
"""
from __future__ import annotations

import math

import torch

TOP_K = (3, 5)              # top-k accuracies reported when there are more than k classes
CONFIDENT = 0.99            # a mistake made at this probability or more is over-confident
OVERFIT_EPOCHS = 5          # measured epochs of rising test loss before the warning
DIGITS = 4


def _round(x: float) -> float | None:
    return round(x, DIGITS) if math.isfinite(x) else None


def classification(probs: torch.Tensor, labels: torch.Tensor) -> dict:
    """Figures of class probabilities [n, k] against true classes [n]."""
    n, k = probs.shape
    pred = probs.argmax(1)
    counts = torch.bincount(labels * k + pred, minlength=k * k).reshape(k, k).double()
    tp, predicted, actual = counts.diag(), counts.sum(0), counts.sum(1)
    precision = torch.where(predicted > 0, tp / predicted.clamp_min(1), 0.0)
    recall = torch.where(actual > 0, tp / actual.clamp_min(1), 0.0)
    denom = precision + recall
    f1 = torch.where(denom > 0, 2 * precision * recall / denom.clamp_min(1e-300), 0.0)
    per_class = [{"precision": _round(p), "recall": _round(r), "f1": _round(f), "support": int(s)}
                 for p, r, f, s in zip(precision.tolist(), recall.tolist(), f1.tolist(),
                                       actual.tolist())]
    top = {}
    for j in TOP_K:
        if j < k and n:
            hit = (probs.topk(j, 1).indices == labels[:, None]).any(1)
            top[f"top{j}"] = _round(hit.double().mean().item())
    wrong = pred != labels
    confident = int((wrong & (probs.max(1).values >= CONFIDENT)).sum())
    return {"kind": "classification", "per_class": per_class,
            "macro_f1": _round(f1.mean().item()), **top, "confident_wrong": confident,
            "wrong": int(wrong.sum())}


def regression(pred: torch.Tensor, target: torch.Tensor) -> dict:
    """R² and mean absolute error of predictions against targets (any shape, flattened)."""
    pred, target = pred.double().flatten(), target.double().flatten()
    ss_res = (target - pred).square().sum()
    ss_tot = (target - target.mean()).square().sum()
    r2 = (1 - ss_res / ss_tot).item() if ss_tot > 0 else float("nan")
    return {"kind": "regression", "r2": _round(r2),
            "mae": _round((target - pred).abs().mean().item())}


def class_probabilities(out: torch.Tensor, head: str) -> torch.Tensor:
    """[n, k] probabilities from a head's raw outputs: softmax of k logits (at every step of a
    sequence too), sigmoid of one logit, or a tanh output read as (1 + y) / 2."""
    if head == "ce":
        return torch.softmax(out.reshape(-1, out.shape[-1]).float(), 1)
    p1 = torch.sigmoid(out.float()) if head == "bce" else (out.float().clamp(-1, 1) + 1) / 2
    p1 = p1.reshape(-1)
    return torch.stack([1 - p1, p1], 1)


def class_labels(t: torch.Tensor, head: str) -> torch.Tensor:
    """True classes [n] from the loss targets (indices, 0/1, or ±1)."""
    if head == "ce":
        return t.reshape(-1).long()
    return (t.reshape(-1) > (0.0 if head == "mse" else 0.5)).long()


def overfitting(history) -> dict | None:
    """The warning when the test loss rose over the last OVERFIT_EPOCHS measured epochs, each
    above the one before, while the training loss fell over the same epochs."""
    last = []                      # from the end: a frame must not walk thousands of epochs
    for i in range(len(history.epoch) - 1, -1, -1):
        tr, te = history.train_loss[i], history.test_loss[i]
        if te is not None and tr is not None:
            last.append((history.epoch[i], tr, te))
            if len(last) > OVERFIT_EPOCHS:
                break
    last.reverse()
    if len(last) <= OVERFIT_EPOCHS:
        return None
    rising = all(b[2] > a[2] for a, b in zip(last, last[1:]))
    if not (rising and last[-1][1] < last[0][1]):
        return None
    return {"kind": "overfitting",
            "message": f"Overfitting: the test loss has risen for {OVERFIT_EPOCHS} epochs "
                       f"(epoch {last[0][0]}: {last[0][2]:.4f}, now {last[-1][2]:.4f}) while "
                       f"the training loss fell. Regularisation, dropout, more data or early "
                       f"stopping help."}


def confident_mistakes(report: dict | None) -> dict | None:
    if not report or not report.get("confident_wrong"):
        return None
    n = report["confident_wrong"]
    return {"kind": "confident",
            "message": f"{n} test example{'s are' if n > 1 else ' is'} misclassified at "
                       f"{CONFIDENT:.0%} confidence or more: the net is sure and wrong. Look "
                       f"at them (a wrong label?) and consider label smoothing."}
