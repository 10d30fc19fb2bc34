"""Compare at its limit: twelve saved runs, classifiers of two datasets and two losses. Every
confusion matrix fits its card, "lowest test loss" goes only to runs whose losses compare, and
the curves can run across examples seen or seconds of training."""
from __future__ import annotations

import json
import threading
import urllib.request

import pytest
import socketio
from playwright.sync_api import expect

from uikit import SHOTS

pytestmark = pytest.mark.ui

TIMEOUT = 60_000
# (spec, epochs): digits CNNs (10 classes), iris nets (3 classes), and xor with squared error.
RUNS = ([({"data": {"dataset": "digits", "samples": 600},
           "training": {"learning_rate": lr}}, 2) for lr in (0.001, 0.003, 0.01, 0.03)]
        + [({"data": {"dataset": "iris"}, "training": {"learning_rate": lr}}, 20)
           for lr in (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)]
        + [({"data": {"dataset": "xor"}, "training": {"learning_rate": lr}}, 20)
           for lr in (0.03, 0.3)])
OVERFLOW = """() => [...document.querySelectorAll('.run-card')].filter((card) => {
  const box = card.getBoundingClientRect();
  return [...card.querySelectorAll('.confusion, .cm-cell, .cm-acc')].some((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1);
  });
}).length"""


def saved_run(server_url: str, spec: dict, epochs: int) -> str:
    """Train and save one run through the socket API, as a page would (a browser of its own:
    a browser may hold only a few sessions); its id."""
    with urllib.request.urlopen(f"{server_url}/") as response:
        cookie = response.headers["Set-Cookie"].split(";")[0]
    client = socketio.Client()
    client.connect(server_url, headers={"Cookie": cookie}, transports=["websocket"])
    try:
        opened = client.call("open", {"spec": spec}, timeout=60)
        assert opened["ok"], opened
        sid = opened["session_id"]
        for _ in range(epochs):
            client.call("step", {"session_id": sid, "unit": "epoch"}, timeout=60)
        title = f"{spec['data']['dataset']} lr {spec['training']['learning_rate']}"
        return client.call("save", {"session_id": sid, "title": title}, timeout=60)["id"]
    finally:
        # In the background: the client's close handshake may wait its 3 s timeout.
        threading.Thread(target=client.disconnect, daemon=True).start()


def saved_runs(server_url: str) -> list[str]:
    return [saved_run(server_url, spec, epochs) for spec, epochs in RUNS]


def test_twelve_runs_fit_and_compare_fairly(page, server_url):
    ids = saved_runs(server_url)
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(f"{server_url}/compare?runs=" + ",".join(f"e:{i}" for i in ids))
    page.wait_for_selector('body[data-ready="true"]', timeout=TIMEOUT)
    expect(page.get_by_test_id("compare-output-11")).to_be_visible(timeout=TIMEOUT)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "compare-twelve.png"), full_page=True)
    assert page.evaluate(OVERFLOW) == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    best = page.locator('.run-card [data-part="best"]:visible')
    expect(best).to_have_count(3)          # one per comparable group: digits, iris, xor
    answer = json.loads(urllib.request.urlopen(
        f"{server_url}/api/compare?runs=" + ",".join(f"e:{i}" for i in ids)).read())
    groups = {}
    for run in answer["runs"]:
        key = (run["spec"]["data"]["dataset"], run["spec"]["training"]["loss"])
        groups.setdefault(key, []).append(run["metrics"]["test_loss"])
    shown = page.evaluate("""() => [...document.querySelectorAll('.run-card')]
        .filter((c) => !c.querySelector('[data-part="best"]').hidden).map((c) => c.dataset.run)""")
    lows = {min(v) for v in groups.values()}
    assert {r["metrics"]["test_loss"] for r in answer["runs"] if r["run"] in shown} == lows
    page.get_by_test_id("compare-x").select_option("examples")
    title = page.evaluate("""() => document.querySelector('[data-testid=compare-loss-chart]')
        .layout.xaxis.title.text""")
    assert title == "examples seen"
    xs = page.evaluate("""() => document.querySelector('[data-testid=compare-loss-chart]')
        .data.find((t) => t.meta.endsWith('test_loss')).x""")
    assert xs[-1] == xs[0] * len(xs)        # a fixed training set: the same examples each epoch
