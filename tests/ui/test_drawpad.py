"""Draw a digit on the pad of the digits CNN with mouse moves: the network reads it live, with a
probability for every class and its feature maps through every layer, paused and while it
trains; Clear and "Back to test examples" return to the test set."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from uikit import PIXEL_HASH, SHOTS, TIMEOUT, TRAIN_TIMEOUT, pause, play

pytestmark = pytest.mark.ui

EPOCH = "() => parseInt(document.querySelector('[data-testid=epoch]').textContent)"
FMAP_HASH = f"() => ({PIXEL_HASH})(document.querySelector('[data-testid=\"fmap-canvas-0\"]'))"
PROBS = """() => [...document.querySelectorAll('[data-testid=drawpad-probs] .prob-value')]
  .map((v) => parseFloat(v.textContent))"""


def draw(page: Page, strokes) -> None:
    """Mouse strokes on the pad; each a list of (x, y) in fractions of its width and height."""
    canvas = page.get_by_test_id("drawpad-canvas")
    canvas.scroll_into_view_if_needed()       # mouse moves do not scroll; a person would
    box = canvas.bounding_box()
    for stroke in strokes:
        points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for x, y in points[1:]:
            page.mouse.move(x, y, steps=4)
        page.mouse.up()


SEVEN = [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]]
ONE = [[(0.5, 0.15), (0.5, 0.85)]]


def open_pad(open_page) -> Page:
    page = open_page("#dataset=digits&samples=1000")
    page.get_by_test_id("tab-feature-maps").click()
    expect(page.get_by_test_id("drawpad")).to_be_visible()
    expect(page.get_by_test_id("fmap-canvas-0")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("sample-caption")).to_contain_text("Test example #0")
    return page


def test_a_drawn_digit_is_read_with_every_class_and_its_feature_maps(open_page, unnamed_controls):
    page = open_pad(open_page)
    assert unnamed_controls(page) == []
    play(page)
    page.wait_for_function(f"() => ({EPOCH})() >= 8", timeout=TRAIN_TIMEOUT)
    pause(page)
    before = page.evaluate(FMAP_HASH)
    draw(page, SEVEN)
    expect(page.get_by_test_id("drawpad-verdict")).to_contain_text("The network says:", timeout=TIMEOUT)
    expect(page.get_by_test_id("drawpad-probs").locator(".prob")).to_have_count(10)
    probs = page.evaluate(PROBS)
    assert 98 <= sum(probs) <= 102, probs                        # every class, rounded to 1 %
    expect(page.get_by_test_id("sample-caption")).to_have_text("Your drawing, as the network reads it")
    page.wait_for_function(f"(was) => ({FMAP_HASH})() !== was", arg=before, timeout=TIMEOUT)
    seven = page.evaluate(FMAP_HASH)
    SHOTS.mkdir(exist_ok=True)
    page.get_by_test_id("image-panel").screenshot(path=str(SHOTS / "drawpad.png"))
    # Another digit, another picture inside the net.
    page.get_by_test_id("drawpad-clear").click()
    expect(page.get_by_test_id("drawpad-probs").locator(".prob")).to_have_count(0)
    draw(page, ONE)
    expect(page.get_by_test_id("drawpad-probs").locator(".prob")).to_have_count(10, timeout=TIMEOUT)
    page.wait_for_function(f"(was) => ({FMAP_HASH})() !== was", arg=seven, timeout=TIMEOUT)
    # Back to the test examples: the frames bring a test example's maps again.
    page.get_by_test_id("drawpad-back").click()
    expect(page.get_by_test_id("sample-caption")).to_contain_text("Test example #0", timeout=TIMEOUT)


def test_the_drawing_is_read_again_as_the_net_trains(open_page):
    page = open_pad(open_page)
    draw(page, ONE)
    verdict = page.get_by_test_id("drawpad-verdict")
    expect(verdict).to_contain_text("The network says:", timeout=TIMEOUT)
    first = page.evaluate(PROBS)
    play(page)
    # The same drawing through newer weights: its probabilities move while it trains, and the
    # feature maps stay the drawing's.
    page.wait_for_function(f"(was) => JSON.stringify(({PROBS})()) !== JSON.stringify(was)",
                           arg=first, timeout=TRAIN_TIMEOUT)
    expect(page.get_by_test_id("sample-caption")).to_have_text("Your drawing, as the network reads it")
    pause(page)
