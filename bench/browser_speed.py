"""The live page in a real browser: frames drawn per second, main-thread work per drawn frame and
training speed, against the same server's rate with no browser at all.

Starts the real server (`python -m server.cli serve`, trainer workers as by default) and, for each
net, opens the playground in headless Chromium (Playwright), presses play, lets it warm up and
then measures over a window:
  * frames drawn per second: the page's own counter of animation frames that painted new data
    (`window.nnFrames.drawn`, static/js/coalesce.js; a page without the hook is read through
    `body[data-frames]`, which counted every frame it drew);
  * main-thread milliseconds per drawn frame: the Chrome DevTools Protocol's
    `Performance.getMetrics` TaskDuration over the window, divided by the frames drawn;
  * epochs/s as the page shows them (its epoch counter at both ends of the window);
  * CPU cores used by the browser's processes and by the server's (with its trainer workers).
Then, for the same spec on the same server, a bare Socket.IO client (bench/classroom.py's Wire:
open, play, acknowledge every frame at once, as the page does) gives the server-only epochs/s;
the ratio page / server-only says what the browser costs the training.

First, the page's weight: bytes on the wire for a first load of / and for a second one. Then
the floor a drawn frame costs in this browser, in the same run: a blank page changing one text
and one canvas 30 times a second, and the playground (not training) changing only its epoch
counter; each net's main-thread figure is also given as a ratio to the latter.
Nets: the default 2-D net (circle, 4-2), six hidden layers of 8 on all seven features (spiral),
the digits CNN (its filters tab open) and the sine-wave LSTM (its series tab open).
Prints a line per net and, last, one JSON object with every figure.

    python bench/browser_speed.py [--seconds 8] [--warmup 3] [--nets default,six_by_8,...]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classroom import Wire, free_port, wait_up  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
VIEWPORT = {"width": 1366, "height": 768}
START_TIMEOUT_MS = 60_000
SEVEN = "x=true&y=true&xSquared=true&ySquared=true&xTimesY=true&sinX=true&sinY=true"
# Every net plays at speed Max (speed=0): the bench measures what the page and server can give.
NETS = {
    "default": {"hash": "#dataset=circle&networkShape=4,2&speed=0", "tab": None},
    "six_by_8": {"hash": f"#dataset=spiral&networkShape=8,8,8,8,8,8&{SEVEN}&speed=0",
                 "tab": None},
    "digits_cnn": {"hash": "#dataset=digits&speed=0", "tab": "tab-filters"},
    "sine_lstm": {"hash": "#dataset=sine-wave&speed=0", "tab": "tab-series"},
}
# What the page shows, read in one evaluate: its counters (new hook or old attribute) and epoch.
READ_PAGE = """() => {
  const hook = window.nnFrames;
  const epoch = parseInt(document.querySelector('[data-testid=epoch]').textContent, 10);
  return {
    drawn: hook ? hook.drawn : Number(document.body.dataset.frames || 0),
    received: hook ? hook.received : null,
    epoch: Number.isNaN(epoch) ? 0 : epoch,
    hook: Boolean(hook),
  };
}"""


def page_weight(browser, url: str) -> dict:
    """Bytes on the wire for a first load of / (a fresh browser cache) and for a second load
    of it, and how many of the second load's requests were answered 304."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    received = {"bytes": 0, "requests": 0}
    statuses: dict[str, int] = {}
    cdp.on("Network.responseReceived", lambda e: statuses.__setitem__(e["requestId"], e["response"]["status"]))

    def finished(event):
        received["bytes"] += event["encodedDataLength"]
        received["requests"] += 1
    cdp.on("Network.loadingFinished", finished)
    loads = []
    for _ in range(2):
        received.update(bytes=0, requests=0)
        statuses.clear()
        page.goto(url + "/")
        page.wait_for_selector('body[data-ready="true"]', timeout=START_TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
        loads.append({**received, "not_modified": sum(s == 304 for s in statuses.values())})
    context.close()
    return {"first_load_bytes": loads[0]["bytes"], "first_load_requests": loads[0]["requests"],
            "second_load_bytes": loads[1]["bytes"], "second_load_304": loads[1]["not_modified"],
            "second_load_requests": loads[1]["requests"]}


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its descendants (the browser's processes under
    Playwright's driver; the server's trainer workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):     # a process that just ended
            continue
    return total


def task_seconds(cdp) -> float:
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


def in_browser(browser, url: str, server_pid: int, net: dict, warmup: float, seconds: float) -> dict:
    """Open the page on the net, play, and measure one window; pauses before it leaves."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url + "/" + net["hash"])
    page.wait_for_selector('body[data-ready="true"]', timeout=START_TIMEOUT_MS)
    page.wait_for_function("document.body.dataset.frames > 0", timeout=START_TIMEOUT_MS)
    if net["tab"]:
        page.get_by_test_id(net["tab"]).click()
    spec_hash = page.evaluate("location.hash")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.get_by_test_id("play").click()
    page.wait_for_selector('[data-testid=play][data-state="playing"]')
    time.sleep(warmup)                       # a benchmark's warm-up, not a test's wait
    cpu0 = tree_cpu_seconds(os.getpid()), tree_cpu_seconds(server_pid)
    a, t0, busy0 = page.evaluate(READ_PAGE), time.perf_counter(), task_seconds(cdp)
    time.sleep(seconds)
    b, t1, busy1 = page.evaluate(READ_PAGE), time.perf_counter(), task_seconds(cdp)
    cpu1 = tree_cpu_seconds(os.getpid()), tree_cpu_seconds(server_pid)
    page.get_by_test_id("play").click()
    page.wait_for_selector('[data-testid=play][data-state="paused"]')
    context.close()
    span = t1 - t0
    drawn = b["drawn"] - a["drawn"]
    out = {
        "frames_drawn_per_s": drawn / span,
        "main_thread_ms_per_drawn_frame": 1000 * (busy1 - busy0) / drawn if drawn else None,
        "main_thread_busy": (busy1 - busy0) / span,
        "page_epochs_per_s": (b["epoch"] - a["epoch"]) / span,
        # This process's tree less the server's: the browser (and Playwright's driver).
        "browser_cpu_cores": ((cpu1[0] - cpu1[1]) - (cpu0[0] - cpu0[1])) / span,
        "server_cpu_cores": (cpu1[1] - cpu0[1]) / span,
        "hook": a["hook"], "hash": spec_hash, "errors": errors[:3],
    }
    if a["received"] is not None:
        out["frames_received_per_s"] = (b["received"] - a["received"]) / span
    return out


# The floor a frame costs in this browser: 30 animation frames a second that change one text
# (and, on the blank page, one canvas), with no socket and no training. On the playground page
# (not playing) the text changed is its epoch counter: what the page's size alone costs.
TICK_30 = """(selector) => {
  window.floorDrawn = 0;
  const text = document.querySelector(selector);
  const canvas = document.querySelector('canvas#floor');
  const ctx = canvas && canvas.getContext('2d');
  setInterval(() => requestAnimationFrame(() => {
    window.floorDrawn += 1;
    text.textContent = String(window.floorDrawn);
    if (ctx) { ctx.fillStyle = window.floorDrawn % 2 ? '#369' : '#963'; ctx.fillRect(0, 0, 300, 150); }
  }), 33);
}"""
BLANK = "<!doctype html><html><body><p id=text>0</p><canvas id=floor width=300 height=150></canvas></body></html>"


def floor_ms(browser, url: str | None, seconds: float) -> float:
    """Main-thread ms per animation frame that changes one text 30 times a second: on a blank
    page with a canvas (url None), or on the playground's epoch counter."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    if url is None:
        page.set_content(BLANK)
        selector = "#text"
    else:
        page.goto(url + "/")
        page.wait_for_selector('body[data-ready="true"]', timeout=START_TIMEOUT_MS)
        page.wait_for_function("document.body.dataset.frames > 0", timeout=START_TIMEOUT_MS)
        selector = "[data-testid=epoch]"
    page.evaluate(TICK_30, selector)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    time.sleep(1)                            # a benchmark's warm-up, not a test's wait
    a, busy0 = page.evaluate("window.floorDrawn"), task_seconds(cdp)
    time.sleep(seconds)
    b, busy1 = page.evaluate("window.floorDrawn"), task_seconds(cdp)
    context.close()
    return 1000 * (busy1 - busy0) / (b - a)


def server_only(url: str, spec_hash: str, warmup: float, seconds: float) -> dict:
    """The same spec with a client that acknowledges every frame at once and draws nothing."""
    with urllib.request.urlopen(url + "/") as response:
        cookie = response.headers["Set-Cookie"].split(";")[0]
    wire = Wire(url, cookie)
    answer = wire.call("open", {"hash": spec_hash.lstrip("#")})
    if not answer.get("ok"):
        raise RuntimeError(f"open {spec_hash}: {answer}")
    session = answer["session_id"]
    wire.call("play", {"session_id": session})
    start_at = time.time() + warmup
    stop_at = start_at + seconds
    seen = []                                  # (received, epoch) in the window
    while time.time() < stop_at:
        kind, name, frame = wire.next()
        if kind != "event" or name != "frame":
            continue
        wire.emit("frame_ack", {"session_id": frame["session_id"], "seq": frame["seq"]})
        if time.time() >= start_at:
            seen.append((time.time(), frame["epoch"]))
    wire.call("pause", {"session_id": session})
    wire.ws.close()
    span = seen[-1][0] - seen[0][0] if len(seen) > 1 else 0
    return {"server_epochs_per_s": (seen[-1][1] - seen[0][1]) / span if span else 0.0,
            "server_frames_per_s": len(seen) / seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=8, help="measuring window per net")
    ap.add_argument("--warmup", type=float, default=3, help="seconds of training before it")
    ap.add_argument("--nets", default=",".join(NETS), help=f"comma-separated, of {', '.join(NETS)}")
    args = ap.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    result = {"seconds": args.seconds, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(port),
             "--db", str(Path(tmp) / "bench.sqlite3")],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(Path(tmp) / "server.log", "w"))
        try:
            wait_up(url, server)
            with sync_playwright() as p:
                launch = {"args": CHROMIUM_ARGS}
                if CHROMIUM.exists():
                    launch["executable_path"] = str(CHROMIUM)
                browser = p.chromium.launch(**launch)
                result["page_load"] = weight = page_weight(browser, url)
                print(f"page load: first {weight['first_load_bytes'] / 1e6:.2f} MB in "
                      f"{weight['first_load_requests']} requests, second "
                      f"{weight['second_load_bytes'] / 1e6:.3f} MB "
                      f"({weight['second_load_304']} of {weight['second_load_requests']} answered 304)",
                      flush=True)
                floor = {"blank_page_ms": floor_ms(browser, None, args.seconds / 2),
                         "epoch_counter_ms": floor_ms(browser, url, args.seconds / 2)}
                result["floor"] = {k: round(v, 2) for k, v in floor.items()}
                print(f"floor: one text and a canvas 30 times a second on a blank page "
                      f"{floor['blank_page_ms']:.1f} ms of main thread a frame; the playground's "
                      f"epoch counter alone {floor['epoch_counter_ms']:.1f} ms", flush=True)
                for name in args.nets.split(","):
                    page = in_browser(browser, url, server.pid, NETS[name], args.warmup, args.seconds)
                    alone = server_only(url, page["hash"], args.warmup, args.seconds)
                    row = {**page, **alone}
                    row["epochs_ratio"] = (row["page_epochs_per_s"] / row["server_epochs_per_s"]
                                           if row["server_epochs_per_s"] else None)
                    if row["main_thread_ms_per_drawn_frame"]:
                        row["main_thread_vs_epoch_counter"] = (row["main_thread_ms_per_drawn_frame"]
                                                               / floor["epoch_counter_ms"])
                    result[name] = {k: round(v, 3) if isinstance(v, float) else v
                                    for k, v in row.items()}
                    ms = row["main_thread_ms_per_drawn_frame"]
                    print(f"{name:>10}: {row['frames_drawn_per_s']:5.1f} frames drawn/s, "
                          f"{ms if ms is None else round(ms, 1)} ms main thread per frame "
                          f"({100 * row['main_thread_busy']:.0f}% busy; browser "
                          f"{row['browser_cpu_cores']:.2f} cores, server {row['server_cpu_cores']:.2f}), page "
                          f"{row['page_epochs_per_s']:6.1f} epochs/s vs server-only "
                          f"{row['server_epochs_per_s']:6.1f} (ratio {row['epochs_ratio'] or 0:.2f})",
                          flush=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
