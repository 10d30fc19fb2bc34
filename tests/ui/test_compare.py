"""Compare in the browser: two saved runs with different learning rates and a live session side
by side at /compare: overlaid curves, both output maps, the spec difference highlighted, a chart
downloaded as PNG; bad runs explained.

A real Chromium against a live server (conftest.py). Waits with Playwright's expect /
wait_for_function, never sleeps.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from uikit import COLOURS, PIXEL_HASH, SHOTS, pause, play, save

pytestmark = pytest.mark.ui

COMPARE_TIMEOUT = 30_000
EPOCHS = 6
LINK = "#dataset=xor&networkShape=4,2&seed=1&learningRate={lr}"
RATES = ("0.03", "1")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TRACES = "(testid) => document.querySelector(`[data-testid=${testid}]`).data.map((t) => t.meta)"
# The chart has followed a change of the window's size (plotly redraws after a resize).
FITTED = """(testid) => {
  const el = document.querySelector(`[data-testid=${testid}]`);
  return Math.abs(el.querySelector(".main-svg").getBoundingClientRect().width - el.clientWidth) < 2;
}"""
COUNT_POINTS = "(el) => el.data.filter((t) => (t.x || []).length > 0).length"


def trained_and_saved(page: Page, server_url: str, lr: str, title: str) -> str:
    """Open the xor link with learning rate `lr`, step EPOCHS epochs, save; the saved id."""
    page.goto(f"{server_url}/{LINK.format(lr=lr)}")
    page.wait_for_selector('body[data-ready="true"]', timeout=COMPARE_TIMEOUT)
    for epoch in range(1, EPOCHS + 1):
        page.get_by_test_id("step").click()
        expect(page.get_by_test_id("epoch")).to_have_text(str(epoch), timeout=COMPARE_TIMEOUT)
    return save(page, title).rsplit("/", 1)[1]


def open_compare(page: Page, server_url: str, runs: str = "") -> Page:
    page.goto(f"{server_url}/compare" + (f"?runs={runs}" if runs else ""))
    page.wait_for_selector('body[data-ready="true"]', timeout=COMPARE_TIMEOUT)
    return page


@pytest.fixture
def errors(page):
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(f"{error}\n{error.stack}"))
    yield found
    assert not found, "JavaScript errors on the page:\n" + "\n".join(found)


def test_compare_two_saved_runs_and_a_live_one(page, context, server_url, errors, unnamed_controls):
    playground = context.new_page()        # one tab per run: each tab is its own live session
    slow = trained_and_saved(playground, server_url, RATES[0], "Slow: learning rate 0.03")
    fast = trained_and_saved(context.new_page(), server_url, RATES[1], "Fast: learning rate 1")
    page.set_viewport_size({"width": 1366, "height": 768})
    open_compare(page, server_url, f"e:{slow},e:{fast}")

    # The spec difference: the learning rate, both values, highlighted; nothing else differs.
    row = page.get_by_test_id("diff-training.learning_rate")
    expect(row).to_be_visible(timeout=COMPARE_TIMEOUT)
    cells = row.locator("td")
    expect(cells).to_have_text(["0.03", "1"])
    for k in range(2):
        expect(cells.nth(k)).to_have_attribute("data-differs", "true")
        assert cells.nth(k).evaluate("(el) => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert page.locator("[data-testid=diff-table] tr.differs").count() == 1
    for k in range(2):
        expect(page.get_by_test_id(f"compare-output-{k}")).to_contain_text(f"epoch {EPOCHS} ")

    # Loss and accuracy: test and training per run, every trace drawn with all its epochs.
    for chart in ("compare-loss-chart", "compare-accuracy-chart"):
        metas = page.evaluate(TRACES, chart)
        assert sorted(metas) == sorted(f"e:{run} {split}_{what}" for run in (slow, fast)
                                       for split in ("test", "train")
                                       for what in [("loss" if "loss" in chart else "accuracy")]), metas
        assert page.get_by_test_id(chart).evaluate(COUNT_POINTS) == 4
        assert page.get_by_test_id(chart).locator(".scatterlayer .trace").count() == 4
    legend = page.get_by_test_id("compare-loss-chart").locator(".legend").text_content()
    assert "A: Slow: learning rate 0.03" in legend and "B: Fast: learning rate 1" in legend

    # Both output maps are drawn, and differently.
    canvases = [page.get_by_test_id(f"compare-output-{k}").get_by_test_id("output-canvas") for k in range(2)]
    for canvas in canvases:
        page.wait_for_function(f"(el) => ({COLOURS})(el) > 50", arg=canvas.element_handle(), timeout=COMPARE_TIMEOUT)
    assert canvases[0].evaluate(PIXEL_HASH) != canvases[1].evaluate(PIXEL_HASH)

    # Download the loss chart: a PNG file.
    with page.expect_download(timeout=COMPARE_TIMEOUT) as download:
        page.get_by_test_id("compare-loss-png").click()
    assert download.value.suggested_filename.endswith(".png")
    with open(download.value.path(), "rb") as png:
        assert png.read(len(PNG_MAGIC)) == PNG_MAGIC
    SHOTS.mkdir(exist_ok=True)
    download.value.save_as(SHOTS / "compare-loss-download.png")

    page.screenshot(path=str(SHOTS / "compare.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_function(FITTED, arg="compare-loss-chart", timeout=COMPARE_TIMEOUT)
    page.screenshot(path=str(SHOTS / "compare-1920x1080.png"), full_page=True)

    # The first tab's live session (this browser's) joins from the picker, and refreshes.
    page.get_by_test_id("add-runs-toggle").click()
    add = page.get_by_test_id("add-live-0")
    expect(add).to_be_enabled(timeout=COMPARE_TIMEOUT)
    add.click()
    expect(page.get_by_test_id("compare-output-2")).to_be_visible(timeout=COMPARE_TIMEOUT)
    expect(page.get_by_test_id("run-chip-2")).to_contain_text("live")
    assert re.search(r"runs=e:[^&]+,e:[^&]+,s:", page.url)
    live = page.get_by_test_id("compare-output-2")
    expect(live).to_contain_text(f"epoch {EPOCHS} ")
    playground.get_by_test_id("step").click()
    expect(live).to_contain_text(f"epoch {EPOCHS + 1} ", timeout=COMPARE_TIMEOUT)
    play(playground)
    expect(live.get_by_text("training", exact=True)).to_be_visible(timeout=COMPARE_TIMEOUT)
    page.wait_for_function(
        """() => {
          const sub = document.querySelector("[data-testid=compare-output-2] .run-card-sub").textContent;
          return Number(/epoch (\\d+)/.exec(sub)[1]) > %d;
        }""" % (EPOCHS + 2), timeout=COMPARE_TIMEOUT)
    pause(playground)
    expect(live.get_by_text("paused", exact=True)).to_be_visible(timeout=COMPARE_TIMEOUT)
    assert unnamed_controls(page) == []

    # The playground links here; a saved page links here with its run.
    expect(playground.get_by_test_id("compare-link")).to_have_attribute("href", "/compare")
    saved = context.new_page()
    saved.goto(f"{server_url}/e/{slow}")
    expect(saved.get_by_test_id("compare-link")).to_have_attribute("href", f"/compare?runs=e:{slow}")

    # Removing a run takes it out of everything.
    page.get_by_test_id("run-remove-0").click()
    expect(page.get_by_test_id("compare-output-2")).to_have_count(0, timeout=COMPARE_TIMEOUT)
    assert page.evaluate(TRACES, "compare-loss-chart").count(f"e:{slow} test_loss") == 0


def test_bad_runs_are_explained(page, server_url, errors):
    open_compare(page, server_url, ",".join(f"e:{letter * 22}" for letter in "ABCDEFGHIJKLM"))
    expect(page.get_by_test_id("compare-errors")).to_contain_text("1 to 12 runs (got 13)")

    open_compare(page, server_url, f"e:{'A' * 22},x:nonsense")
    expect(page.get_by_test_id("run-chip-1")).to_contain_text("is not e:<saved experiment id>")
    expect(page.get_by_test_id("run-chip-1")).to_have_class(re.compile("broken"))
    page.get_by_test_id("run-remove-1").click()
    expect(page.get_by_test_id("run-chip-0")).to_contain_text("no saved experiment", timeout=COMPARE_TIMEOUT)

    page.get_by_test_id("add-runs-toggle").click()
    page.get_by_test_id("add-saved-input").fill("not a link")
    page.get_by_test_id("add-saved").click()
    expect(page.get_by_test_id("add-saved-error")).to_be_visible()
    expect(page.get_by_test_id("add-saved-input")).to_have_attribute("aria-invalid", "true")


def test_empty_page_invites_a_pick(page, server_url, errors):
    open_compare(page, server_url)
    expect(page.get_by_test_id("compare-empty")).to_be_visible()
    expect(page.get_by_test_id("compare-empty")).to_contain_text("saved experiment")
    expect(page.get_by_test_id("compare-empty")).to_contain_text("live session")
    expect(page.get_by_test_id("add-saved-input")).to_be_visible()       # the ways in, open
    expect(page.get_by_test_id("compare-main")).to_be_hidden()
