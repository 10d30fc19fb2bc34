"""Presenter mode and the keyboard shortcuts, in the browser: a presenter link hides what it says
and enlarges the page, the keys drive training (but not while typing), and the heatmap and points
are drawn in the presenter palette."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from uikit import SHOTS, TIMEOUT, number

pytestmark = pytest.mark.ui

HIDDEN = ("learningRate", "noise", "batchSize", "percTrainData")
LINK = "#dataset=circle&networkShape=4,2&seed=1&presenter=true&" + "&".join(f"{k}_hide=true" for k in HIDDEN)

# Colours (RGB) the views draw points and links in: TF Playground's and presenter mode's.
TF_ORANGE, TF_BLUE = (245, 147, 34), (8, 119, 189)
VERMILLION, DEEP_BLUE = (213, 94, 0), (0, 90, 160)

# How many pixels of a canvas are within `tol` (per channel) of each colour.
COUNT_COLOURS = """([el, colours, tol]) => {
  const data = el.getContext("2d").getImageData(0, 0, el.width, el.height).data;
  return colours.map(([r, g, b]) => {
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - r) <= tol && Math.abs(data[i + 1] - g) <= tol && Math.abs(data[i + 2] - b) <= tol) n += 1;
    }
    return n;
  });
}"""


def font_px(page: Page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))


def colour_counts(page: Page, testid: str, colours, tol: int = 3) -> list[int]:
    canvas = page.get_by_test_id(testid).element_handle()
    return page.evaluate(COUNT_COLOURS, [canvas, [list(c) for c in colours], tol])


def test_presenter_link_hides_its_controls_and_enlarges_the_page(open_page):
    page = open_page("#dataset=circle")
    normal = font_px(page)
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bpresenter\b"))
    expect(page.get_by_test_id("presenter-toggle")).to_have_attribute("aria-pressed", "false")

    page = open_page(LINK)
    expect(page.locator("body")).to_have_class(re.compile(r"\bpresenter\b"))
    assert font_px(page) > normal
    for testid in ("learning-rate", "noise", "batch-size", "train-ratio"):
        expect(page.get_by_test_id(testid)).to_be_hidden()
    expect(page.get_by_test_id("play")).to_be_visible()
    expect(page.get_by_test_id("presenter-toggle")).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(r"presenter=true"))
    page.get_by_test_id("classroom-toggle").click()
    expect(page.get_by_test_id("classroom-presenter")).to_be_checked()
    expect(page.get_by_test_id("classroom-url")).to_have_value(re.compile(r"presenter=true"))

    page.get_by_test_id("presenter-toggle").click()                 # the visible toggle
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bpresenter\b"))
    expect(page).not_to_have_url(re.compile(r"presenter=true"))
    assert font_px(page) == normal
    page.get_by_test_id("classroom-presenter").check()              # and the checklist
    expect(page.locator("body")).to_have_class(re.compile(r"\bpresenter\b"))


def test_keys_play_pause_step_reset_and_toggle_but_not_while_typing(open_page):
    page = open_page(LINK)
    play = page.get_by_test_id("play")
    page.keyboard.press("Space")
    expect(play).to_have_attribute("data-state", "playing")
    page.wait_for_function("parseInt(document.querySelector('[data-testid=epoch]').textContent) > 2",
                           timeout=TIMEOUT)
    page.keyboard.press("Space")
    expect(play).to_have_attribute("data-state", "paused")
    epoch = number(page, "epoch")
    assert epoch > 2

    page.keyboard.press("r")
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    page.keyboard.press("s")
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("epoch")).to_have_text("2")

    # Typing a space (or r, s, p) in a text box types it: training stays paused.
    page.get_by_test_id("save").click()
    title = page.get_by_test_id("save-title")
    title.click()
    page.keyboard.type("a rsp b")
    expect(title).to_have_value("a rsp b")
    expect(play).to_have_attribute("data-state", "paused")
    expect(page.get_by_test_id("epoch")).to_have_text("2")
    expect(page.locator("body")).to_have_class(re.compile(r"\bpresenter\b"))
    page.get_by_test_id("save-cancel").click()

    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("?")
    expect(page.get_by_test_id("shortcuts")).to_be_visible()
    expect(page.get_by_test_id("shortcuts")).to_contain_text("Play / pause")
    page.keyboard.press("s")                                      # not while the list is open
    expect(page.get_by_test_id("epoch")).to_have_text("2")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("shortcuts")).to_be_hidden()

    page.keyboard.press("p")
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bpresenter\b"))
    expect(page).not_to_have_url(re.compile(r"presenter=true"))


def test_heatmap_points_and_legend_use_the_colour_blind_safe_palette(open_page):
    page = open_page("#dataset=circle&networkShape=4,2&seed=1&showTestData=true&dataset_hide=true"
                     "&percTrainData_hide=true&noise_hide=true&batchSize_hide=true",
                     viewport={"width": 1366, "height": 768})
    page.keyboard.press("Space")
    page.wait_for_function("parseInt(document.querySelector('[data-testid=epoch]').textContent) >= 60",
                           timeout=TIMEOUT)
    page.keyboard.press("Space")
    expect(page.get_by_test_id("play")).to_have_attribute("data-state", "paused")
    # Points are drawn in the palette's colours; the confident parts of the map in the same
    # colours lightened 18% towards white (so points stay visible on top). Orange is the colour
    # the two palettes differ most in.
    lighter = lambda rgb: tuple(round(c + (255 - c) * 0.18) for c in rgb)
    colours = [TF_ORANGE, TF_BLUE, VERMILLION, DEEP_BLUE]
    maps = [lighter(c) for c in colours]
    points, heat = colour_counts(page, "output-canvas", colours), colour_counts(page, "output-canvas", maps, tol=10)
    assert points[0] > 0 and points[1] > 0 and points[2] == 0 and points[3] == 0
    assert heat[0] > 50 and heat[2] == 0          # the outer ring's side: a wide, confident area

    frames = int(page.evaluate("document.body.dataset.frames"))
    page.keyboard.press("p")
    expect(page.locator("body")).to_have_class(re.compile(r"\bpresenter\b"))
    page.wait_for_function(f"document.body.dataset.frames > {frames}", timeout=TIMEOUT)
    points, heat = colour_counts(page, "output-canvas", colours), colour_counts(page, "output-canvas", maps, tol=10)
    assert points[0] == 0 and points[1] == 0 and points[2] > 0 and points[3] > 0
    assert heat[0] == 0 and heat[2] > 50
    # The colour legend runs from the presenter vermillion to the deep blue.
    ends = page.evaluate("""() => {
      const el = document.querySelector('[data-testid=legend] [data-part=bar]');
      const ctx = el.getContext('2d'), y = Math.floor(el.height / 2);
      return [[...ctx.getImageData(0, y, 1, 1).data].slice(0, 3), [...ctx.getImageData(el.width - 1, y, 1, 1).data].slice(0, 3)];
    }""")
    assert ends == [list(VERMILLION), list(DEEP_BLUE)]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "presenter.png"), full_page=True)
