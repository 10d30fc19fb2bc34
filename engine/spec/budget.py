"""What a session will cost, from its spec alone, before anything is built: the memory it holds
(data, outputs, weights with their gradients and moments, one step's activations) and the
compute of one training step and of one pass over all its data. `check` refuses a spec over
any limit (engine.spec.fields: MAX_SESSION_BYTES, MAX_STEP_BYTES, MAX_STEP_FLOPS,
MAX_EVAL_FLOPS) with the field to change, so no single request can take more than its share of
a server. The factors are counted from how a Session holds its data and were checked against
measured resident memory (bench/session_memory.py; README, "Limits").
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from engine.spec.fields import (MAX_EVAL_FLOPS, MAX_SESSION_BYTES, MAX_STEP_BYTES,
                                MAX_STEP_FLOPS, STEP_BYTES_PER_ACTIVATION)
from engine.spec.plan import activations_per_example
from engine.spec.types import Spec, SpecError

FLOAT = 4                  # bytes of a float32
TOKEN = 8                  # bytes of a text set's int64 character index
SERIES_FUTURE = 40         # steps a series example keeps past its input (the forecast's truth)
# Bytes held per stored value of the data, as multiples of the value's own size: every copy a
# session keeps (as drawn, each split's raw and model-ready rows, all splits side by side for
# evaluation, the training rows in this epoch's order) and the float64 temporaries of drawing
# generated sets, which set the peak. Measured with bench/session_memory.py.
DATA_COPIES = {"points": 5, "images": 10, "tabular": 10, "sequences": 20, "text": 5}
# Images read from files (MNIST) have no drawing temporaries: 16.4 KB per 28x28 digit at the peak
# measured for all 70,000 (5.2 copies of its float32 pixels).
FILE_COPIES = 6
# Copies of the outputs at the peak: every example's (kept for the views), the pieces they are
# joined from, a sliced evaluation's, and the loss's log-softmax over all of them.
OUTPUT_COPIES = 6
# Copies of the parameters: weights, gradients, two optimiser moments, early stopping's best,
# and the frozen copy a sliced evaluation measures.
PARAM_COPIES = 6
EVAL_VALUES = 2 ** 24      # activation values one evaluation chunk holds (Session.EVAL_BUDGET)


@dataclass(frozen=True)
class Cost:
    data_bytes: int
    output_bytes: int
    param_bytes: int
    step_bytes: int
    step_flops: int        # multiply-adds of one training batch's forward pass
    pass_flops: int        # multiply-adds of one forward pass over every example

    eval_bytes: int        # one evaluation chunk's activations

    @property
    def memory(self) -> int:
        return (self.data_bytes + self.output_bytes + self.param_bytes + self.step_bytes
                + self.eval_bytes)


def example_bytes(spec: Spec) -> int:
    """Bytes one example costs as a session holds its data (a sequence's whole window), all
    copies and drawing temporaries counted (DATA_COPIES)."""
    d = spec.data
    if d.family == "points":
        return (len(d.features) + 1) * FLOAT * DATA_COPIES["points"]
    info = d.info
    if d.family != "sequences":
        copies = FILE_COPIES if info.needs_data_dir else DATA_COPIES[d.family]
        return math.prod(info.shape) * FLOAT * copies
    if info.vocab:                                     # text: T + 1 character indices
        return (d.seq_length + 1) * TOKEN * DATA_COPIES["text"]
    extra = SERIES_FUTURE if info.sequence == "many_to_many" else 0
    return (d.seq_length + extra) * math.prod(info.shape) * FLOAT * DATA_COPIES["sequences"]


def estimate(spec: Spec, plans) -> Cost:
    n, bs = spec.data.samples, spec.training.batch_size
    flops = sum(p.flops for p in plans)
    return Cost(
        data_bytes=n * example_bytes(spec),
        output_bytes=n * math.prod(plans[-1].out_shape) * FLOAT * OUTPUT_COPIES,
        param_bytes=sum(p.params for p in plans) * FLOAT * PARAM_COPIES,
        step_bytes=bs * activations_per_example(plans) * STEP_BYTES_PER_ACTIVATION,
        step_flops=bs * flops,
        pass_flops=n * flops,
        eval_bytes=min(EVAL_VALUES, n * activations_per_example(plans)) * FLOAT,
    )


def _refuse(path: str, message: str):
    raise SpecError([{"path": path, "message": f"{path}: {message}"}])


def _mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def check(spec: Spec, plans) -> Cost:
    """The cost, or SpecError naming the field to lower when one is over its limit."""
    cost = estimate(spec, plans)
    bs = spec.training.batch_size
    if cost.step_bytes > MAX_STEP_BYTES:
        _refuse("training.batch_size", f"{bs} examples of this network need "
                f"{_mb(cost.step_bytes)} per step, above the limit {_mb(MAX_STEP_BYTES)}: "
                f"lower the batch size or the layers")
    if cost.step_flops > MAX_STEP_FLOPS:
        _refuse("training.batch_size", f"{bs} examples of this network cost "
                f"{cost.step_flops / 1e9:,.2f} G multiply-adds per step, above the limit "
                f"{MAX_STEP_FLOPS / 1e9:g} G (about one frame of one CPU core): lower the "
                f"batch size or the layers")
    n = spec.data.samples
    if cost.pass_flops > MAX_EVAL_FLOPS:
        _refuse("data.samples", f"{n:,} examples of this network cost "
                f"{cost.pass_flops / 1e9:,.1f} G multiply-adds per pass over the data, above "
                f"the limit {MAX_EVAL_FLOPS / 1e9:g} G: fewer samples or smaller layers")
    if cost.memory > MAX_SESSION_BYTES:
        parts = {"data.samples": cost.data_bytes + cost.output_bytes,
                 "model.layers": cost.param_bytes, "training.batch_size": cost.step_bytes}
        path = max(parts, key=parts.get)
        what = {"data.samples": f"{n:,} examples (with their outputs)",
                "model.layers": "this network's weights (with gradients and moments)",
                "training.batch_size": f"a step of {bs} examples"}[path]
        _refuse(path, f"this session would hold about {_mb(cost.memory)}, above the limit "
                      f"{_mb(MAX_SESSION_BYTES)} per session; most of it is {what}")
    return cost
