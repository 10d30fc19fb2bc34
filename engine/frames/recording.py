"""A recording of a run: a few snapshots of what it showed, spread over its epochs, so a saved
experiment can be scrubbed through training (the decision boundary, the filters, ...).

`Recording.capture(session)` is called as training goes; it keeps a snapshot at epochs
stride, 2·stride, ... and, like the loss history, halves itself and doubles the stride when it
holds MAX_FRAMES, so a long run is spread evenly over a bounded number of frames. What a frame
holds depends on the family (REPLAY_VIEWS): the output map of a 2-D net, the first conv
layer's filters and the confusion matrix of an image net, the prediction of a sequence net.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.frames.snapshot import snapshot
from engine.training.history import halve

MAX_FRAMES = 64
# The probes a replay shows, per family (snapshot's `views`).
REPLAY_VIEWS = {
    "points": frozenset(),
    "images": frozenset({"filters", "confusion", "embedding"}),
    "tabular": frozenset({"confusion", "embedding"}),
    "sequences": frozenset({"series", "text"}),
}
REPLAY_ARRAYS = ("output", "output_class", "curve", "neurons", "confusion", "embedding",
                 "embedding_labels", "series_input", "series_prediction", "series_target",
                 "forecast", "forecast_truth")
# Prefixes of arrays kept too: every layer's weights (the 2-D diagram) and filters; the first
# frame also keeps the data points and input maps (they do not change during a run).
REPLAY_PREFIXES = ("filters.", "weight.", "bias.")
FIRST_FRAME_ARRAYS = ("train_x", "train_y", "test_x", "test_y", "inputs")
REPLAY_SCALARS = ("text", "metrics")


@dataclass
class RecordedFrame:
    epoch: int
    arrays: dict[str, np.ndarray]
    scalars: dict


@dataclass
class Recording:
    frames: list[RecordedFrame] = field(default_factory=list)
    stride: int = 1

    def capture(self, session, shot=None) -> bool:
        """Record the session's current state if its epoch is due; True when it did. `shot`: a
        snapshot of now just made for a client, reused where it holds what a replay keeps (a
        2-D net's maps and weights), so recording costs no second snapshot."""
        epoch = session.epoch
        if epoch == 0 and self.frames:
            return False
        if self.frames and (epoch <= self.frames[-1].epoch or epoch % self.stride):
            return False
        first = not self.frames
        if shot is None or session.spec.data.family != "points" \
                or (first and "train_x" not in shot.arrays):
            shot = snapshot(session, views=REPLAY_VIEWS[session.spec.data.family],
                            include_data=first, options={"temperature": 0.5},
                            history_from=len(session.history))     # a saved run keeps it whole
        arrays = {k: v for k, v in shot.arrays.items()
                  if k in REPLAY_ARRAYS or k.startswith(REPLAY_PREFIXES)
                  or (first and k in FIRST_FRAME_ARRAYS)}
        scalars = {k: shot.scalars[k] for k in REPLAY_SCALARS if k in shot.scalars}
        self.frames.append(RecordedFrame(epoch, arrays, scalars))
        if len(self.frames) > MAX_FRAMES:
            keep, self.stride = halve([f.epoch for f in self.frames], self.stride)
            self.frames = [self.frames[i] for i in keep]
        return True

    def clear(self) -> None:
        self.frames, self.stride = [], 1
