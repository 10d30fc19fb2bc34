"""How far back can a recurrent net remember? RNN, GRU and LSTM on the `recall` task (the label
is the first bit of a noisy bit sequence) at a short and a long sequence length.

Each (kind, length, seed) trains the same spec (16 units, Adam 0.01, batch 32, clip 1, noise
20 %) for a fixed number of epochs and reports its test accuracy (chance is 0.5) and the
gradient-norm ratio ‖∂L/∂h_0‖ / ‖∂L/∂h_T−1‖ at the start of training, the vanishing-gradient
picture the playground draws. Last line: one JSON object.

    python bench/recurrent_memory.py [--epochs 60] [--seeds 1 2] [--lengths 20 100]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.nn.recurrent import step_gradient_norms  # noqa: E402
from engine.spec.parse import parse_spec  # noqa: E402
from engine.training.session import Session  # noqa: E402


KINDS = ("rnn", "gru", "lstm")


def run(kind: str, length: int, seed: int, epochs: int) -> dict:
    spec = parse_spec({"data": {"dataset": "recall", "seq_length": length, "noise": 20},
                       "model": {"layers": [{"kind": kind, "units": 16}]},
                       "training": {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 32,
                                    "clip": 1, "seed": seed}})
    s = Session(spec)
    test = s.splits["test"]
    norms = step_gradient_norms(s.model, test.x[0], test.t[:1], s._loss, 0)
    start = time.perf_counter()
    for _ in range(epochs):
        s.train_epoch()
    s.refresh()
    return {"accuracy": s.metrics["test_accuracy"], "seconds": time.perf_counter() - start,
            "grad_ratio_at_init": float(norms[0] / max(norms[-1], 1e-30))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--lengths", type=int, nargs="+", default=[20, 100])
    args = ap.parse_args()
    torch.set_num_threads(1)
    result = {"epochs": args.epochs, "seeds": args.seeds}
    for length in args.lengths:
        for kind in KINDS:
            runs = [run(kind, length, seed, args.epochs) for seed in args.seeds]
            accs = [round(r["accuracy"], 3) for r in runs]
            ratio = statistics.median(r["grad_ratio_at_init"] for r in runs)
            print(f"T={length:4d} {kind:5s} test accuracy {accs}  grad ratio h0/hT at init "
                  f"{ratio:.1e}  ({statistics.mean(r['seconds'] for r in runs):.1f} s/run)",
                  flush=True)
            result[f"{kind}_T{length}"] = {"accuracy": accs, "grad_ratio_at_init": ratio}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
