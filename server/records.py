"""A saved experiment's record: what `store` keeps of a session (spec, weights, optimiser
moments, history, a recording of its training) and how a record becomes a session again.
The format is in docs/protocol.md ("Saved experiments")."""
from __future__ import annotations

import io
import json

import numpy as np
import torch
from safetensors.torch import load as load_tensors, save as save_tensors

from server import store
from engine.frames.common import finite
from engine.frames.recording import RecordedFrame
from engine.frames.recording import Recording
from engine.training.history import History
from engine.training.session import Session
from server.specs import parse

FORMAT = 1
INDEX = "index"                   # the npz member holding the recording's JSON index
STEP_KEY = "t"                    # the optimiser's step count, beside its moments


def record_of(session: Session, recording: Recording, title: str, description: str,
              max_bytes: int = store.MAX_RECORD_BYTES) -> dict:
    """Everything store.save needs (caller holds the session's lock). Adam's moments are
    twice the weights: when they alone push a record over `max_bytes`, it is saved without
    them (a fork then starts the optimiser afresh)."""
    record = {**checkpoint_of(session), "title": title, "description": description,
              "recording": pack_recording(*frames_to_save(session, recording))}
    if store.size_of(record) > max_bytes:
        record["optimizer"] = _optimizer_bytes(None)
    return record


def checkpoint_of(session: Session) -> dict:
    """A record of the session as it is now, without its recording (one snapshot, not a
    replay): what a trainer node keeps in Redis every few seconds so another node can resume
    the session (server.cluster.node). Caller holds the session, as for record_of."""
    record = {
        "format": FORMAT, "title": "", "description": "",
        "spec": json.dumps(session.spec.to_dict()),
        "weights": save_tensors({k: v.detach().cpu().contiguous().clone()
                                 for k, v in session.model.state_dict().items()}),
        "optimizer": _optimizer_bytes(session.optimizer),
        "history": json.dumps(finite({**{k: list(getattr(session.history, k))
                                         for k in History.KEYS},
                                      "stride": session.history.stride})),
        "recording": pack_recording([], Recording().stride),
        "metrics": json.dumps(finite(dict(session.metrics))),
        "epoch": session.epoch, "step": session.step, "device": session.device.type,
    }
    return record


def _optimizer_bytes(optimizer) -> bytes:
    """The moments as `<key>.<parameter index>` and the step count; None: no moments, t 0."""
    if optimizer is None:
        return save_tensors({STEP_KEY: torch.tensor(0, dtype=torch.int64)})
    tensors = {f"{key}.{i}": t.detach().cpu().contiguous().clone()
               for key, ts in optimizer.state.items() for i, t in enumerate(ts)}
    return save_tensors({**tensors, STEP_KEY: torch.tensor(optimizer.t, dtype=torch.int64)})


def frames_to_save(session: Session, recording: Recording) -> tuple[list[RecordedFrame], int]:
    """The live recording's earlier frames and a snapshot of now (which, as a first frame,
    carries the data too: the saved page draws the last frame first)."""
    now = Recording()
    now.capture(session)
    earlier = [f for f in recording.frames if f.epoch < session.epoch]
    return earlier + now.frames, recording.stride


def pack_recording(frames: list[RecordedFrame], stride: int) -> bytes:
    index = {"format": FORMAT, "stride": stride, "frames": []}
    arrays = {}
    for k, frame in enumerate(frames):
        index["frames"].append({"epoch": frame.epoch, "arrays": sorted(frame.arrays),
                                "scalars": finite(frame.scalars)})
        arrays.update({f"{k}:{name}": np.ascontiguousarray(a) for name, a in frame.arrays.items()})
    arrays[INDEX] = np.frombuffer(json.dumps(index).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def recording_index(blob: bytes) -> dict:
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        return json.loads(z[INDEX].tobytes())


def recording_frames(blob: bytes, which: range | None = None) -> list[RecordedFrame]:
    """Frames `which` (all by default) of a packed recording."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        index = json.loads(z[INDEX].tobytes())["frames"]
        which = range(len(index)) if which is None else which
        return [RecordedFrame(index[k]["epoch"], {n: z[f"{k}:{n}"] for n in index[k]["arrays"]},
                      index[k]["scalars"]) for k in which]


def restore(session: Session, record: dict) -> Recording:
    """Load a record's weights, optimiser, history and counters into a session built from its
    spec; the recording the new session goes on from."""
    saved = json.loads(record["history"])
    blank = [None] * len(saved["epoch"])              # a column older records lack
    history = History(**{k: saved.get(k, blank) for k in History.KEYS}, stride=saved["stride"])
    moments = load_tensors(record["optimizer"])
    step_count = int(moments.pop(STEP_KEY))
    state: dict[str, list] = {}
    for name in sorted(moments, key=lambda n: int(n.rpartition(".")[2])):
        state.setdefault(name.rpartition(".")[0], []).append(moments[name])
    session.restore(load_tensors(record["weights"]), history, record["epoch"], record["step"],
                    {"t": step_count, "state": state})
    index = recording_index(record["recording"])
    return Recording(recording_frames(record["recording"]), index["stride"])


def saved_spec(record: dict):
    return parse(json.loads(record["spec"]))
