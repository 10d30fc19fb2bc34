"""Does one heavy client freeze everyone else? A bystander trains the default 2-D net and counts
its frames while two other clients open the heaviest session the budget allows (convolutions on
the shapes set at the per-step and per-pass limits), step it a whole epoch, play it and export
it. Before this work the same probe (then with heavier nets) took a bystander from 29 frames/s
to 0 and dropped sockets.

Prints the bystander's frames/s before and during the heavy clients' work, its longest gap
between two frames, how long each heavy action took, and whether every socket survived. Last
line: one JSON object.

    python bench/stall.py [--seconds 20] [--workers auto]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classroom import Wire, serve  # noqa: E402

# At the limits: 13.3 M multiply-adds an example, 0.43 G a batch of 32 (limit 0.5 G), 25 G a
# pass over 1,900 examples (limit 30 G).
HEAVY = {"data": {"dataset": "shapes", "samples": 1900},
         "model": {"layers": [{"kind": "conv2d", "filters": 32, "kernel": 5, "padding": 2},
                              {"kind": "conv2d", "filters": 32, "kernel": 5, "padding": 2},
                              {"kind": "conv2d", "filters": 32, "kernel": 5, "padding": 2},
                              {"kind": "flatten"}]},
         "training": {"batch_size": 32}}


def cookie_of(url: str) -> str:
    with urllib.request.urlopen(url + "/") as response:
        return response.headers["Set-Cookie"].split(";")[0]


def bystander(url: str, stop_at: float, results) -> None:
    wire = Wire(url, cookie_of(url))
    answer = wire.call("open", {"spec": {"data": {"dataset": "circle"}}})
    wire.call("play", {"session_id": answer["session_id"]})
    times = []
    try:
        while time.time() < stop_at:
            kind, name, frame = wire.next()
            if kind == "event" and name == "frame":
                times.append(time.time())
                wire.emit("frame_ack", {"session_id": frame["session_id"], "seq": frame["seq"]})
        alive = True
    except Exception:                      # noqa: BLE001 (a dropped socket is the finding)
        alive = False
    results.put({"who": "bystander", "times": times, "alive": alive})


def heavy(url: str, start_at: float, results) -> None:
    time.sleep(max(0.0, start_at - time.time()))
    cookie = cookie_of(url)
    wire = Wire(url, cookie)
    took = {}

    def timed(name, fn):
        t, at = time.perf_counter(), time.time()
        out = fn()
        took[name] = round(time.perf_counter() - t, 2)
        took[name + "_at"] = round(at - start_at, 1)
        return out
    answer = timed("open", lambda: wire.call("open", {"spec": HEAVY}))
    if not answer.get("ok"):
        results.put({"who": "heavy", "error": answer})
        return
    sid = answer["session_id"]
    timed("step_epoch", lambda: wire.call("step", {"session_id": sid, "unit": "epoch"}))
    wire.call("play", {"session_id": sid})
    end = time.time() + 5
    while time.time() < end:               # playing: take its frames as a page would
        kind, name, frame = wire.next()
        if kind == "event" and name == "frame":
            wire.emit("frame_ack", {"session_id": frame["session_id"], "seq": frame["seq"]})
    wire.call("pause", {"session_id": sid})

    def export():
        request = urllib.request.Request(f"{url}/api/sessions/{sid}/export.zip",
                                         headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=300) as response:
            return len(response.read())
    timed("export", export)
    results.put({"who": "heavy", "took": took})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=30, help="of heavy work watched")
    ap.add_argument("--baseline", type=float, default=6, help="seconds watched before")
    ap.add_argument("--workers", default="auto")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, server = serve(tmp, "--workers", str(args.workers))
        try:
            ctx = multiprocessing.get_context("fork")
            results = ctx.Queue()
            warm = time.time() + 3
            heavy_at = warm + args.baseline
            stop_at = heavy_at + args.seconds
            procs = [ctx.Process(target=bystander, args=(url, stop_at, results))]
            procs += [ctx.Process(target=heavy, args=(url, heavy_at, results)) for _ in range(2)]
            for p in procs:
                p.start()
            got = [results.get(timeout=args.seconds + 600) for _ in procs]
            for p in procs:
                p.join(30)
        finally:
            server.terminate()
            server.wait(10)
    watch = next(g for g in got if g["who"] == "bystander")
    times = watch["times"]
    before = [t for t in times if warm <= t < heavy_at]
    during = [t for t in times if heavy_at <= t < stop_at]
    gaps = [b - a for a, b in zip(during, during[1:])]
    worst = max(range(len(gaps)), key=gaps.__getitem__) if gaps else None
    out = {"bystander_fps_before": round(len(before) / args.baseline, 1),
           "bystander_fps_during": round(len(during) / args.seconds, 1),
           "bystander_longest_gap_ms": round(1000 * max(gaps), 0) if gaps else None,
           "longest_gap_at_s": round(during[worst] - heavy_at, 1) if gaps else None,
           "gaps_over_200ms": sum(g > 0.2 for g in gaps),
           "bystander_socket_alive": watch["alive"],
           "heavy": [g.get("took", g.get("error")) for g in got if g["who"] == "heavy"]}
    print(f"bystander: {out['bystander_fps_before']} frames/s before, "
          f"{out['bystander_fps_during']} during, longest gap {out['bystander_longest_gap_ms']} ms")
    for h in out["heavy"]:
        print(f"heavy client: {h}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
