"""The page keeps its session when the server loses it: a trainer process killed (the page is
told, reopens a session from its spec and shows it, without a reload) and the whole server
restarted on the same secret (the page reconnects and shows the new session's first frame, not
the old run frozen as "Training…").

Each test runs its own server (livekit, with a known secret and port) so that killing it
disturbs no other test."""
from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest
from livekit import LiveServer, free_port
from playwright.sync_api import expect
from uikit import CONTEXT_ARGS, TRAIN_TIMEOUT, play

pytestmark = pytest.mark.ui

ENV = {"NN_PLAYGROUND_SECRET": "r" * 48, "PYTHONUNBUFFERED": "1"}
LINK = "/#dataset=xor&networkShape=3&seed=4"
RECOVER_TIMEOUT = 120_000      # trainers or a server starting again on a loaded machine (torch imports)


def trainer_pids(pid: int) -> list[int]:
    """The server's trainer processes: its children started by multiprocessing's spawn."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children
            if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text().replace("\0", " ")]


@pytest.fixture
def live(tmp_path):
    with open(tmp_path / "server.log", "w") as log:
        servers = [LiveServer(str(tmp_path / "db.sqlite3"), log, env=ENV, port=free_port())]

        def restart():
            servers[-1].kill()
            servers.append(LiveServer(str(tmp_path / "db.sqlite3"), log, env=ENV,
                                      port=servers[-1].port))
            return servers[-1]
        yield servers[0], restart
        servers[-1].kill()


@pytest.fixture
def page_at(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, **CONTEXT_ARGS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{error}\n{error.stack}"))

    def _open(url):
        page.goto(url + LINK)
        page.wait_for_selector('body[data-ready="true"]', timeout=RECOVER_TIMEOUT)
        page.wait_for_function("document.body.dataset.frames > 0", timeout=RECOVER_TIMEOUT)
        play(page)
        page.wait_for_function("Number(document.querySelector('[data-testid=epoch]')"
                               ".textContent) > 3", timeout=TRAIN_TIMEOUT)
        return page
    yield _open
    context.close()
    assert not errors, errors


def expect_a_fresh_paused_session(page):
    expect(page.get_by_test_id("status")).to_have_text("Paused", timeout=RECOVER_TIMEOUT)
    expect(page.get_by_test_id("epoch")).to_have_text("0", timeout=RECOVER_TIMEOUT)
    assert "networkShape=3" in page.evaluate("location.hash")       # the same spec
    play(page)                                                      # and it trains
    page.wait_for_function("Number(document.querySelector('[data-testid=epoch]')"
                           ".textContent) > 1", timeout=TRAIN_TIMEOUT)


def test_a_killed_trainer_is_survived_without_a_reload(live, page_at):
    server, _ = live
    page = page_at(server.url)
    page.evaluate("window.__kept = true")            # gone if the page reloaded
    pids = trainer_pids(server.proc.pid)
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    expect(page.get_by_role("alert").filter(has_text="lost this session")).to_be_visible(
        timeout=RECOVER_TIMEOUT)
    expect_a_fresh_paused_session(page)
    assert page.evaluate("window.__kept === true")


def test_after_a_restart_the_page_shows_its_new_session(live, page_at):
    server, restart = live
    page = page_at(server.url)
    restart()                                        # SIGKILL, then the same port and secret
    expect(page.get_by_test_id("message")).to_have_text(re.compile("reconnecting"),
                                                         timeout=RECOVER_TIMEOUT)
    expect_a_fresh_paused_session(page)
