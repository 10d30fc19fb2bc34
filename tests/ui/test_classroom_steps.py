"""Classroom exercises, step by step, as a student does them: real clicks in Chromium, checking
what is on screen after each step. A shape changed while paused is drawn at once; a TF
Playground link without hidden layers keeps its activation; Reset shows the new start (or keeps
it); +1 batch shows its loss; the speed control paces training and stays in the links; an
empty loss chart and the error messages speak to a student, not to the API.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from uikit import CONTEXT_ARGS, PIXEL_HASH, TIMEOUT, number, pause, play

pytestmark = pytest.mark.ui

# Every weight link of the diagram has a stroke (a colour) once drawn: [drawn, all].
LINKS = """() => {
  const all = [...document.querySelectorAll('[data-testid=network] path.link')];
  return [all.filter((p) => p.getAttribute('stroke')).length, all.length];
}"""
# Whether the neuron-maps canvas has paint at the centre of every hidden neuron's node.
MAPS_DRAWN = """() => {
  const canvas = document.querySelector('[data-part=neuron-maps]');
  const box = canvas.getBoundingClientRect();
  const ratio = canvas.width / box.width;
  const ctx = canvas.getContext('2d');
  const nodes = [...document.querySelectorAll('[data-testid^=neuron-]')];
  return nodes.length > 0 && nodes.every((node) => {
    const r = node.getBoundingClientRect();
    const x = Math.floor((r.left + r.width / 2 - box.left) * ratio);
    const y = Math.floor((r.top + r.height / 2 - box.top) * ratio);
    return ctx.getImageData(x, y, 1, 1).data[3] > 0;
  });
}"""


def epoch_of(page: Page) -> int:
    return int(number(page, "epoch"))


def expect_diagram_drawn(page: Page, links: int) -> None:
    """All `links` weights drawn and every hidden neuron's picture painted, while paused."""
    page.wait_for_function(f"() => {{ const [drawn, all] = ({LINKS})(); return all === {links} && drawn === all; }}",
                           timeout=TIMEOUT)
    page.wait_for_function(MAPS_DRAWN, timeout=TIMEOUT)
    expect(page.get_by_test_id("status")).to_have_text("Paused")
    assert epoch_of(page) == 0


def test_find_the_smallest_network_every_shape_is_drawn_while_paused(open_page):
    """"Find the smallest network that fits": add a layer, remove a neuron, toggle a feature,
    all paused; every link and neuron picture is on screen after each step, weights readable."""
    page = open_page("#dataset=xor&networkShape=4,2&seed=1")
    expect_diagram_drawn(page, 2 * 4 + 4 * 2 + 2)
    page.get_by_test_id("add-layer").click()
    expect(page.get_by_test_id("layer-count")).to_have_text("3")
    expect_diagram_drawn(page, 2 * 4 + 4 * 2 + 2 * 2 + 2)
    page.get_by_test_id("weight-2-1-0").hover()                     # a link of the new layer
    expect(page.get_by_test_id("tooltip")).to_have_text(re.compile(r"^Weight: -?\d"))
    page.get_by_test_id("remove-neuron-0").click()
    expect(page.get_by_test_id("layer-units-0")).to_have_text(re.compile(r"^3\b"))
    expect_diagram_drawn(page, 2 * 3 + 3 * 2 + 2 * 2 + 2)
    page.get_by_test_id("feature-x1x2").click()
    expect(page.get_by_test_id("feature-x1x2")).to_have_attribute("aria-pressed", "true")
    expect_diagram_drawn(page, 3 * 3 + 3 * 2 + 2 * 2 + 2)
    page.get_by_test_id("bias-0-2").hover()
    expect(page.get_by_test_id("tooltip")).to_have_text(re.compile(r"^Bias: -?\d"))


def test_a_tf_link_without_hidden_layers_keeps_its_activation(open_page):
    page = open_page("#activation=relu&networkShape=")
    menu = page.get_by_test_id("activation")
    expect(page.get_by_test_id("layer-count")).to_have_text("0")
    expect(page.locator("#network-heading")).to_have_text("0 hidden layers")
    expect(menu).to_have_value("relu")
    expect(menu).to_be_enabled()
    expect(page).to_have_url(re.compile(r"activation=relu"))
    page.get_by_test_id("add-layer").click()                        # "+" takes the menu's choice
    expect(page.get_by_test_id("layer-activation-0")).to_have_value("relu")
    expect(page.locator("#network-heading")).to_have_text("1 hidden layer")
    # Linear for every layer, then remove them all: the menu keeps Linear, and so does the link.
    menu.select_option("linear")
    expect(page.get_by_test_id("layer-activation-0")).to_have_value("linear")
    page.get_by_test_id("remove-layer").click()
    expect(page.get_by_test_id("layer-count")).to_have_text("0")
    expect(menu).to_have_value("linear")
    expect(menu).to_be_enabled()
    expect(page).to_have_url(re.compile(r"activation=linear"))
    page.get_by_test_id("add-layer").click()
    expect(page.get_by_test_id("layer-activation-0")).to_have_value("linear")
    expect(page.locator("#network-heading")).to_have_text("1 hidden layer")


def picture(page: Page) -> int:
    return page.get_by_test_id("output-canvas").evaluate(PIXEL_HASH)


def wait_for_new_picture(page: Page, old: int) -> int:
    page.wait_for_function(
        f"(old) => ({PIXEL_HASH})(document.querySelector('[data-testid=output-canvas]')) !== old",
        arg=old, timeout=TIMEOUT)
    return picture(page)


def test_reset_shows_the_new_start_and_same_start_repeats_it(open_page):
    page = open_page("#dataset=xor&networkShape=4,2&seed=1")
    seed = page.get_by_test_id("start-seed")
    expect(seed).to_have_text("start #1")                   # a TF link: the data's seed
    start = picture(page)
    page.get_by_test_id("reset").click()                    # new weights, a new start shown
    expect(seed).not_to_have_text("start #1", timeout=TIMEOUT)
    second = re.search(r"#(\d+)$", seed.text_content()).group(1)
    expect(page).to_have_url(re.compile(rf"trainSeed={second}\b"))
    after_reset = wait_for_new_picture(page, start)
    # "Same start": reset now repeats this start, after any amount of training.
    page.get_by_test_id("same-start").check()
    expect(page).to_have_url(re.compile(r"sameStart=true"))
    page.get_by_test_id("step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    wait_for_new_picture(page, after_reset)
    page.get_by_test_id("reset").click()
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    page.wait_for_function(
        f"(want) => ({PIXEL_HASH})(document.querySelector('[data-testid=output-canvas]')) === want",
        arg=after_reset, timeout=TIMEOUT)
    expect(seed).to_have_text(f"start #{second}")
    # Unticked, the next reset draws again; the link keeps either choice.
    page.get_by_test_id("same-start").uncheck()
    expect(page).not_to_have_url(re.compile(r"sameStart=true"))
    page.get_by_test_id("reset").click()
    expect(seed).not_to_have_text(f"start #{second}", timeout=TIMEOUT)


def test_each_batch_step_shows_its_loss_and_accuracy(open_page):
    # A large learning rate: every batch moves the loss in its third decimal.
    page = open_page("#dataset=spiral&networkShape=6,4&learningRate=1&batchSize=30&seed=2")
    for batch in range(1, 5):
        shown = [page.get_by_test_id(t).text_content() for t in ("test-loss", "train-loss", "train-accuracy")]
        page.get_by_test_id("step-batch").click()
        expect(page.get_by_test_id("step-count")).to_have_text(str(batch))
        expect(page.get_by_test_id("test-loss")).not_to_have_text(shown[0], timeout=TIMEOUT)
        expect(page.get_by_test_id("train-loss")).not_to_have_text(shown[1], timeout=TIMEOUT)
        expect(page.get_by_test_id("train-accuracy")).to_have_text(re.compile(r"^\d+(\.\d)?%$"))
        expect(page.get_by_test_id("epoch")).to_have_text("0")


def test_speed_paces_training_and_travels_in_the_links(open_page, browser, server_url):
    page = open_page("#dataset=xor&networkShape=4,2")
    speed = page.get_by_test_id("speed")
    expect(speed).to_have_value("60")                               # TF Playground's pace
    speed.select_option("1")
    expect(page).to_have_url(re.compile(r"speed=1\b"))
    page.get_by_test_id("classroom-toggle").click()
    expect(page.get_by_test_id("classroom-url")).to_have_value(re.compile(r"speed=1\b"))
    # Beside it, the same network at Max: both play; compare how far each got in one wait.
    other = browser.new_context(viewport={"width": 1366, "height": 768}, **CONTEXT_ARGS)
    try:
        fast = other.new_page()
        fast.goto(f"{server_url}/#dataset=xor&networkShape=4,2&speed=0")
        fast.wait_for_function("document.body.dataset.frames > 0", timeout=TIMEOUT)
        expect(fast.get_by_test_id("speed")).to_have_value("0")
        expect(fast.get_by_test_id("speed").locator("option:checked")).to_have_text("Max")
        play(page)
        play(fast)
        fast.wait_for_function("parseInt(document.querySelector('[data-testid=epoch]').textContent) >= 100",
                               timeout=TIMEOUT * 4)
        slow = epoch_of(page)
        assert slow <= epoch_of(fast) / 10, (slow, epoch_of(fast))
        # Still playing, one epoch a second: it does move.
        page.wait_for_function("parseInt(document.querySelector('[data-testid=epoch]').textContent) >= 2",
                               timeout=TIMEOUT)
        pause(fast)
    finally:
        other.close()
    # Changed while playing, the new speed holds at once.
    speed.select_option("0")
    expect(page).not_to_have_url(re.compile(r"speed=1\b"))
    page.wait_for_function("parseInt(document.querySelector('[data-testid=epoch]').textContent) >= 60",
                           timeout=TIMEOUT * 2)
    pause(page)
    page.reload()
    page.wait_for_selector('body[data-ready="true"]', timeout=TIMEOUT)
    expect(page.get_by_test_id("speed")).to_have_value("0")


def test_an_empty_loss_chart_shows_no_made_up_axes(open_page):
    page = open_page("#dataset=circle&networkShape=4,2")
    chart = page.get_by_test_id("loss-chart")
    ticks = "(el) => el.querySelectorAll('.chart-axes text').length"
    expect(chart.locator(".chart-empty")).to_have_text("Epochs appear here")
    expect(chart.locator(".chart-empty")).to_be_visible()
    assert chart.evaluate(ticks) == 0
    page.get_by_test_id("step").click()
    page.wait_for_function("document.querySelector('[data-testid=loss-chart]').drawn.epochs.length === 1",
                           timeout=TIMEOUT)
    expect(chart.locator(".chart-empty")).to_be_hidden(timeout=TIMEOUT)
    assert chart.evaluate(ticks) > 0
    labels = chart.evaluate("(el) => [...el.querySelectorAll('.chart-axes text')].map((t) => t.textContent)")
    assert "−1" not in labels and "-1" not in labels
    page.get_by_test_id("reset").click()
    expect(chart.locator(".chart-empty")).to_be_visible(timeout=TIMEOUT)
    assert chart.evaluate(ticks) == 0


def test_errors_name_the_control_not_the_spec_path(open_page):
    page = open_page()
    box = page.get_by_test_id("batch-size")
    box.fill("0")
    box.press("Enter")
    error = page.get_by_test_id("error-training.batch_size")
    expect(error).to_have_text("Batch size: 0 is below the minimum 1")
    # A field named inside another's message is named by its label too.
    page.get_by_test_id("more-settings-toggle").click()
    patience = page.get_by_test_id("early-stopping")
    patience.fill("5")
    patience.press("Enter")
    error = page.get_by_test_id("error-training.early_stopping")
    expect(error).to_contain_text("Validation split")
    expect(error).not_to_contain_text("data.validation_ratio")
    expect(error).not_to_contain_text("training.")
