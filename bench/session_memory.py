"""How much memory can one session take? The largest specs the schema and the budget allow
(engine.spec.budget), each built, trained and evaluated in a fresh process: its peak resident
memory above that process's baseline (torch and the engine imported, a tiny session built),
beside the budget's estimate.

Candidates: for every dataset (MNIST and Fashion-MNIST from full-size random IDX files this
bench writes), the most samples the parser accepts (at the
longest sequence length, the largest batch), with its default network, and a few wide networks
at the parameter limit. Each runs: build, 20 training batches, a whole-set evaluation, a sliced
one, and a frame with every view. Last line: one JSON object.

    python bench/session_memory.py [--limit-mb 1024] [--quick]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.data.images import MNIST_KINDS, write_idx  # noqa: E402
from engine.data.registry import DATASETS  # noqa: E402
from engine.spec.budget import estimate  # noqa: E402
from engine.spec.network import plan_layers  # noqa: E402
from engine.spec.parse import parse_spec  # noqa: E402
from engine.spec.types import SpecError  # noqa: E402

BATCHES = 20
MNIST_TOTAL = 70000        # images in MNIST's files (train + t10k)
MB = 2 ** 20


def parses(raw: dict) -> bool:
    try:
        parse_spec(raw)
        return True
    except SpecError:
        return False


def most_samples(raw: dict) -> int | None:
    """The most samples (20..70000) a spec with `raw`'s other fields may ask for."""
    def with_n(n):
        return {**raw, "data": {**raw.get("data", {}), "samples": n}}
    low, high = 20, 70000
    if not parses(with_n(low)):
        return None
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if parses(with_n(mid)) else (low, mid - 1)
    return low


def candidates() -> list[tuple[str, dict]]:
    out = []
    for name, info in DATASETS.items():
        base = {"data": {"dataset": name}}
        if info.family == "sequences":
            base["data"]["seq_length"] = 200
        for batch in (None, 1000):
            raw = {**base, **({"training": {"batch_size": batch}} if batch else {})}
            n = most_samples(raw)
            if n is not None:
                fixed = info.family not in ("points", "sequences") and name != "shapes"
                held = MNIST_TOTAL if info.needs_data_dir else info.default_samples
                n = min(n, held) if fixed else n   # fixed sets hold so many
                out.append((f"{name} n={n} batch={batch or 'default'}",
                            {**raw, "data": {**raw["data"], "samples": n}}))
    wide = {"model": {"layers": [{"units": 1024, "activation": "relu"}] * 4}}
    for name in ("shapes", "sine-wave"):
        raw = {"data": {"dataset": name}, **wide}
        n = most_samples(raw)
        if n is not None:
            out.append((f"{name} 4x1024 dense n={n}",
                        {**raw, "data": {**raw["data"], "samples": n}}))
    return out


CHILD = r"""
import json, resource, sys, torch
sys.path.insert(0, {root!r})
torch.set_num_threads(1)
from engine.spec.parse import parse_spec
from engine.training.session import Session
from engine.frames.snapshot import snapshot
from engine.frames import images, sequences
Session(parse_spec({{}})).train_batch()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
spec = parse_spec(json.loads({raw!r}))
s = Session(spec, data_dir={data_dir!r})
s.play()
for _ in range({batches}):
    s.train_batch()
s._last_eval = -1e9
s._end_epoch()            # a sliced evaluation's frozen copy and outputs
s.refresh()               # and a whole-set one
views = images.VIEWS if spec.data.family in ("images", "tabular") else sequences.VIEWS
snapshot(s, include_data=True, views=frozenset(views))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"base_mb": base / 1024, "peak_mb": peak / 1024}}))
"""


def write_mnist_files(folder: Path) -> None:
    """Full-size MNIST and Fashion-MNIST IDX files (60,000 + 10,000 random digits each, as
    large as the real ones): the real files cannot be downloaded here."""
    rng = np.random.default_rng(0)
    for kind in MNIST_KINDS:
        (folder / kind).mkdir(parents=True, exist_ok=True)
        for part, n in (("train", 60000), ("t10k", 10000)):
            write_idx(folder / kind / f"{part}-images-idx3-ubyte",
                      rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
            write_idx(folder / kind / f"{part}-labels-idx1-ubyte",
                      (np.arange(n) % 10).astype(np.uint8))


def measure(raw: dict, data_dir: str | None = None) -> dict:
    code = CHILD.format(root=str(ROOT), raw=json.dumps(raw), batches=BATCHES,
                        data_dir=data_dir)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    got = json.loads(out.strip().splitlines()[-1])
    return {"session_mb": round(got["peak_mb"] - got["base_mb"], 1),
            "process_mb": round(got["peak_mb"], 1)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--limit-mb", type=float, default=1024)
    p.add_argument("--quick", action="store_true", help="only the three largest estimates")
    args = p.parse_args()
    rows = []
    for label, raw in candidates():
        spec = parse_spec(raw)
        est = estimate(spec, plan_layers(spec)).memory / MB
        rows.append((est, label, raw))
    rows.sort(reverse=True)
    if args.quick:
        rows = rows[:3]
    results = []
    data_dir = tempfile.mkdtemp(prefix="nn-memory-")
    write_mnist_files(Path(data_dir))
    for est, label, raw in rows:
        got = measure(raw, data_dir)
        results.append({"spec": label, "estimate_mb": round(est), **got})
        print(f"{label:42s} estimate {est:6.0f} MB  session {got['session_mb']:6.0f} MB  "
              f"process {got['process_mb']:6.0f} MB", flush=True)
    worst = max(results, key=lambda r: r["session_mb"])
    print(json.dumps({"worst": worst, "limit_mb": args.limit_mb,
                      "under_limit": worst["session_mb"] < args.limit_mb, "specs": len(results)}))


if __name__ == "__main__":
    main()
