"""The live loss chart as a person uses it: the curve grows while training, hovering reads an
epoch's values, the log button re-scales the axis, and PNG downloads the chart as drawn."""
from __future__ import annotations

import re
import struct

import pytest
from playwright.sync_api import expect
from uikit import SHOTS, TIMEOUT, pause, play

pytestmark = pytest.mark.ui

DRAWN = "document.querySelector('[data-testid=loss-chart]').drawn"
PATH = "[data-testid=loss-chart] path[data-trace=train_loss]"


def test_the_curve_grows_and_hover_log_and_png_work(open_page):
    page = open_page("#dataset=circle&networkShape=4,2&speed=20")
    chart = page.get_by_test_id("loss-chart")
    play(page)
    page.wait_for_function(f"{DRAWN}.epochs.length >= 3", timeout=TIMEOUT)
    before = page.locator(PATH).get_attribute("d")
    page.wait_for_function(f"{DRAWN}.epochs.length >= 12", timeout=TIMEOUT)
    pause(page)
    assert page.locator(PATH).get_attribute("d") != before, "the line did not grow"
    drawn = page.evaluate(DRAWN)
    assert drawn["epochs"] == list(range(1, len(drawn["epochs"]) + 1))

    # Hover the right half of the plot: a rule and the values of the epoch under the pointer.
    chart.scroll_into_view_if_needed()            # mouse moves do not scroll
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.6)
    tooltip = page.get_by_test_id("loss-chart-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(re.compile(r"Epoch \d+"))
    expect(tooltip).to_contain_text(re.compile(r"Training: \d\.\d+"))
    epoch = int(re.search(r"Epoch (\d+)", tooltip.text_content()).group(1))
    assert len(drawn["epochs"]) / 2 < epoch <= len(drawn["epochs"])
    page.mouse.move(0, 0)
    expect(tooltip).to_be_hidden()

    # Log scale: the y axis labelled anew (decades, or its ends where it spans less than
    # one), the line redrawn on it; and back.
    linear = page.locator(PATH).get_attribute("d")
    labels = "(el) => [...el.querySelectorAll('.chart-axes text')].map((t) => t.textContent).join(' ')"
    linear_labels = chart.evaluate(labels)
    page.get_by_test_id("loss-log").click()
    expect(page.get_by_test_id("loss-log")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(f"document.querySelector('{PATH}').getAttribute('d') !== {linear!r}", timeout=TIMEOUT)
    assert chart.evaluate(labels) != linear_labels
    chart.screenshot(path=SHOTS / "loss-chart-log.png")
    page.get_by_test_id("loss-log").click()
    expect(page.locator(PATH)).to_have_attribute("d", linear)

    # PNG: the chart at twice its size.
    chart.hover()
    with page.expect_download() as download:
        page.get_by_test_id("loss-chart-png").click()
    assert download.value.suggested_filename == "nn-playground-loss.png"
    data = open(download.value.path(), "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert abs(width - 2 * box["width"]) <= 4 and height > 100
