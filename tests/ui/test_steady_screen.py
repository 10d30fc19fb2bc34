"""The playground on a classroom screen: every control an exercise names is on screen without
scrolling, at 1366×768 and in presenter mode on a 1280×720 projector, with or without a lesson
open; nothing moves under the pointer while training (the lesson says "while it plays"); and
screenshots of both, a lesson open and training, for a person to judge.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from uikit import SHOTS, TIMEOUT, lesson_page, off_screen, pause, play, walk_lesson_steps

pytestmark = pytest.mark.ui

PRESENTER = re.compile(r"\bpresenter\b")
LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1280, "height": 720}
# What TF Playground exercises ask a student to press, read or change on a 2-D set.
EXERCISE_CONTROLS = [
    "play", "reset", "step", "step-batch", "speed", "same-start", "start-seed", "epoch",
    "learning-rate", "activation", "regularization", "regularization-rate", "problem",
    "dataset-circle", "dataset-xor", "dataset-gauss", "dataset-spiral", "train-ratio", "noise",
    "batch-size", "regenerate", "feature-x1", "feature-x1x2", "feature-sinx2", "add-layer",
    "remove-layer", "add-neuron-0", "remove-neuron-1", "layer-activation-1", "output-canvas",
    "show-test-data", "discretize", "test-loss", "train-loss", "loss-chart",
]
# What a playing lesson's steps name (the learning-rate lesson), with its own controls.
LESSON_CONTROLS = [
    "play", "reset", "speed", "learning-rate", "activation", "neuron-0-0", "output-canvas",
    "test-loss", "loss-chart", "lesson-step-next", "lesson-toggle", "lesson-variant-2",
]
MOVING = ["play", "reset", "step", "step-batch", "speed", "same-start", "learning-rate", "activation",
          "regularization", "regularization-rate", "problem", "noise", "batch-size", "add-layer",
          "output-canvas", "test-loss", "show-test-data"]


def boxes(page: Page, testids: list[str]) -> dict:
    return {t: page.get_by_test_id(t).bounding_box() for t in testids}


def moved(before: dict, after: dict) -> dict:
    return {t: (before[t], after[t]) for t in before
            if any(abs(before[t][k] - after[t][k]) > 0.5 for k in ("x", "y", "width", "height"))}


def epoch_at_least(page: Page, n: int, timeout: int = TIMEOUT * 4) -> None:
    page.wait_for_function(f"parseInt(document.querySelector('[data-testid=epoch]').textContent) >= {n}",
                           timeout=timeout)


def test_every_exercise_control_is_on_screen_at_1366x768(open_page):
    page = open_page("#dataset=circle&networkShape=4,2&seed=1", viewport=LAPTOP)
    assert off_screen(page, EXERCISE_CONTROLS) == []
    # The image, table and sequence sets wait in their own group, not between the 2-D sets and
    # the controls under them.
    expect(page.get_by_test_id("dataset-digits")).to_be_hidden()
    page.get_by_test_id("more-datasets-toggle").click()
    expect(page.get_by_test_id("dataset-digits")).to_be_visible()


def test_every_exercise_control_is_on_screen_in_presenter_mode_at_1280x720(open_page):
    page = open_page("#dataset=circle&networkShape=4,2&seed=1&presenter=true", viewport=PROJECTOR)
    expect(page.locator("body")).to_have_class(PRESENTER)
    assert off_screen(page, EXERCISE_CONTROLS) == []
    # The decision map grows with the room the projector gives it.
    side = page.get_by_test_id("output-canvas").bounding_box()["width"]
    assert side >= 280, side
    # Each layer's menu shows its activation's whole name ("Tanh", not "Tanl").
    for select in page.locator("[data-testid^=layer-activation-]").all():
        assert select.evaluate(FITS), select.get_attribute("data-testid")


# Whether a select's chosen option is drawn whole: its text, in the select's font, fits the
# box left of the padding that holds the arrow.
FITS = """(el) => {
  const style = getComputedStyle(el);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = ctx.measureText(el.selectedOptions[0].textContent).width;
  const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return text <= room;
}"""


@pytest.mark.parametrize("viewport,presenter", [(LAPTOP, False), (PROJECTOR, True)], ids=["1366x768", "presenter-1280x720"])
def test_a_lesson_leaves_its_controls_and_the_map_on_screen(open_page, viewport, presenter):
    page = lesson_page(open_page, "learning-rate", viewport, presenter)
    expect(page.get_by_test_id("lesson-text")).to_be_visible()
    assert off_screen(page, LESSON_CONTROLS) == []
    # Its steps, one at a time, each on screen.
    steps = page.get_by_test_id("lesson-tries").locator("li")

    def on_screen(n):
        expect(steps.nth(n)).to_be_visible()
        assert off_screen(page, ["lesson-tries"]) == []
    walk_lesson_steps(page, steps.count(), on_screen)


def test_nothing_moves_while_it_plays_for_hundreds_of_epochs(open_page):
    """The learning-rate lesson: "while it plays, choose 0.03 in the Learning rate menu". At
    1366×768 the run bar must not wrap as the epoch and step counts grow."""
    page = open_page("#dataset=circle&networkShape=4,2&learningRate=3&speed=0", viewport=LAPTOP)
    before = boxes(page, MOVING)
    play(page)
    for epochs in (50, 400, 1200):
        epoch_at_least(page, epochs)
        assert moved(before, boxes(page, MOVING)) == {}, epochs
    page.get_by_test_id("learning-rate").select_option("0.03")       # while it plays
    expect(page).to_have_url(re.compile(r"learningRate=0\.03"))
    epoch_at_least(page, 1300)
    assert moved(before, boxes(page, MOVING)) == {}
    pause(page)
    assert moved(before, boxes(page, MOVING)) == {}


@pytest.mark.parametrize("viewport,presenter", [(LAPTOP, False), (PROJECTOR, True)], ids=["1366x768", "presenter-1280x720"])
def test_screenshot_of_a_lesson_training(open_page, viewport, presenter):
    page = lesson_page(open_page, "features-vs-depth", viewport, presenter)
    page.get_by_test_id("lesson-step-next").click()
    page.get_by_test_id("feature-x1sq").click()
    expect(page.get_by_test_id("feature-x1sq")).to_have_attribute("aria-pressed", "true")
    play(page)
    epoch_at_least(page, 150)
    SHOTS.mkdir(exist_ok=True)
    name = f"lesson-{'presenter-' if presenter else ''}{viewport['width']}x{viewport['height']}.png"
    page.screenshot(path=str(SHOTS / name))
    assert off_screen(page, ["play", "learning-rate", "output-canvas", "test-loss", "feature-x1sq"]) == []
    pause(page)
