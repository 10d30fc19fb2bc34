"""Fixtures for the Playwright UI tests: a real server on a free port, Debian's chromium.

The server runs as a subprocess (`python -m server.cli serve`) on a throw-away SQLite file; the
tests talk to it only through the browser, as a person would.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from uikit import CONTEXT_ARGS, MNIST_TEST, MNIST_TRAIN

from engine.data.images import write_idx

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
START_TIMEOUT_S = 60
POLL_S = 0.2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/schema", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(POLL_S)  # polling a starting process, not waiting on the page
    raise RuntimeError(f"server did not answer within {START_TIMEOUT_S}s:\n{log.read_text()}")


def _serve(tmp: Path, *extra: str):
    """A server subprocess on a free port; yields its URL and stops it afterwards."""
    port = _free_port()
    log = tmp / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(port),
             "--db", str(tmp / "ui.sqlite3"), *extra],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Playwright polls a wait_for_function predicate with eval(), which the app's
    Content-Security-Policy forbids (the pages themselves never need it): these contexts skip the
    policy, and tests/ui/test_csp.py drives every page under it."""
    return {**browser_context_args, **CONTEXT_ARGS}


@pytest.fixture(scope="session")
def base_url():
    """No base URL: every test opens the full address of its server. (Also keeps
    pytest-playwright's fallback fixture, a deprecated instance method, out of the run.)"""
    return None


@pytest.fixture(scope="session")
def server_url(tmp_path_factory) -> str:
    yield from _serve(tmp_path_factory.mktemp("server"))


@pytest.fixture(scope="session")
def mnist_server_url(tmp_path_factory) -> str:
    """A second server whose --data-dir holds small MNIST IDX files (engine.data.images)."""
    tmp = tmp_path_factory.mktemp("mnist-server")
    folder = tmp / "data" / "mnist"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for part, n in (("train", MNIST_TRAIN), ("t10k", MNIST_TEST)):
        labels = np.arange(n, dtype=np.uint8) % 10
        images = rng.integers(0, 60, (n, 28, 28), dtype=np.uint8)
        for d in range(10):               # a bright bar whose place says the digit: learnable
            images[labels == d, 2 * d + 3: 2 * d + 6, 6:22] = 250
        write_idx(folder / f"{part}-images-idx3-ubyte", images)
        write_idx(folder / f"{part}-labels-idx1-ubyte", labels)
    yield from _serve(tmp, "--data-dir", str(tmp / "data"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium when it is there (Playwright cannot download its own browser here)."""
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if CHROMIUM.exists():
        args["executable_path"] = str(CHROMIUM)
    return args


@pytest.fixture
def open_page(page, server_url):
    """open_page(hash="") loads the playground and waits until it has drawn its first frame.
    The test fails if the page threw a JavaScript error meanwhile."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{error}\n{error.stack}"))

    def _open(hash_: str = "", viewport=None):
        if viewport:
            page.set_viewport_size(viewport)
        page.goto(f"{server_url}/{hash_}")
        page.wait_for_selector('body[data-ready="true"]', timeout=30_000)
        page.wait_for_function("document.body.dataset.frames > 0", timeout=30_000)
        return page
    yield _open
    assert not errors, "JavaScript errors on the page:\n" + "\n".join(errors)


# Every control (button, select, input, ...) needs a test id and an accessible name.
UNNAMED_CONTROLS = """() => {
  const problems = [];
  const controls = document.querySelectorAll(
    'button, select, input, summary, [role="button"], [tabindex="0"]');
  for (const el of controls) {
    let name = el.getAttribute("aria-label") || "";
    const labelledBy = el.getAttribute("aria-labelledby");
    if (!name && labelledBy) {
      name = labelledBy.split(" ").map((id) => document.getElementById(id)?.textContent || "").join(" ");
    }
    if (!name && el.labels && el.labels.length) name = el.labels[0].textContent;
    if (!name) name = el.textContent || el.getAttribute("title") || "";
    if (!el.getAttribute("data-testid") || !name.trim()) problems.push(el.outerHTML.slice(0, 160));
  }
  return problems;
}"""


@pytest.fixture
def unnamed_controls():
    """unnamed_controls(page) lists the controls on the page without a test id or a name."""
    return lambda page: page.evaluate(UNNAMED_CONTROLS)
