"""Sequence models in the browser: series prediction and forecast, hidden state and gates,
the gradient reaching each time step, text generated live from a prompt.

Driven through a real Chromium against a live server, selecting by role or data-testid and
waiting with Playwright's expect / wait_for_function (no sleeps). Plotly charts are read through
their trace data (each trace carries a `meta` role), canvases through their pixels.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from uikit import COLOURS, TIMEOUT, TRAIN_TIMEOUT, choose, number, pause, play, screenshot

pytestmark = pytest.mark.ui

# Mean |prediction − target| of the series chart's traces (null before the chart is drawn).
SERIES_ERROR = """() => {
  const data = document.querySelector('[data-testid=series-chart]').data || [];
  const pred = data.find((t) => t.meta === "prediction");
  const target = data.find((t) => t.meta === "target");
  if (!pred || !target || !pred.y.length) return null;
  let sum = 0;
  for (let i = 0; i < pred.y.length; i++) sum += Math.abs(pred.y[i] - target.y[i]);
  return sum / pred.y.length;
}"""
GRADIENT_TRACE = "() => (document.querySelector('[data-testid=gradient-chart]').data || [])[0] || null"


def epochs_at_least(page: Page, n: int) -> None:
    page.wait_for_function(
        f"() => parseInt(document.querySelector('[data-testid=epoch]').textContent) >= {n}",
        timeout=TRAIN_TIMEOUT)


def choose_sequence(page: Page, dataset: str) -> None:
    choose(page, dataset)
    expect(page.get_by_test_id("sequence-panel")).to_be_visible()
    expect(page.get_by_test_id("network")).to_be_hidden()


def test_sine_wave_lstm_learns_to_predict_and_shows_its_memory(open_page, unnamed_controls):
    page = open_page()
    choose_sequence(page, "sine-wave")
    # The server's default net for the series: one LSTM, 20 steps of 16 units.
    expect(page.get_by_test_id("card-kind-0")).to_have_value("lstm")
    expect(page.get_by_test_id("input-shape")).to_have_text("20×1")
    expect(page.get_by_test_id("card-shape-0")).to_have_text("20×16")
    expect(page.get_by_test_id("card-params-0")).to_have_text("1,216")          # 4·16·(1 + 16 + 2)
    expect(page.get_by_test_id("output-shape")).to_have_text("20×1")
    expect(page.get_by_test_id("tab-series")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("tab-text")).to_be_hidden()
    page.wait_for_function(f"() => ({SERIES_ERROR})() !== null", timeout=TIMEOUT)
    loss_before = number(page, "test-loss")
    error_before = page.evaluate(SERIES_ERROR)
    forecast = page.evaluate(
        "() => document.querySelector('[data-testid=series-chart]').data.find((t) => t.meta === 'forecast').y.length")
    assert forecast == 40
    play(page)
    # The test loss falls and the prediction closes in on the target.
    page.wait_for_function(
        "(before) => parseFloat(document.querySelector('[data-testid=test-loss]').textContent) < before / 2",
        arg=loss_before, timeout=TRAIN_TIMEOUT)
    page.wait_for_function(f"(before) => ({SERIES_ERROR})() < before / 2", arg=error_before, timeout=TRAIN_TIMEOUT)
    pause(page)
    assert number(page, "test-loss") < loss_before
    # The hidden state of the chosen test sequence, time × unit.
    page.get_by_test_id("tab-hidden").click()
    expect(page.get_by_test_id("hidden-title")).to_contain_text("Layer 1 · LSTM · 20 steps × 16 units")
    canvas = page.get_by_test_id("hidden-canvas")
    expect(canvas).to_be_visible()
    page.wait_for_function(
        f"() => ({COLOURS})(document.querySelector('[data-testid=hidden-canvas]')) > 10", timeout=TIMEOUT)
    # Another test sequence: the picker counts them.
    expect(page.get_by_test_id("seq-sample")).to_have_text(re.compile(r"^Test sequence 1 of \d+$"))
    page.get_by_test_id("seq-next").click()
    expect(page.get_by_test_id("seq-sample")).to_have_text(re.compile(r"^Test sequence 2 of"))
    # The LSTM's gates, each on the 0…1 scale.
    page.get_by_test_id("tab-gates").click()
    for gate in ("input", "forget", "output", "cell"):
        expect(page.get_by_test_id(f"gate-canvas-{gate}")).to_be_visible()
    assert unnamed_controls(page) == []


def test_text_is_generated_live_from_a_prompt_at_a_temperature(open_page):
    page = open_page()
    choose_sequence(page, "text")
    expect(page.get_by_test_id("card-kind-0")).to_have_value("embedding")
    expect(page.get_by_test_id("tab-text")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("tab-series")).to_be_hidden()
    sample = page.get_by_test_id("generated-sample")
    expect(sample).not_to_have_text("")
    play(page)
    first = sample.text_content()
    expect(sample).not_to_have_text(first, timeout=TIMEOUT)       # rewritten as the weights change
    epochs_at_least(page, 2)
    pause(page)
    # Temperature 0: the likeliest character every time, and the server says it used it.
    page.get_by_test_id("text-temperature").fill("0")
    expect(page.get_by_test_id("text-temperature-value")).to_have_text("0.0")
    expect(page.get_by_test_id("text-caption")).to_have_attribute("data-temperature", "0")
    expect(page.get_by_test_id("text-caption")).to_contain_text("temperature 0")
    # A new prompt (the corpus is lower case), highlighted before what the net writes after it.
    page.get_by_test_id("text-prompt").fill("Twinkle twinkle ")
    expect(page.get_by_test_id("generated-prompt")).to_have_text("twinkle twinkle ")
    expect(sample).not_to_have_text("")
    expect(page.locator("#test-acc-label")).to_contain_text("per character")
    # Its accuracy chart: a share of the characters, inside the plot (not 20 times it, off the top).
    drawn = page.evaluate("() => document.querySelector('[data-testid=accuracy-chart]').drawn.series")
    assert drawn["train_accuracy"] and all(0 <= a <= 1 for a in drawn["train_accuracy"]), drawn
    chart = page.get_by_test_id("accuracy-chart").bounding_box()
    line = page.get_by_test_id("accuracy-chart").locator("path[data-trace=train_accuracy]").bounding_box()
    assert chart["y"] <= line["y"] and line["y"] + line["height"] <= chart["y"] + chart["height"], (chart, line)


def test_plain_rnn_on_a_long_recall_shows_the_gradient_at_every_step(open_page):
    page = open_page("#dataset=recall&seqLength=60&layers=rnn:16:1:tanh")
    expect(page.get_by_test_id("card-kind-0")).to_have_value("rnn")
    expect(page.get_by_test_id("card-shape-0")).to_have_text("60×16")
    expect(page.get_by_test_id("seq-length")).to_have_value("60")
    expect(page.get_by_test_id("tab-gates")).to_be_hidden()              # a simple RNN has none
    page.get_by_test_id("tab-gradients").click()
    page.wait_for_function(f"() => ({GRADIENT_TRACE})()?.x.length === 60", timeout=TIMEOUT)
    trace = page.evaluate(GRADIENT_TRACE)
    assert trace["x"][0] == 1 and trace["x"][-1] == 60
    assert page.evaluate("document.querySelector('[data-testid=gradient-chart]').layout.yaxis.type") == "log"
    expect(page.get_by_test_id("gradient-chart")).to_contain_text("gradient reaching step t")
    expect(page.locator("#test-acc-label")).to_contain_text("per sequence")


def test_builder_stacks_recurrent_layers_and_the_views_follow_the_chosen_one(open_page):
    page = open_page("#dataset=sine-wave")
    page.get_by_test_id("add-layer-kind").select_option("gru")
    expect(page.get_by_test_id("card-kind-1")).to_have_value("gru")
    expect(page.get_by_test_id("card-shape-1")).to_have_text("20×16")
    expect(page.get_by_test_id("card-params-1")).to_have_text("1,632")         # 3·16·(16 + 16 + 2)
    # An embedding is for text only: not offered for a series.
    assert "embedding" not in page.get_by_test_id("add-layer-kind").evaluate(
        "(el) => [...el.options].map((o) => o.value)")
    page.get_by_test_id("tab-hidden").click()
    layer = page.get_by_test_id("seq-layer")
    expect(layer).to_be_visible()
    layer.select_option("1")
    expect(page.get_by_test_id("hidden-title")).to_contain_text("Layer 2 · GRU")
    page.get_by_test_id("tab-gates").click()
    expect(page.get_by_test_id("gate-canvas-update")).to_be_visible()
    expect(page.get_by_test_id("gate-canvas-forget")).to_have_count(0)
    units = page.get_by_test_id("card-units-1")
    units.fill("8")
    units.press("Enter")
    expect(page.get_by_test_id("card-shape-1")).to_have_text("20×8")
    expect(page).to_have_url(re.compile(r"layers=lstm:16:1,gru:8:1"))


SCREENS = [("sequence-sine", "#dataset=sine-wave", "tab-series", 40, "series-chart"),
           ("sequence-text", "#dataset=text", "tab-text", 25, "generated-text")]


@pytest.mark.parametrize("viewport", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
@pytest.mark.parametrize("name,link,tab,epochs,view", SCREENS, ids=[s[0] for s in SCREENS])
def test_screenshots(open_page, viewport, name, link, tab, epochs, view):
    width, height = viewport
    page = open_page(link, viewport={"width": width, "height": height})
    play(page)
    epochs_at_least(page, epochs)
    pause(page)
    page.get_by_test_id(tab).click()
    expect(page.get_by_test_id(tab)).to_have_attribute("aria-selected", "true")
    # The view fits one screen. (With its tab it may not: 200 characters of text wrap into
    # more or fewer lines from one epoch to the next.)
    page.get_by_test_id(view).scroll_into_view_if_needed()
    screenshot(page, f"{name}-{width}x{height}", [view])


def test_rnn_and_lstm_gradients_share_one_fixed_axis(open_page):
    """The RNN vs LSTM lesson: open Gradients, then switch the network: the axis stays put, so
    the LSTM's taller early bars show the difference."""
    page = open_page("lessons/rnn-vs-lstm")
    expect(page.get_by_test_id("card-kind-0")).to_have_value("rnn")
    page.get_by_test_id("tab-gradients").click()
    page.wait_for_function(f"() => ({GRADIENT_TRACE})()?.x.length === 50", timeout=TIMEOUT)
    axis = "document.querySelector('[data-testid=gradient-chart]').layout.yaxis"
    rnn_range = page.evaluate(f"{axis}.range")
    assert rnn_range[0] <= -16 and rnn_range[1] >= 0
    expect(page.get_by_test_id("gradient-chart")).to_contain_text("fixed 10⁻¹⁶")
    rnn_first = page.evaluate(f"() => ({GRADIENT_TRACE})().customdata[0]")
    # "Change the layer card's kind from Simple RNN to LSTM (training restarts)".
    page.get_by_test_id("card-kind-0").select_option("lstm")
    page.wait_for_function(
        f"(old) => {{ const t = ({GRADIENT_TRACE})(); return t && t.x.length === 50 && t.customdata[0] !== old; }}",
        arg=rnn_first, timeout=TRAIN_TIMEOUT)
    assert page.evaluate(f"{axis}.range") == rnn_range                  # the same axis
    lstm_first = page.evaluate(f"() => ({GRADIENT_TRACE})().customdata[0]")
    assert lstm_first > 1000 * max(rnn_first, 1e-30), (rnn_first, lstm_first)
