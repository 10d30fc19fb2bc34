"""The wire format of a frame: scalars as JSON beside ONE binary attachment holding every array."""
from __future__ import annotations

import time

import numpy as np

ALIGN = 8                # every array starts at a multiple of 8 bytes of the blob


def encode(frame, session_id: str, seq: int) -> dict:
    """A Frame as a Socket.IO payload: scalars as JSON, and every numeric array packed into ONE
    binary attachment, `blob`, each at the `offset` (aligned for typed-array views) and `nbytes`
    named beside its shape and dtype. One attachment, not one per array: a frame is then two
    WebSocket messages, not up to thirty, for the server to send and the browser to parse."""
    return {"session_id": session_id, "seq": seq, "sent": time.time(), **frame.scalars,
            **packed(frame.arrays)}


def packed(named: dict) -> dict:
    """{"arrays": {name: {shape, dtype, offset, nbytes}}, "blob": bytes} of numpy arrays, as a
    frame carries them (also the answer to probe_image)."""
    parts, arrays, offset = [], {}, 0
    for name, a in named.items():
        data = np.ascontiguousarray(a).tobytes()
        pad = -offset % ALIGN
        if pad:
            parts.append(bytes(pad))
            offset += pad
        arrays[name] = {"shape": list(a.shape), "dtype": str(a.dtype), "offset": offset,
                        "nbytes": len(data)}
        parts.append(data)
        offset += len(data)
    return {"arrays": arrays, "blob": b"".join(parts)}
