"""Training speed of many default 2-D sessions: one batched group against solo round-robin.

For S default sessions (2 features, 4-2 tanh, SGD 0.03, batch 10, 250 training points; the six
500-point classification datasets in turn, data and training seed i), on one CPU thread:
  * solo: each Session.train_for(SLICE_S) in turn, round-robin in one loop (today's runner);
  * batched: one engine.batched.BatchedGroup of all S, train_for(SLICE_S) in a loop.
Prints epochs/s per session for both and their ratio, for S = 40 and S = 10: per second of
wall clock, and per second of this process's CPU time (the figure to read on a machine that
other jobs share: it is what one free core would give). Last line: one JSON object.

    python bench/batched_speed.py [--seconds 5]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.data.registry import POINT_DATASETS  # noqa: E402
from engine.spec.parse import parse_spec  # noqa: E402
from engine.training.batched import BatchedGroup, batch_key  # noqa: E402
from engine.training.session import Session  # noqa: E402


SIZES = (40, 10)
SLICE_S = 0.005          # one train_for call's time budget
DATASETS = [name for name, info in POINT_DATASETS.items() if info.problem == "classification"]


def sessions(n: int) -> list[Session]:
    out = []
    for i in range(n):
        s = Session(parse_spec({"data": {"dataset": DATASETS[i % len(DATASETS)], "seed": i},
                                "training": {"seed": i, "speed": 0}}))
        s.play()
        out.append(s)
    assert len({batch_key(s) for s in out}) == 1
    return out


def measure(ss: list[Session], train, seconds: float) -> dict:
    """Epochs/s per session of `train()` called until `seconds` pass: by wall clock and by
    this process's CPU time."""
    wall, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - wall < seconds:
        train()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    epochs = sum(s.epoch for s in ss) / len(ss)
    return {"wall": epochs / wall, "cpu": epochs / cpu}


def solo(n: int, seconds: float) -> dict:
    """Sessions trained in turn."""
    ss = sessions(n)

    def train():
        for s in ss:
            s.train_for(SLICE_S)
    return measure(ss, train, seconds)


def batched(n: int, seconds: float) -> dict:
    """Sessions trained as one group."""
    ss = sessions(n)
    group = BatchedGroup(ss)
    result = measure(ss, lambda: group.train_for(SLICE_S), seconds)
    group.release()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    args = ap.parse_args()
    torch.set_num_threads(1)
    result = {"seconds": args.seconds, "slice_s": SLICE_S, "threads": 1}
    for n in SIZES:
        a, b = solo(n, args.seconds), batched(n, args.seconds)
        result[f"S{n}"] = row = {}
        for clock in ("wall", "cpu"):
            ratio = b[clock] / a[clock]
            print(f"S={n:>3}, per {clock:>4} s: solo round-robin {a[clock]:7.1f} epochs/s per "
                  f"session | batched group {b[clock]:7.1f} | ratio {ratio:5.1f}")
            row[clock] = {"solo_epochs_per_s": round(a[clock], 1),
                          "batched_epochs_per_s": round(b[clock], 1), "ratio": round(ratio, 2)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
