"""An evaluation done a chunk at a time: the outputs of some splits, measured on a frozen copy of
the weights as they were when it started, so it can be spread over the training batches that
follow (a server trainer must never spend seconds on one session's test set while the others
wait) and still describe exactly one epoch's weights.

`Session` starts one at the end of an epoch; `advance` runs chunks until a time budget is spent,
`keep_pace` enough chunks per batch to finish by the end of the next epoch; `outputs()` is the
model's output on the splits, in order, once done.
"""
from __future__ import annotations

import copy
import math
import time

import torch
from torch import nn


class Evaluation:
    def __init__(self, model: nn.Module, inputs: list[torch.Tensor], chunk: int, epoch: int):
        """`inputs`: each split's examples in order; `chunk`: examples per forward pass;
        `epoch`: the epoch whose weights these are."""
        self.model = copy.deepcopy(model).eval()       # frozen: training goes on meanwhile
        self.epoch = epoch
        self.chunks = [part for x in inputs for part in x.split(chunk)]
        self.done: list[torch.Tensor] = []

    @property
    def finished(self) -> bool:
        return len(self.done) == len(self.chunks)

    @property
    def left(self) -> int:
        return len(self.chunks) - len(self.done)

    @torch.inference_mode()
    def step(self, chunks: int = 1) -> bool:
        """Evaluate up to `chunks` more chunks; True when all are done."""
        for _ in range(min(chunks, self.left)):
            self.done.append(self.model(self.chunks[len(self.done)]))
        return self.finished

    def advance(self, seconds: float, clock=time.perf_counter) -> bool:
        """Evaluate chunks (at least one) until `seconds` have passed; True when all are done."""
        deadline = clock() + seconds
        while not self.step():
            if clock() >= deadline:
                return False
        return True

    def keep_pace(self, batches_left: int) -> bool:
        """One batch's share of what is left, so it is done when the epoch is."""
        return self.step(math.ceil(self.left / max(1, batches_left)))

    def outputs(self) -> torch.Tensor:
        """Every split's outputs, concatenated in order (call when finished)."""
        return torch.cat(self.done) if self.done else torch.empty(0)

    def state(self) -> dict:
        """The frozen weights (and buffers) this evaluation measured."""
        return self.model.state_dict()
