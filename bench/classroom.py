"""A whole class on one server: N simulated students, each training its own 2-D net, for S seconds.

Starts the real server (`nn-playground serve`, trainer workers as configured), then N student
processes, each a python-socketio client with its own browser cookie: it opens a session, presses
play and acknowledges every frame at once, as the page does. Most students keep the default
architecture (2-4-2-1 tanh on circle, xor, gauss or spiral: one batched model per trainer); every
fifth one builds a different net (3 hidden layers of 6 ReLU on five features), trained alone.
After a warm-up, each student counts the frames it gets, the epochs they report and each frame's
latency (the server stamps `sent` when it makes the frame; client and server share a clock here).

Prints one JSON object: per-session frames/s and epochs/s (min, median, max), frame latency (p50,
p95, max, ms), the server's CPU (its process and its trainer workers, in cores), and how many
sessions fell below the targets (10 frames/s, 60 epochs/s: TensorFlow Playground's own rate).

    python bench/classroom.py [--students 40] [--seconds 60] [--workers auto] [--warmup 8]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_FPS, TARGET_EPOCHS = 10, 60
# Every student plays at the speed "Max" (no limit: the server's capacity is measured).
OTHER_NET = {"data": {"dataset": "spiral", "features": ["x1", "x2", "x1sq", "x2sq", "x1x2"]},
             "model": {"layers": [{"units": 6, "activation": "relu"}] * 3},
             "training": {"speed": 0}}
DATASETS = ("circle", "xor", "gauss", "spiral")


def spec_for(student: int) -> dict:
    if student % 5 == 4:
        return OTHER_NET
    return {"data": {"dataset": DATASETS[student % len(DATASETS)]},
            "training": {"seed": student, "speed": 0}}


class Wire:
    """A minimal Socket.IO client on one thread (websocket-client): python-socketio's Client
    handles each Engine.IO message on a new thread and can misassemble binary attachments when
    frames arrive fast. This one reads frames' JSON headers and skips their attachments."""

    def __init__(self, url: str, cookie: str):
        import websocket
        self.ws = websocket.create_connection(
            url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket",
            header=[f"Cookie: {cookie}"], timeout=60)
        self.ws.recv()                                   # Engine.IO open
        self.ws.send("40")                               # Socket.IO connect to "/"
        while not self.recv_text().startswith("40"):
            pass
        self.ids = 0

    def recv_text(self) -> str:
        while True:
            message = self.ws.recv()
            if isinstance(message, str):
                if message == "2":                       # ping
                    self.ws.send("3")
                    continue
                return message

    def call(self, event: str, data: dict) -> dict:
        self.ids += 1
        self.ws.send(f"42{self.ids}" + json.dumps([event, data]))
        while True:
            packet = self.next()
            if packet[0] == "ack" and packet[1] == self.ids:
                return packet[2]

    def emit(self, event: str, data: dict) -> None:
        self.ws.send("42" + json.dumps([event, data]))

    def next(self):
        """("event", name, data) or ("ack", id, data); binary attachments are skipped."""
        text = self.recv_text()
        kind, body = text[:2], text[2:]
        attachments = 0
        if kind in ("45", "46"):                         # binary event / ack: "<n>-..."
            n, _, body = body.partition("-")
            attachments = int(n)
        for _ in range(attachments):
            self.ws.recv()
        head = 0
        while head < len(body) and body[head].isdigit():
            head += 1
        payload = json.loads(body[head:])
        if kind in ("43", "46"):
            return "ack", int(body[:head]), payload[0]
        return "event", payload[0], payload[1] if len(payload) > 1 else None


def student(url: str, index: int, start_at: float, stop_at: float, results) -> None:
    """One browser: cookie from the page, a socket, open, play, ack every frame."""
    with urllib.request.urlopen(url + "/") as response:
        cookie = response.headers["Set-Cookie"].split(";")[0]
    wire = Wire(url, cookie)
    answer = wire.call("open", {"spec": spec_for(index)})
    if not answer.get("ok"):
        results.put({"student": index, "error": answer})
        return
    wire.call("play", {"session_id": answer["session_id"]})
    seen = []                                   # (received, sent, epoch) in the window
    while time.time() < stop_at:
        kind, name, frame = wire.next()
        if kind != "event" or name != "frame":
            continue
        now = time.time()
        wire.emit("frame_ack", {"session_id": frame["session_id"], "seq": frame["seq"]})
        if now >= start_at:
            seen.append((now, frame["sent"], frame["epoch"]))
    wire.ws.close()
    if len(seen) < 2:
        results.put({"student": index, "default": index % 5 != 4, "frames_per_s": 0.0,
                     "epochs_per_s": 0.0, "latency": []})
        return
    span = seen[-1][0] - seen[0][0]
    results.put({"student": index, "default": index % 5 != 4,
                 "frames_per_s": len(seen) / (stop_at - start_at),
                 "epochs_per_s": (seen[-1][2] - seen[0][2]) / span if span > 0 else 0.0,
                 "latency": [r - s for r, s, _ in seen]})


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live children (the trainer workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            pids += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:           # a thread that just ended
            continue
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            urllib.request.urlopen(url + "/api/schema", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def serve(tmp: str, *args: str) -> tuple[str, subprocess.Popen]:
    """The real server on a free port with a database in `tmp` (and `args`), once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port),
         "--db", str(Path(tmp) / "bench.sqlite3"), *args],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(Path(tmp) / "server.log", "w"))
    wait_up(url, server)
    return url, server


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=8, help="seconds before counting starts")
    ap.add_argument("--workers", default="auto", help="the server's --workers")
    ap.add_argument("--fps", type=float, default=30, help="the server's --fps")
    ap.add_argument("--each", action="store_true", help="also print every student's figures")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url, server = serve(tmp, "--workers", str(args.workers), "--fps", str(args.fps))
        try:
            ctx = multiprocessing.get_context("fork")    # this process imports no torch
            results = ctx.Queue()
            start_at = time.time() + args.warmup
            stop_at = start_at + args.seconds
            students = [ctx.Process(target=student, args=(url, i, start_at, stop_at, results))
                        for i in range(args.students)]
            for p in students:
                p.start()
            time.sleep(max(0.0, start_at - time.time()))
            cpu0, t0 = cpu_seconds(server.pid), time.time()
            time.sleep(max(0.0, stop_at - time.time()))
            cpu1, t1 = cpu_seconds(server.pid), time.time()
            rows = [results.get(timeout=120) for _ in students]
            for p in students:
                p.join(30)
        finally:
            server.terminate()
            server.wait(10)
    failed = [r for r in rows if "error" in r]
    ok = [r for r in rows if "error" not in r]
    fps = [r["frames_per_s"] for r in ok]
    eps = [r["epochs_per_s"] for r in ok]
    latency = [x * 1000 for r in ok for x in r["latency"]]
    summary = {
        "students": args.students, "seconds": args.seconds, "workers": args.workers,
        "cores": os.cpu_count(),
        "frames_per_s": {"min": min(fps), "median": statistics.median(fps), "max": max(fps)},
        "epochs_per_s": {"min": min(eps), "median": statistics.median(eps), "max": max(eps)},
        "epochs_per_s_other_net": {"min": min((r["epochs_per_s"] for r in ok if not r["default"]),
                                              default=None)},
        "latency_ms": {"p50": percentile(latency, 0.5), "p95": percentile(latency, 0.95),
                       "max": max(latency, default=float("nan"))},
        "server_cpu_cores": (cpu1 - cpu0) / (t1 - t0),
        "below_target": sum(r["frames_per_s"] < TARGET_FPS or r["epochs_per_s"] < TARGET_EPOCHS
                            for r in ok),
        "failed": len(failed),
        "targets": {"frames_per_s": TARGET_FPS, "epochs_per_s": TARGET_EPOCHS},
    }
    if failed:
        summary["errors"] = [r["error"] for r in failed[:3]]
    if args.each:
        for r in sorted(ok, key=lambda r: r["student"]):
            print(f"student {r['student']:2d} {'default' if r['default'] else 'other  '} "
                  f"{r['frames_per_s']:5.1f} frames/s {r['epochs_per_s']:6.1f} epochs/s")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
