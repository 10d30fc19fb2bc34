"""Image and table models in the browser: the layer builder, live views, the autoencoder.

Driven through a real Chromium against a live server, selecting by role or data-testid and
waiting with Playwright's expect / wait_for_function (no sleeps). Canvas pictures are compared
through a hash of their pixels, the embedding scatter through its plotly trace data.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from uikit import COLOURS, PIXEL_HASH, TIMEOUT, TRAIN_TIMEOUT, choose, pause, play, screenshot

pytestmark = pytest.mark.ui

EMBEDDING = "() => JSON.stringify((document.querySelector('[data-testid=embedding-plot]').data || []).map((t) => [t.x, t.y]))"


def percent_above(page: Page, testid: str, value: float, timeout: int = TRAIN_TIMEOUT) -> None:
    page.wait_for_function(
        f"() => parseFloat(document.querySelector('[data-testid=\"{testid}\"]').textContent) > {value}",
        timeout=timeout)


def canvas_changes(page: Page, testid: str) -> None:
    """Wait until the canvas's picture differs from what it shows now."""
    canvas = page.get_by_test_id(testid)
    before = canvas.evaluate(PIXEL_HASH)
    page.wait_for_function(
        f"(want) => ({PIXEL_HASH})(document.querySelector('[data-testid=\"{testid}\"]')) !== want",
        arg=before, timeout=TIMEOUT)


def choose_digits(page: Page) -> None:
    choose(page, "digits")
    expect(page.get_by_test_id("layer-builder")).to_be_visible()
    expect(page.get_by_test_id("network")).to_be_hidden()


def test_digits_cnn_built_in_the_ui_trains_and_its_views_follow(open_page, unnamed_controls):
    page = open_page()
    choose_digits(page)
    # The server's LeNet-like default net, with shapes, parameters and FLOPs on every card.
    expect(page.get_by_test_id("card-kind-0")).to_have_value("conv2d")
    expect(page.get_by_test_id("card-shape-0")).to_have_text("8×8×8")
    expect(page.get_by_test_id("input-shape")).to_have_text("8×8×1")
    expect(page.get_by_test_id("output-shape")).to_have_text("10")
    # Build: twelve filters in the first conv layer; the card and the next layer follow.
    filters = page.get_by_test_id("card-filters-0")
    filters.fill("12")
    filters.press("Enter")
    expect(page.get_by_test_id("card-shape-0")).to_have_text("8×8×12")
    expect(page.get_by_test_id("card-params-0")).to_have_text("120")          # 12·(3·3·1) + 12
    expect(page.get_by_test_id("card-params-2")).to_have_text("1,744")        # 16·(3·3·12) + 16
    expect(page).to_have_url(re.compile(r"layers=conv2d:12"))
    # The filter grid is drawn and changes while the net learns.
    expect(page.get_by_test_id("tab-filters")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("filters-canvas-0")).to_be_visible()
    assert page.get_by_test_id("filters-canvas-0").evaluate(COLOURS) > 2
    play(page)
    canvas_changes(page, "filters-canvas-0")
    percent_above(page, "test-accuracy", 90)
    pause(page)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=accuracy-chart]').drawn.series.test_accuracy.some((v) => v != null)", timeout=TIMEOUT)
    # The confusion matrix: a cell shows its test examples; one of them opens the feature maps.
    page.get_by_test_id("tab-confusion").click()
    expect(page.get_by_test_id("cm-acc-3")).to_have_text(re.compile(r"%$"))
    page.get_by_test_id("cm-cell-3-3").click()
    expect(page.get_by_test_id("cell-examples")).to_be_visible()
    expect(page.get_by_test_id("cell-examples-title")).to_contain_text("test example")
    example = page.get_by_test_id("cell-example-0")
    expect(example).to_be_visible()
    index = example.get_attribute("data-index")
    example.click()
    expect(page.get_by_test_id("tab-feature-maps")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("sample-caption")).to_contain_text(f"#{index}")
    expect(page.get_by_test_id("sample-caption")).to_contain_text("true class: 3")
    expect(page.get_by_test_id("fmap-canvas-0")).to_be_visible()
    # The gallery of mistakes shows examples with their probabilities.
    page.get_by_test_id("tab-gallery").click()
    expect(page.get_by_test_id("gallery-unsure-0")).to_contain_text("%")
    # Every control of the builder and the views (cells, tiles, tabs) is named and has a test id.
    assert unnamed_controls(page) == []


def test_impossible_layer_is_refused_next_to_its_card(open_page):
    page = open_page("#dataset=digits")
    kernel = page.get_by_test_id("card-kernel-2")                  # the conv reading 4×4×8
    kernel.fill("9")
    kernel.press("Enter")
    error = page.get_by_test_id("layer-card-2").get_by_test_id("error-model.layers[2].kernel")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("larger than the 4×4 input")
    expect(kernel).to_have_value("9")                              # what was typed stays
    expect(kernel).to_have_attribute("aria-invalid", "true")
    # Nothing trains while the net on screen cannot be built.
    expect(page.get_by_test_id("play")).to_be_disabled()
    expect(page.get_by_test_id("step")).to_be_disabled()
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    expect(page.get_by_test_id("status")).to_have_text("Paused")
    # Fixing it clears the error and allows training again.
    kernel.fill("3")
    kernel.press("Enter")
    expect(error).to_have_count(0)
    expect(page.get_by_test_id("play")).to_be_enabled()
    expect(page.get_by_test_id("card-shape-2")).to_have_text("4×4×16")


def test_autoencoder_embedding_moves_while_it_learns(open_page):
    page = open_page()
    choose_digits(page)
    page.get_by_test_id("task").select_option("autoencoder")
    expect(page.get_by_test_id("output-card")).to_contain_text("Bottleneck")
    expect(page.get_by_test_id("bottleneck")).to_have_value("2")
    expect(page.get_by_test_id("card-kind-0")).to_have_value("dense")          # its default encoder
    expect(page.get_by_test_id("tab-embedding")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("tab-filters")).to_be_hidden()
    page.wait_for_function(f"() => {EMBEDDING}().length > 10", timeout=TIMEOUT)
    before = page.evaluate(EMBEDDING)
    play(page)
    page.wait_for_function(f"(want) => ({EMBEDDING})() !== want", arg=before, timeout=TIMEOUT)
    page.wait_for_function("() => parseInt(document.querySelector('[data-testid=epoch]').textContent) >= 2",
                           timeout=TRAIN_TIMEOUT)
    pause(page)
    traces = page.evaluate("document.querySelector('[data-testid=embedding-plot]').data.length")
    assert traces == 10                                                           # one per digit
    expect(page.get_by_test_id("rebuilt-0")).to_be_visible()
    assert page.get_by_test_id("rebuilt-0").evaluate(COLOURS) > 2


def test_device_is_shown(open_page):
    page = open_page("#dataset=digits")
    expect(page.get_by_test_id("device")).to_have_text(re.compile(r"^(CPU|GPU)"))


def test_switching_back_restores_the_playground_and_mnist_explains_its_files(open_page):
    page = open_page("#dataset=xor&networkShape=5,3")
    choose_digits(page)
    page.get_by_test_id("dataset-mnist").click()
    error = page.get_by_test_id("error-data.dataset")
    expect(error).to_be_visible()
    expect(error).to_contain_text("--data-dir")
    expect(page.get_by_test_id("dataset-digits")).to_have_attribute("aria-pressed", "true")
    page.get_by_test_id("dataset-xor").click()
    expect(page.get_by_test_id("network")).to_be_visible()
    expect(page.get_by_test_id("layer-builder")).to_be_hidden()
    expect(page.get_by_test_id("layer-count")).to_have_text("2")
    expect(page.get_by_test_id("layer-units-0")).to_have_text(re.compile(r"^5\b"))


# The autoencoder trains with Adam: with the default SGD its 2-D embedding takes far longer to
# separate the digits, and the screenshot is for judging the page, not the optimiser.
SCREENS = [("digits-cnn", "#dataset=digits", "predict"),
           ("autoencoder", "#dataset=digits&task=autoencoder&optimizer=adam&learningRate=0.003&batchSize=32",
            "embed")]


@pytest.mark.parametrize("viewport", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
@pytest.mark.parametrize("name,link,kind", SCREENS, ids=[s[0] for s in SCREENS])
def test_screenshots(open_page, viewport, name, link, kind):
    width, height = viewport
    page = open_page(link, viewport={"width": width, "height": height})
    play(page)
    if kind == "predict":
        percent_above(page, "test-accuracy", 93)
    else:
        page.wait_for_function("() => parseInt(document.querySelector('[data-testid=epoch]').textContent) >= 8",
                               timeout=TRAIN_TIMEOUT)
    pause(page)
    screenshot(page, f"{name}-{width}x{height}", ["play", "test-loss", "loss-chart"])
    if kind == "predict":
        page.get_by_test_id("tab-confusion").click()
        expect(page.get_by_test_id("cm-cell-0-0")).to_be_visible()
        page.get_by_test_id("cm-cell-0-0").scroll_into_view_if_needed()  # its tab and cells at once
        screenshot(page, f"{name}-confusion-{width}x{height}", ["tab-confusion", "cm-cell-0-0"])


def test_play_pressed_while_the_cnn_is_still_being_built_starts_it(page, server_url):
    """A class opens a CNN link and presses play at once: the press waits for the session being
    built (seconds) instead of going out without one ("no such session")."""
    page.goto(f"{server_url}/#dataset=digits")
    page.get_by_test_id("play").click()           # as soon as it can be clicked
    expect(page.get_by_test_id("status")).to_have_text(re.compile("Training"), timeout=TRAIN_TIMEOUT)
    expect(page.get_by_test_id("epoch")).not_to_have_text("0", timeout=TRAIN_TIMEOUT)
    expect(page.locator(".general-errors")).to_have_text("")
    pause(page)
