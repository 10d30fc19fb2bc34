"""Digits CNN: the playground's training loop, with filters and feature maps live at 10 fps,
against a bare PyTorch loop on the same model and data.

Both train examples/digits-cnn.json's network from the same starting weights, on one CPU thread:
  * the playground loop: the server's Runner (time slices, per-epoch evaluation, snapshots of
    every conv layer's filters and one sample's feature maps, frame encoding) with a client that
    acknowledges every frame at once, at 10 frames/s;
  * a bare loop: the same nn.Module, torch.optim.Adam, F.cross_entropy, the same batch size and
    per-epoch shuffling, no evaluation and no frames (pytorch/examples' mnist idiom).
Prints images/s of each and their ratio; last line one JSON object. On a CUDA machine
`--device cuda` measures the GPU path (both loops on the GPU).

    python bench/cnn_speed.py [--seconds 10] [--device cpu|cuda]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from socketio import packet


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.nn.build import build_model  # noqa: E402
from engine.training.session import Session  # noqa: E402
from server.specs import load  # noqa: E402
from server.trainers.trainer import Trainer  # noqa: E402


FPS = 10
VIEWS = frozenset({"filters", "feature_maps"})


def playground(spec, seconds: float, device: str) -> dict:
    frames = []

    def emit(event, payload, to=None):
        frames.append(sum(len(p) for p in packet.Packet(packet.EVENT, data=[event, payload])
                          .encode()))
        runner.ack(key, payload["seq"])

    runner = Trainer(emit, fps=FPS, device=device)
    key = "bench"
    runner.create(key, spec, sid="client")
    entry = runner.entries[key]
    entry.views = VIEWS
    entry.session.play()
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        runner.tick()
    if device == "cuda":
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    s = entry.session
    images = s.epoch * len(s.splits["train"]) + s._cursor   # the last batch of an epoch is short
    return {"images_per_s": images / elapsed, "frames_per_s": len(frames) / elapsed,
            "frame_bytes": max(frames) if frames else 0, "epochs": s.epoch,
            "test_accuracy": s.metrics["test_accuracy"]}


def bare(spec, seconds: float, device: str) -> dict:
    s = Session(spec, device)                      # its data, standardised the same way
    model = build_model(spec).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=spec.training.learning_rate)
    x, t = s.splits["train"].x, s.splits["train"].t
    bs, gen = spec.training.batch_size, torch.Generator().manual_seed(spec.training.seed)
    model.train()
    images, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        order = torch.randperm(len(x), generator=gen).to(device)
        xs, ts = x[order], t[order]
        for i in range(0, len(x), bs):
            opt.zero_grad()
            F.cross_entropy(model(xs[i:i + bs]), ts[i:i + bs]).backward()
            opt.step()
            images += len(xs[i:i + bs])
    if device == "cuda":
        torch.cuda.synchronize()
    return {"images_per_s": images / (time.perf_counter() - start)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    spec = load(str(ROOT / "examples" / "digits-cnn.json"))
    ours, ref = playground(spec, args.seconds, args.device), bare(spec, args.seconds, args.device)
    ratio = ours["images_per_s"] / ref["images_per_s"]
    print(f"playground {ours['images_per_s']:8.0f} images/s at {ours['frames_per_s']:.1f} "
          f"frames/s ({ours['frame_bytes']} B/frame) | bare PyTorch {ref['images_per_s']:8.0f} "
          f"images/s | ratio {ratio:.2f}")
    print(json.dumps({"device": args.device, "fps_target": FPS, "seconds": args.seconds,
                      "playground_images_per_s": round(ours["images_per_s"]),
                      "bare_pytorch_images_per_s": round(ref["images_per_s"]),
                      "ratio": round(ratio, 3), "frames_per_s": round(ours["frames_per_s"], 1),
                      "frame_bytes": ours["frame_bytes"],
                      "test_accuracy": ours["test_accuracy"]}))


if __name__ == "__main__":
    main()
