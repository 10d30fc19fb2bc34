"""A drawing through an image classifier: the pad's pixels made into one of the set's images
(engine.data.drawing), standardised as the session standardised its training images, and run
through the net, with the same arrays a picked test example gives (`fmap.<layer>`, `sample`,
`sample_probs`), so the page draws it with the same view.
"""
from __future__ import annotations

import numpy as np
import torch

from engine.data.drawing import to_image
from engine.data.registry import DATASETS
from engine.frames.images import example_maps
from engine.training.splits import image_stats


def drawable(spec) -> bool:
    """Whether a drawing can go through this spec's net: an image classifier."""
    return spec.data.family == "images" and spec.model.task == "predict"


def _stats(session):
    """The training images' mean and deviation, kept until the data changes."""
    train = session.splits["train"]
    kept = getattr(session, "_draw_stats", None)
    if kept is None or kept[0] is not train:
        kept = (train, image_stats(train, session.device))
        session._draw_stats = kept
    return kept[1]


@torch.inference_mode()
def probe_drawing(session, pixels: np.ndarray) -> tuple[dict, dict]:
    """Arrays and scalars for a drawing ([DRAW_SIZE, DRAW_SIZE] in [0, 1]) on an image classifier."""
    spec = session.spec
    raw = to_image(pixels, DATASETS[spec.data.dataset].shape, spec.data.dataset)[None]
    x = torch.from_numpy(raw).to(session.device)
    if spec.data.normalize:
        mean, std = _stats(session)
        x = (x - mean) / std
    arrays: dict[str, np.ndarray] = {}
    example_maps(session, x, raw, arrays)
    prediction = int(np.argmax(arrays["sample_probs"]))
    return arrays, {"sample": {"drawn": True}, "prediction": prediction, "epoch": session.epoch}
