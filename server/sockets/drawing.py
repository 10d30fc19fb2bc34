"""`probe_image`'s payload, checked once at the edge: a drawing from the page's pad is exactly
DRAW_SIZE × DRAW_SIZE grey levels, each a finite number from 0 to 1, row by row. It crosses to
the trainer as float32 bytes (engine.frames.drawing runs it through the net)."""
from __future__ import annotations

import numpy as np

from engine.data.drawing import DRAW_SIZE
from engine.spec.text import shown
from server.errors import PayloadError

DRAW_PIXELS = DRAW_SIZE * DRAW_SIZE


def pixels_of(data: dict) -> bytes:
    """The drawing's pixels as float32 bytes, or PayloadError naming the first bad value."""
    value = data.get("pixels")
    what = f"a {DRAW_SIZE}×{DRAW_SIZE} drawing is {DRAW_PIXELS:,} numbers from 0 to 1, row by row"
    if not isinstance(value, list):
        raise PayloadError("pixels", f"{shown(value)} is not a list: {what}")
    if len(value) != DRAW_PIXELS:
        raise PayloadError("pixels", f"{len(value):,} values; {what}")
    for i, v in enumerate(value):
        # NaN fails both comparisons; infinities and booleans are refused too.
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
            raise PayloadError(f"pixels[{i}]", f"{shown(v)} is not a number from 0 to 1")
    return np.asarray(value, dtype=np.float32).tobytes()
