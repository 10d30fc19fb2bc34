"""What a person sees in the playground, driven through a real Chromium against a live server.

Everything is selected by role or data-testid and waited for with Playwright's expect /
wait_for_function (no sleeps). Canvas pictures are compared through a hash of their pixels.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from uikit import PIXEL_HASH, TIMEOUT, choose, number, pause, play, screenshot

pytestmark = pytest.mark.ui

# 2-D point nets train fast: less time than uikit.TRAIN_TIMEOUT gives digits and sequences.
POINTS_TRAIN_TIMEOUT = 60_000

# How many epochs the loss chart shows (its training-loss trace).
CHART_POINTS = "document.querySelector('[data-testid=loss-chart]').drawn.epochs.length"

TF_LINK = ("#activation=relu&regularization=L2&batchSize=17&dataset=spiral&regDataset=reg-plane"
           "&learningRate=0.01&regularizationRate=0.003&noise=15&networkShape=6,4,3&seed=0.48512"
           "&showTestData=true&discretize=false&percTrainData=70&x=true&y=true&xTimesY=false"
           "&xSquared=true&ySquared=true&cosX=false&sinX=true&cosY=false&sinY=true"
           "&collectStats=false&problem=classification&initZero=false&hideText=false")
TF_REGRESSION_LINK = ("#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-gauss"
                      "&learningRate=0.03&regularizationRate=0&noise=5&networkShape=4,2&seed=0.5"
                      "&showTestData=false&discretize=false&percTrainData=60&x=true&y=true"
                      "&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false"
                      "&cosY=false&sinY=false&collectStats=false&problem=regression"
                      "&initZero=false&hideText=false")


def pixels(page: Page) -> int:
    return page.get_by_test_id("output-canvas").evaluate(PIXEL_HASH)


def wait_for_number(page: Page, testid: str, predicate: str, timeout: int = TIMEOUT) -> None:
    """Wait until the number shown in [data-testid] satisfies the JS predicate on `n`."""
    page.wait_for_function(
        f"""() => {{
          const n = parseFloat(document.querySelector('[data-testid="{testid}"]').textContent);
          return !Number.isNaN(n) && ({predicate});
        }}""",
        timeout=timeout,
    )


def train_until(page: Page, predicate: str, testid: str = "epoch", timeout: int = POINTS_TRAIN_TIMEOUT) -> None:
    play(page)
    wait_for_number(page, testid, predicate, timeout)
    pause(page)


def test_xor_trains_and_the_picture_changes(open_page):
    page = open_page()
    choose(page, "xor")
    expect(page.get_by_test_id("dataset-name")).to_have_text("Exclusive or")
    page.get_by_test_id("add-neuron-0").click()
    expect(page.get_by_test_id("layer-units-0")).to_have_text(re.compile(r"^5"))
    page.get_by_test_id("add-layer").click()
    expect(page.get_by_test_id("layer-count")).to_have_text("3")
    expect(page.get_by_test_id("weight-2-0-0")).to_be_attached()   # links reach the new layer
    page.get_by_test_id("remove-layer").click()
    expect(page.get_by_test_id("layer-count")).to_have_text("2")
    wait_for_number(page, "epoch", "n === 0")
    before = pixels(page)

    train_until(page, "n < 0.1", testid="test-loss")

    assert pixels(page) != before
    assert number(page, "epoch") > 0
    page.wait_for_function(
        "() => { const d = document.querySelector('[data-testid=loss-chart]').drawn;"
        " return d.epochs.length > 0 && d.series.test_loss.length === d.epochs.length"
        " && document.querySelector('[data-testid=loss-chart] path[data-trace=test_loss]')"
        ".getAttribute('d').startsWith('M'); }",
        timeout=TIMEOUT,
    )
    expect(page.get_by_test_id("test-accuracy")).to_have_text(re.compile(r"%$"))


def test_tf_playground_link_opens_with_its_settings(open_page):
    page = open_page(TF_LINK)
    expect(page.get_by_test_id("dataset-spiral")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("problem")).to_have_value("classification")
    on = {"x1", "x2", "x1sq", "x2sq", "sinx1", "sinx2"}
    for name in ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2", "cosx1", "cosx2"]:
        expect(page.get_by_test_id(f"feature-{name}")).to_have_attribute("aria-pressed", str(name in on).lower())
    expect(page.get_by_test_id("layer-count")).to_have_text("3")
    for layer, units in enumerate([6, 4, 3]):
        expect(page.get_by_test_id(f"layer-units-{layer}")).to_have_text(re.compile(rf"^{units}\b"))
        expect(page.get_by_test_id(f"layer-activation-{layer}")).to_have_value("relu")
    expect(page.get_by_test_id("activation")).to_have_value("relu")
    expect(page.get_by_test_id("learning-rate")).to_have_value("0.01")
    expect(page.get_by_test_id("regularization")).to_have_value("L2")
    expect(page.get_by_test_id("regularization-rate")).to_have_value("0.003")
    expect(page.get_by_test_id("batch-size")).to_have_value("17")
    expect(page.get_by_test_id("noise")).to_have_value("15")
    expect(page.get_by_test_id("train-ratio")).to_have_value("70")
    expect(page.get_by_test_id("show-test-data")).to_be_checked()
    expect(page.get_by_test_id("discretize")).not_to_be_checked()
    # The spiral's first layer gets one link per active input: 6 × 6.
    expect(page.locator('[data-testid^="weight-0-"]')).to_have_count(36)
    # A link pasted into the address bar of the open page applies too.
    page.evaluate("location.hash = '#dataset=xor&networkShape=2&learningRate=0.3'")
    expect(page.get_by_test_id("dataset-xor")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("layer-count")).to_have_text("1")
    expect(page.get_by_test_id("learning-rate")).to_have_value("0.3")


def test_tf_playground_regression_link(open_page):
    page = open_page(TF_REGRESSION_LINK)
    expect(page.get_by_test_id("problem")).to_have_value("regression")
    expect(page.get_by_test_id("dataset-multi-gauss")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("dataset-circle")).to_be_hidden()
    expect(page.get_by_test_id("noise")).to_have_value("5")
    expect(page.get_by_test_id("train-ratio")).to_have_value("60")
    expect(page.get_by_test_id("layer-units-1")).to_have_text(re.compile(r"^2\b"))
    expect(page.get_by_test_id("test-accuracy")).to_be_hidden()
    # Switching the problem type picks a dataset of that type.
    page.get_by_test_id("problem").select_option("classification")
    expect(page.get_by_test_id("dataset-circle")).to_have_attribute("aria-pressed", "true")


def test_bad_value_in_link_is_explained_next_to_its_control(open_page, server_url, page):
    page.goto(f"{server_url}/#batchSize=0")
    error = page.locator('.slot[data-field="training.batch_size"]').get_by_test_id("error-training.batch_size")
    expect(error).to_be_visible(timeout=TIMEOUT)
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("Batch size")          # the control's label, not the spec path
    expect(error).not_to_contain_text("batch_size")
    expect(error).to_contain_text("1")


def test_typed_out_of_range_value_is_explained_then_cleared(open_page):
    page = open_page()
    box = page.get_by_test_id("batch-size")
    box.fill("5000")
    box.press("Enter")
    error = page.locator('.slot[data-field="training.batch_size"]').get_by_test_id("error-training.batch_size")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Batch size")
    expect(error).to_contain_text("1000")
    expect(box).to_have_attribute("aria-invalid", "true")
    box.fill("20")
    box.press("Enter")
    expect(error).to_have_count(0)
    expect(box).to_have_value("20")
    expect(page).to_have_url(re.compile(r"batchSize=20"))


def wait_for_picture(page, want: str, same: bool) -> None:
    """Wait until the output map's pixel hash equals (or differs from) `want`."""
    page.get_by_test_id("output-canvas").evaluate(
        "(el, [want, same]) => new Promise((resolve, reject) => {"
        f" const hash = {PIXEL_HASH};"
        " const started = performance.now();"
        " const check = () => (hash(el) === want) === same ? resolve(true)"
        f"   : performance.now() - started > {TIMEOUT} ? reject(new Error('picture after reset'))"
        "   : requestAnimationFrame(check);"
        " check(); })",
        [want, same],
    )


def test_step_step_batch_and_reset(open_page):
    page = open_page("#dataset=xor&networkShape=4,2&seed=1")
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    start = pixels(page)
    page.get_by_test_id("step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    page.wait_for_function(CHART_POINTS + " === 1", timeout=TIMEOUT)
    steps = number(page, "step-count")
    assert steps > 0
    page.get_by_test_id("step-batch").click()
    wait_for_number(page, "step-count", f"n === {steps + 1}")
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    assert pixels(page) != start
    # Reset, as TF Playground's: new starting weights from the next seed, written in the link.
    page.get_by_test_id("reset").click()
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    expect(page.get_by_test_id("step-count")).to_have_text("0")
    page.wait_for_function(CHART_POINTS + " === 0", timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"trainSeed=\d+"))
    wait_for_picture(page, start, same=False)


def test_reset_with_same_start_repeats_the_starting_weights(open_page):
    page = open_page("#dataset=xor&networkShape=4,2&seed=1&sameStart=true")
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    start = pixels(page)
    page.get_by_test_id("step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    page.get_by_test_id("reset").click()
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    wait_for_picture(page, start, same=True)


def test_hide_keys_and_hide_text(open_page):
    page = open_page("#learningRate_hide=true&noise_hide=true&cosX_hide=true&hideText=true")
    expect(page.get_by_test_id("learning-rate")).to_be_hidden()
    expect(page.get_by_test_id("noise")).to_be_hidden()
    expect(page.get_by_test_id("feature-cosx1")).to_be_hidden()
    expect(page.get_by_role("heading", name="NN Playground")).to_be_hidden()
    expect(page.get_by_test_id("activation")).to_be_visible()
    expect(page.get_by_test_id("feature-x1")).to_be_visible()
    # The classroom checklist shows what is hidden and edits the link.
    page.get_by_text("Classroom link").click()
    expect(page.get_by_test_id("hide-learningRate")).to_be_checked()
    page.get_by_test_id("hide-learningRate").uncheck()
    expect(page.get_by_test_id("learning-rate")).to_be_visible()
    page.get_by_test_id("hide-batchSize").check()
    expect(page.get_by_test_id("batch-size")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"batchSize_hide=true"))
    expect(page.get_by_test_id("classroom-url")).to_have_value(re.compile(r"batchSize_hide=true"))


def test_weight_tooltip_edit_and_neuron_focus(open_page):
    page = open_page("#dataset=circle&networkShape=4,2")
    link = page.get_by_test_id("weight-0-1-0")     # X₁ (row 1) to neuron 2 (row 2): not a flat line
    link.hover()
    tooltip = page.get_by_test_id("tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Weight")
    link.click()
    editor = page.get_by_test_id("value-editor-input")
    expect(editor).to_be_focused()
    editor.fill("-2.5")
    editor.press("Enter")
    link.hover()
    expect(tooltip).to_have_text("Weight: -2.5")
    page.get_by_test_id("bias-0-1").hover()
    expect(tooltip).to_contain_text("Bias")

    output = pixels(page)
    page.get_by_test_id("neuron-0-0").hover()
    expect(page.get_by_test_id("focus-caption")).to_be_visible()
    page.wait_for_function(
        f"(want) => ({PIXEL_HASH})(document.querySelector('[data-testid=output-canvas]')) !== want",
        arg=output, timeout=TIMEOUT)
    page.get_by_test_id("epoch").hover()
    expect(page.get_by_test_id("focus-caption")).to_be_hidden()


SCREENS = [
    ("spiral", TF_LINK.replace("showTestData=true", "showTestData=true").replace("learningRate=0.01", "learningRate=0.03"), 150),
    ("classes", "#dataset=gauss&networkShape=6,4&activation=tanh", 40),
    ("sine", "#problem=regression&regDataset=sine&networkShape=8,8&x=true&y=false", 60),
]


@pytest.mark.parametrize("viewport", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
@pytest.mark.parametrize("name,link,epochs", SCREENS, ids=[s[0] for s in SCREENS])
def test_screenshots(open_page, viewport, name, link, epochs):
    width, height = viewport
    page = open_page(link, viewport={"width": width, "height": height})
    if name == "classes":
        page.get_by_test_id("classes").select_option("4")
        expect(page.get_by_test_id("legend").get_by_role("listitem")).to_have_count(4)
    train_until(page, f"n >= {epochs}")
    screenshot(page, f"{name}-{width}x{height}", ["play", "output-canvas", "test-loss", "loss-chart"])


def test_every_control_has_a_name_and_a_testid(open_page, unnamed_controls):
    page = open_page("#networkShape=3,2&x=true&y=true&sinX=true")
    assert unnamed_controls(page) == []


def test_regenerate_draws_new_data_and_updates_the_link(open_page):
    page = open_page("#dataset=gauss&noise=30")
    before_url = page.url
    before = pixels(page)
    page.get_by_test_id("regenerate").click()
    page.wait_for_function("(url) => location.href !== url", arg=before_url, timeout=TIMEOUT)
    page.wait_for_function(
        f"(want) => ({PIXEL_HASH})(document.querySelector('[data-testid=output-canvas]')) !== want",
        arg=before, timeout=TIMEOUT)
    # A later change keeps the regenerated data: the link keeps its new seed.
    seed = re.search(r"seed=([^&]+)", page.url).group(1)
    page.get_by_test_id("learning-rate").select_option("0.1")
    expect(page).to_have_url(re.compile(rf"learningRate=0\.1.*seed={re.escape(seed)}|seed={re.escape(seed)}.*learningRate=0\.1"))
