"""Does one client flooding opens from fresh cookies slow anyone else down? A person (a new
browser from a new address each time) opens a 2-D session once a second, first on a quiet
server, then while flooders from one address open sessions as fast as the server answers,
each from a fresh cookie on a socket it keeps. The server runs behind `--proxy-hops 1`, so the
X-Forwarded-For address is the one its per-address limits count.

Prints the person's open times (median and worst, ms) quiet and under the flood, their ratios
(flood / quiet, same process, same server), and what the flood got (sessions opened, refused,
sockets left open). Last line: one JSON object. tests/server/test_live.py checks that the flood
meets its limits and that the person always gets a session; the time it takes is measured here.

    python bench/flood.py [--seconds 10] [--flooders 3]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classroom import serve  # noqa: E402

SPEC = {"spec": {"data": {"dataset": "xor"}}}
FLOODER = {"X-Forwarded-For": "198.51.100.7"}
CALL_TIMEOUT_S = 10


def client(url: str, headers: dict) -> socketio.Client:
    """A fresh browser: its owner cookie from GET /, then a socket that carries it."""
    page = requests.get(url + "/", headers=headers, timeout=10)
    cookie = "; ".join(f"{k}={v}" for k, v in page.cookies.items())
    sio = socketio.Client(reconnection=False)
    sio.connect(url, headers={**headers, "Cookie": cookie}, transports=["websocket"])
    return sio


def flood(url: str, stop_at: float, results) -> None:
    tally = {"opened": 0, "refused": 0, "sockets": 0}
    held = []
    while time.time() < stop_at:
        try:
            sio = client(url, FLOODER)
            held.append(sio)
            answer = sio.call("open", SPEC, timeout=CALL_TIMEOUT_S)
            tally["opened" if answer["ok"] else "refused"] += 1
        except (socketio.exceptions.ConnectionError, socketio.exceptions.TimeoutError,
                requests.RequestException, OSError):
            tally["refused"] += 1          # the connection itself refused: also an answer
    tally["sockets"] = len(held)
    results.put(tally)


def person_opens(url: str, seconds: float, first: int) -> list[float]:
    """One open a second for `seconds`, each from a new browser at a new address; ms each."""
    times, n, done = [], first, []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        n += 1
        sio = client(url, {"X-Forwarded-For": f"203.0.113.{n % 250 + 1}"})
        start = time.perf_counter()
        answer = sio.call("open", SPEC, timeout=CALL_TIMEOUT_S)
        times.append((time.perf_counter() - start) * 1000)
        assert answer["ok"], answer
        done.append(sio)           # kept open: the client's disconnect may wait seconds
        time.sleep(1)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10, help="of each phase")
    ap.add_argument("--flooders", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, server = serve(tmp, "--proxy-hops", "1")
        try:
            person_opens(url, 2, 200)                      # warm: first requests, first session
            quiet = person_opens(url, args.seconds, 0)
            ctx = multiprocessing.get_context("fork")       # this process imports no torch
            results = ctx.Queue()
            stop_at = time.time() + args.seconds + 1
            flooders = [ctx.Process(target=flood, args=(url, stop_at, results))
                        for _ in range(args.flooders)]
            for p in flooders:
                p.start()
            time.sleep(1)                                  # the flood under way
            flooded = person_opens(url, args.seconds, 100)
            tallies = [results.get(timeout=CALL_TIMEOUT_S * 3) for _ in flooders]
            for p in flooders:
                p.join(10)
        finally:
            server.terminate()
            server.wait(10)
    tally = {k: sum(t[k] for t in tallies) for k in ("opened", "refused", "sockets")}
    out = {"quiet_median_ms": round(statistics.median(quiet), 1), "quiet_max_ms": round(max(quiet), 1),
           "flood_median_ms": round(statistics.median(flooded), 1),
           "flood_max_ms": round(max(flooded), 1),
           "median_ratio": round(statistics.median(flooded) / statistics.median(quiet), 2),
           "max_ratio": round(max(flooded) / max(quiet), 2),
           "opens": [len(quiet), len(flooded)], "flood": tally}
    print(f"a person's open, quiet: median {out['quiet_median_ms']} ms, worst {out['quiet_max_ms']} ms")
    print(f"during the flood:       median {out['flood_median_ms']} ms, worst {out['flood_max_ms']} ms"
          f" ({out['median_ratio']}x, {out['max_ratio']}x)")
    print(f"the flood: {tally['opened']} opened, {tally['refused']} refused, "
          f"{tally['sockets']} sockets left open")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
