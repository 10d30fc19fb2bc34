"""Training speed of the 2-D playground, with frames live, against a bare PyTorch loop.

For the default net (2 features, 4-2 tanh, batch 10, 250 training points) and for six hidden
layers of 8 on all 7 features, it runs, in this one process and on one CPU thread:
  * the playground loop: the server's Runner (time slices, snapshot of the output map and every
    neuron map, frame encoding) with a client that acknowledges each frame at once, at 30 fps;
  * a bare PyTorch loop on the same net and data: nn.Sequential, torch.optim.SGD, the same loss,
    batch size and per-epoch shuffling, no frames (pytorch/examples' idiom).
Prints epochs/s, frames/s, the ratio of steps/s (playground / bare), and the encoded size of a
6x8 frame as Socket.IO sends it. Last line: one JSON object with every figure.

    python bench/playground_speed.py [--seconds 5]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
from socketio import packet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.frames.snapshot import snapshot  # noqa: E402
from engine.spec.parse import parse_spec  # noqa: E402
from engine.training.session import Session  # noqa: E402
from server.trainers.trainer import Trainer  # noqa: E402
from server.trainers.wire import encode  # noqa: E402


MAX_SPEED = {"training": {"speed": 0}}     # no speed limit: what the engine can give
NETS = {
    "default_4-2": MAX_SPEED,
    "six_by_8_all_features": {
        "data": {"dataset": "spiral",
                 "features": ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]},
        "model": {"layers": [{"units": 8, "activation": "tanh"}] * 6}, **MAX_SPEED},
}
FPS = 30


def playground(spec, seconds: float) -> dict:
    """The server's runner loop with an instant-ack client."""
    frames = []

    def emit(event, payload, to=None):
        frames.append(sum(len(p) for p in packet.Packet(packet.EVENT, data=[event, payload])
                          .encode() if isinstance(p, (str, bytes))))
        runner.ack(key, payload["seq"])

    runner = Trainer(emit, fps=FPS, device="cpu")
    key = "bench"
    runner.create(key, spec, sid="client")
    entry = runner.entries[key]
    entry.session.play()
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        runner.tick()
    elapsed = time.perf_counter() - start
    s = entry.session
    return {"epochs_per_s": s.epoch / elapsed, "steps_per_s": s.step / elapsed,
            "frames_per_s": len(frames) / elapsed, "test_loss": s.metrics["test_loss"]}


def bare_pytorch(spec, seconds: float) -> dict:
    """The same net and data trained the plain way."""
    s = Session(spec)                         # only for its data and starting weights
    net = s.model.to_sequential()
    opt = torch.optim.SGD(net.parameters(), lr=spec.training.learning_rate)
    x, t = s.splits["train"].x, s.splits["train"].t
    bs, gen = spec.training.batch_size, torch.Generator().manual_seed(spec.training.seed)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        order = torch.randperm(len(x), generator=gen)
        xs, ts = x[order], t[order]
        for i in range(0, len(x), bs):
            opt.zero_grad()
            loss = 0.5 * torch.nn.functional.mse_loss(net(xs[i:i + bs]), ts[i:i + bs])
            loss.backward()
            opt.step()
            steps += 1
    elapsed = time.perf_counter() - start
    return {"steps_per_s": steps / elapsed,
            "epochs_per_s": steps / elapsed / -(-len(x) // bs)}


def frame_bytes(spec) -> int:
    s = Session(spec)
    payload = encode(snapshot(s), "x" * 22, 1)
    return sum(len(p) for p in packet.Packet(packet.EVENT, data=["frame", payload]).encode())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    args = ap.parse_args()
    torch.set_num_threads(1)
    result = {"fps_target": FPS, "seconds": args.seconds}
    for name, raw in NETS.items():
        spec = parse_spec(raw)
        ours, bare = playground(spec, args.seconds), bare_pytorch(spec, args.seconds)
        ratio = ours["steps_per_s"] / bare["steps_per_s"]
        print(f"{name:>24}: playground {ours['epochs_per_s']:7.1f} epochs/s at "
              f"{ours['frames_per_s']:4.1f} frames/s | bare PyTorch {bare['epochs_per_s']:7.1f} "
              f"epochs/s | ratio {ratio:.2f}")
        result[name] = {"playground_epochs_per_s": round(ours["epochs_per_s"], 1),
                        "frames_per_s": round(ours["frames_per_s"], 1),
                        "bare_pytorch_epochs_per_s": round(bare["epochs_per_s"], 1),
                        "steps_ratio_vs_bare": round(ratio, 3)}
    result["frame_bytes_6x8"] = frame_bytes(parse_spec(NETS["six_by_8_all_features"]))
    print(f"encoded 6x8 frame: {result['frame_bytes_6x8']} bytes")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
