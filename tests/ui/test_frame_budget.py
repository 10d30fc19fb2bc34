"""The page's frame budget, seen from the browser: frames that arrive while the page cannot
paint coalesce into one draw that shows the newest of them, with nothing of the loss history
lost on the way.

Animation frames are held by swapping the page's requestAnimationFrame for a queue (and run
when released), so "faster than paints" needs no timing. Waits poll on an interval, not on
animation frames, since those are the thing held.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from uikit import TIMEOUT, pause, play

pytestmark = pytest.mark.ui

POLL_MS = 50
HOLD_PAINTS = """() => {
  window.heldPaints = [];
  window.realAnimationFrame = window.requestAnimationFrame;
  window.requestAnimationFrame = (callback) => window.heldPaints.push(callback);
}"""
RELEASE_PAINTS = """() => {
  window.requestAnimationFrame = window.realAnimationFrame;
  const held = window.heldPaints;
  window.heldPaints = [];
  held.forEach((callback) => callback(performance.now()));
}"""
# The epoch this browser's session is at, from the server (/api/compare/sessions).
SERVER_EPOCH = """async () => {
  const answer = await (await fetch('/api/compare/sessions')).json();
  return answer.sessions[0].epoch;
}"""
CHART = "document.querySelector('[data-testid=loss-chart]').drawn"


def test_a_burst_of_frames_draws_once_and_shows_the_newest(open_page):
    # Small batches: a few epochs a frame, so the burst's frames each bring some history.
    page = open_page("#dataset=circle&networkShape=4,2&batchSize=2")
    page.evaluate(HOLD_PAINTS)
    held = page.evaluate("({...window.nnFrames})")
    play(page)
    page.wait_for_function(f"window.nnFrames.received >= {held['received'] + 5}", polling=POLL_MS, timeout=TIMEOUT)
    pause(page)
    epoch = page.evaluate(SERVER_EPOCH)
    # The paused frame, the newest, has arrived; none of the frames since the hold was drawn.
    page.wait_for_function(f"window.nnFrames.epoch === {epoch}", polling=POLL_MS, timeout=TIMEOUT)
    waiting = page.evaluate("({...window.nnFrames})")
    assert waiting["drawn"] == held["drawn"], "a frame was drawn while paints were held"
    assert waiting["received"] - held["received"] >= 5

    page.evaluate(RELEASE_PAINTS)
    expect(page.get_by_test_id("epoch")).to_have_text(str(epoch))
    expect(page.get_by_test_id("status")).to_have_text("Paused")
    assert page.evaluate("window.nnFrames.drawn") == held["drawn"] + 1, "the burst is one draw"
    # The chart ends at the newest epoch and lost none of the coalesced frames' history.
    page.wait_for_function(f"{CHART}.epochs.at(-1) === {epoch}", polling=POLL_MS, timeout=TIMEOUT)
    xs = page.evaluate(f"{CHART}.epochs")
    assert xs == list(range(1, epoch + 1))
