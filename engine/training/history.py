"""A run's metric history, bounded: at most MAX_HISTORY points spread evenly over its epochs.

`halve` is the thinning rule every bounded per-epoch record shares (this history and a saved
run's recording): when full, keep every other recorded epoch and double the stride.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

MAX_HISTORY = 4000               # loss-curve points kept per session


def halve(epochs: Sequence[int], stride: int) -> tuple[list[int], int]:
    """The indices to keep of a full record of `epochs` (recorded every `stride`), and the new
    stride: the entries on a multiple of twice the stride."""
    stride *= 2
    return [i for i, e in enumerate(epochs) if e % stride == 0], stride


@dataclass
class History:
    """Metrics per recorded epoch. At most MAX_HISTORY entries: when full, every other one
    is dropped and only every `stride`-th epoch is recorded from then on (`version` counts
    these compactions, so a client knows to redraw rather than extend)."""
    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    test_accuracy: list = field(default_factory=list)
    seconds: list = field(default_factory=list)     # time spent training at that epoch's end
    examples: list = field(default_factory=list)    # training examples seen by then
    lr: list = field(default_factory=list)          # the learning rate of the epoch's last step

    stride: int = 1
    version: int = 0

    KEYS = ("epoch", "train_loss", "test_loss", "val_loss", "train_accuracy", "test_accuracy",
            "seconds", "examples", "lr")

    def append(self, epoch: int, metrics: dict) -> None:
        if epoch % self.stride:
            return
        self.epoch.append(epoch)
        for key in self.KEYS[1:]:
            getattr(self, key).append(metrics.get(key))
        if len(self.epoch) > MAX_HISTORY:
            keep, self.stride = halve(self.epoch, self.stride)
            for key in self.KEYS:
                values = getattr(self, key)
                values[:] = [values[i] for i in keep]
            self.version += 1

    def since(self, start: int) -> dict:
        return {"start": start, **{k: getattr(self, k)[start:] for k in self.KEYS}}

    def __len__(self) -> int:
        return len(self.epoch)
