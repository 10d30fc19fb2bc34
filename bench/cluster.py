"""The same class on a cluster and on one plain server, and a trainer node lost mid-training.

In one run, on this machine: N simulated students (bench/classroom.py's client: open, play, ack
every frame) on one plain `nn-playground serve`; then the same students spread over two web
nodes (`serve --redis`) with T trainer nodes (`nn-playground trainer --workers 0`) on one
redis-server. Per student: frames/s and epochs/s; frame latency; Redis commands and bytes per
frame (INFO stats over the window); the cluster's median epochs/s as a share of the plain
server's. Then failover: a probe session on web node A, its trainer node SIGKILLed: seconds from
the kill to the first frame from the new node, training lost (epochs, and seconds at the
session's rate), and saves acknowledged during the failover that cannot be read back.

Prints one JSON object as its last line.

    python bench/cluster.py [--students 40] [--seconds 30] [--trainers 2] [--warmup 8]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
from classroom import ROOT, Wire, free_port, percentile, serve, student  # noqa: E402
from server.cluster import keys  # noqa: E402

TARGET_FPS, TARGET_EPOCHS, TARGET_SHARE = 10, 45, 0.8
FAILOVER_SAVES_S = 8          # the probe saves every SAVE_EVERY_S for this long after the kill
SAVE_EVERY_S = 0.5
SECRET = "b" * 48


def class_run(urls: list[str], students: int, warmup: float, seconds: float,
              on_window=None) -> list[dict]:
    """`students` students spread over `urls`; their rows. `on_window(start, stop)` runs in
    this process while they count."""
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    start_at = time.time() + warmup
    stop_at = start_at + seconds
    procs = [ctx.Process(target=student, args=(urls[i % len(urls)], i, start_at, stop_at,
                                               results)) for i in range(students)]
    for p in procs:
        p.start()
    if on_window is not None:
        on_window(start_at, stop_at)
    rows = [results.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(30)
    return rows


def figures(rows: list[dict], seconds: float) -> dict:
    ok = [r for r in rows if "error" not in r]
    fps = [r["frames_per_s"] for r in ok]
    eps = [r["epochs_per_s"] for r in ok]
    latency = [x * 1000 for r in ok for x in r["latency"]]
    return {
        "frames_per_s": {"min": min(fps), "median": statistics.median(fps), "max": max(fps)},
        "epochs_per_s": {"min": min(eps), "median": statistics.median(eps), "max": max(eps)},
        "latency_ms": {"p50": percentile(latency, 0.5), "p95": percentile(latency, 0.95)},
        "frames": round(sum(fps) * seconds),
        "below_target": sum(r["frames_per_s"] < TARGET_FPS or r["epochs_per_s"] < TARGET_EPOCHS
                            for r in ok),
        "failed": len(rows) - len(ok),
        **({"errors": [r["error"] for r in rows if "error" in r][:3]} if len(ok) < len(rows)
           else {}),
    }


class Cluster:
    """redis-server, T trainer nodes and two web nodes on this machine."""

    def __init__(self, tmp: str, trainers: int, workers: int = 0):
        self.procs: list[subprocess.Popen] = []
        port = free_port()
        self.url = f"redis://127.0.0.1:{port}/0"
        self.procs.append(subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
             "127.0.0.1", "--dir", tmp, "--appendonly", "yes", "--save", ""],
            stdout=subprocess.DEVNULL))
        self.redis = redis.Redis.from_url(self.url)
        self._wait(lambda: self._pings(), "redis-server")
        log = open(Path(tmp) / "cluster.log", "w")
        self.trainers = {}
        for _ in range(trainers):
            proc = subprocess.Popen([sys.executable, "-m", "server.cli", "trainer", "--redis",
                                     self.url, "--workers", str(workers), "--device", "cpu"],
                                    cwd=ROOT, stdout=log, stderr=log)
            self.procs.append(proc)
            self.trainers[self._wait(lambda: self._node_of(proc.pid), "a trainer node")] = proc
        self.web = []
        for _ in range(2):
            url, proc = serve(tmp, "--redis", self.url)
            self.web.append(url)
            self.procs.append(proc)

    def _pings(self) -> bool:
        try:
            return self.redis.ping()
        except redis.ConnectionError:
            return False

    def _node_of(self, pid: int) -> str | None:
        for m in self.redis.smembers(keys.NODES):
            if self.redis.hget(keys.node(m.decode()), "pid") == str(pid).encode():
                return m.decode()
        return None

    @staticmethod
    def _wait(condition, what: str, timeout: float = 120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.05)
        raise RuntimeError(f"{what} did not start")

    def stats(self) -> dict:
        info = self.redis.info("stats")
        return {k: info[k] for k in ("total_commands_processed", "total_net_input_bytes",
                                     "total_net_output_bytes")}

    def holder(self, key: str) -> str:
        return self.redis.hget(keys.session(key), "node").decode()

    def stop(self) -> None:
        for proc in self.procs:
            proc.kill()
            proc.wait()


def cookie_of(url: str) -> str:
    with urllib.request.urlopen(url + "/") as response:
        return response.headers["Set-Cookie"].split(";")[0]


def failover(cluster: Cluster) -> dict:
    """A probe session trained on a trainer node that is SIGKILLed; what the client saw."""
    web_a, web_b = cluster.web
    cookie = cookie_of(web_a)
    wire = Wire(web_a, cookie)
    key = wire.call("open", {"spec": {"data": {"dataset": "spiral"}}})["session_id"]
    wire.call("play", {"session_id": key})
    seen = []                                          # (received, epoch)
    start = time.time()
    while time.time() - start < 2 * keys.CHECKPOINT_EVERY_S + 1:   # a checkpoint or two
        kind, name, frame = wire.next()
        if kind == "event" and name == "frame":
            wire.emit("frame_ack", {"session_id": key, "seq": frame["seq"]})
            seen.append((time.time(), frame["epoch"]))
    rate = (seen[-1][1] - seen[0][1]) / (seen[-1][0] - seen[0][0])
    victim = cluster.trainers[cluster.holder(key)]
    saves: list[str] = []
    saver = threading.Thread(target=save_loop, args=(web_b, cookie, key, saves))
    last_epoch = seen[-1][1]
    victim.kill()
    killed_at = time.time()
    saver.start()
    moved, first = None, None
    while first is None and time.time() - killed_at < 60:
        kind, name, data = wire.next()
        if kind == "event" and name == "frame":
            wire.emit("frame_ack", {"session_id": key, "seq": data["seq"]})
            if moved is None:
                last_epoch = max(last_epoch, data["epoch"])
            else:
                first = time.time()
        elif kind == "event" and name == "moved":
            moved = data
    saver.join()
    readable = sum(urllib.request.urlopen(f"{web_a}/api/experiments/{i}").status == 200
                   for i in saves)
    wire.ws.close()
    lost = max(0, last_epoch - moved["epoch"]) if moved else None
    return {"first_frame_after_kill_s": round(first - killed_at, 2) if first else None,
            "epochs_lost": lost, "training_lost_s": round(lost / rate, 2) if moved else None,
            "probe_epochs_per_s": round(rate, 1), "saves_acknowledged": len(saves),
            "saves_lost": len(saves) - readable, "moved_message": moved and moved["message"]}


def save_loop(url: str, cookie: str, key: str, saves: list[str]) -> None:
    """The probe's browser saves its session again and again from web node B meanwhile; a save
    refused while the session moves is not a loss, one acknowledged and then missing is."""
    wire = Wire(url, cookie)
    stop = time.time() + FAILOVER_SAVES_S
    while time.time() < stop:
        answer = wire.call("save", {"session_id": key, "title": "failover"})
        if answer.get("ok"):
            saves.append(answer["id"])
        time.sleep(SAVE_EVERY_S)
    wire.ws.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--warmup", type=float, default=8)
    ap.add_argument("--trainers", type=int, default=2)
    ap.add_argument("--trainer-workers", type=int, default=0,
                    help="each trainer node's --workers (0: its trainer is a thread of the node)")
    args = ap.parse_args()
    out = {"students": args.students, "seconds": args.seconds, "trainers": args.trainers,
           "trainer_workers": args.trainer_workers}
    with tempfile.TemporaryDirectory() as tmp:
        url, plain = serve(tmp, "--workers", "auto")
        try:
            out["plain"] = figures(class_run([url], args.students, args.warmup, args.seconds),
                                   args.seconds)
        finally:
            plain.terminate()
            plain.wait(10)
    with tempfile.TemporaryDirectory() as tmp:
        cluster = Cluster(tmp, args.trainers, args.trainer_workers)
        try:
            window = {}

            def measure(start_at, stop_at):
                time.sleep(max(0.0, start_at - time.time()))
                window["before"] = cluster.stats()
                time.sleep(max(0.0, stop_at - time.time()))
                window["after"] = cluster.stats()
            rows = class_run(cluster.web, args.students, args.warmup, args.seconds, measure)
            c = out["cluster"] = figures(rows, args.seconds)
            delta = {k: window["after"][k] - window["before"][k] for k in window["after"]}
            frames = max(1, c["frames"])
            c["redis_per_frame"] = {
                "commands": round(delta["total_commands_processed"] / frames, 2),
                "bytes_in": round(delta["total_net_input_bytes"] / frames),
                "bytes_out": round(delta["total_net_output_bytes"] / frames)}
            c["redis_bytes_per_s"] = round((delta["total_net_input_bytes"]
                                            + delta["total_net_output_bytes"]) / args.seconds)
            out["failover"] = failover(cluster)
        finally:
            cluster.stop()
    out["median_epochs_share"] = round(out["cluster"]["epochs_per_s"]["median"]
                                       / out["plain"]["epochs_per_s"]["median"], 3)
    f = out["failover"]
    out["targets_met"] = {
        "every_student": out["cluster"]["below_target"] == 0 and not out["cluster"]["failed"],
        "median_share": out["median_epochs_share"] >= TARGET_SHARE,
        "failover_first_frame": (f["first_frame_after_kill_s"] or 99) <= 5,
        "failover_training_lost": (f["training_lost_s"] if f["training_lost_s"] is not None
                                   else 99) <= 5,
        "saves_lost": f["saves_lost"] == 0}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
