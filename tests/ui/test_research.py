"""A researcher's page: MNIST opened by a click (files with fewer images than the old default),
the held-out split stated, the learning-rate schedule drawn beside its control and marked on
the loss chart, the test report and warnings, export from a saved page."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from uikit import MNIST_TEST, MNIST_TRAIN, SAVED_TIMEOUT, SHOTS, TIMEOUT, TRAIN_TIMEOUT, choose, open_elsewhere, pause, play, save


def open_at(page, url: str, hash_: str = ""):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/{hash_}")
    page.wait_for_selector('body[data-ready="true"]', timeout=30_000)
    page.wait_for_function("document.body.dataset.frames > 0", timeout=30_000)
    return errors


def test_mnist_opens_by_click_on_its_own_split(page, mnist_server_url):
    errors = open_at(page, mnist_server_url)
    page.get_by_test_id("more-settings-toggle").click()
    page.get_by_test_id("samples").fill("1500")           # Circle's samples, before MNIST
    page.get_by_test_id("samples").dispatch_event("change")
    choose(page, "mnist")
    expect(page.get_by_test_id("dataset-name")).to_have_text("MNIST", timeout=TIMEOUT)
    expect(page.get_by_test_id("split-text")).to_contain_text(
        f"{MNIST_TRAIN:,} train from the train files, {MNIST_TEST:,} test from the t10k files",
        timeout=TRAIN_TIMEOUT)
    expect(page.locator('[role="alert"]')).to_have_count(0)
    # MNIST keeps its files' split: the train/test ratio does not apply to it.
    ratio_slot = page.locator('.slot[data-field="data.train_ratio"]')
    expect(ratio_slot).to_have_class(re.compile("not-applicable"))
    # Fewer samples take a stratified subset; more than the files hold is named, not a 500.
    page.get_by_test_id("samples").fill("600")
    page.get_by_test_id("samples").dispatch_event("change")
    expect(page.get_by_test_id("split-text")).to_contain_text("480 train", timeout=TRAIN_TIMEOUT)
    page.get_by_test_id("samples").fill("5000")
    page.get_by_test_id("samples").dispatch_event("change")
    alert = page.get_by_test_id("error-data.samples")
    expect(alert).to_contain_text("is above the 1,200 examples MNIST holds here", timeout=TIMEOUT)
    expect(page.locator('[role="alert"]', has_text="internal server error")).to_have_count(0)
    assert not errors


def test_schedule_curve_marks_and_report(page, server_url):
    errors = open_at(page, server_url, "#dataset=spiral&networkShape=8,8&schedule=cosine"
                                       "&scheduleEpochs=40&warmup=5&learningRate=0.1")
    figure = page.get_by_test_id("schedule-figure")
    expect(figure).to_be_visible()
    expect(page.get_by_test_id("schedule-caption")).to_contain_text("40 epochs")
    marks = page.evaluate("""() => document.querySelector('[data-testid="loss-chart"]').drawn.marks""")
    assert sorted(marks) == [5, 40]
    expect(page.get_by_test_id("split-text")).to_contain_text("Random split: 250 train")
    play(page)
    page.wait_for_function("Number(document.querySelector('[data-testid=epoch]').textContent) >= 30",
                           timeout=TRAIN_TIMEOUT)
    pause(page)
    expect(page.get_by_test_id("report-summary")).to_contain_text("Test macro F1")
    page.set_viewport_size({"width": 1500, "height": 950})
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "playground-schedule.png"), full_page=False)
    # Back to a constant rate: the curve and the marks go.
    page.get_by_test_id("more-settings-toggle").click()
    page.locator('select[data-path="training.schedule"]').select_option("constant")
    expect(page.get_by_test_id("schedule-caption")).to_contain_text("5 epochs")   # warm-up only
    page.locator('input[data-path="training.warmup"]').fill("0")
    page.locator('input[data-path="training.warmup"]').dispatch_event("change")
    expect(figure).to_be_hidden(timeout=TIMEOUT)
    assert not errors


def test_a_saved_page_exports_its_model(page, server_url, browser, tmp_path):
    errors = open_at(page, server_url, "#dataset=xor&networkShape=3")
    page.get_by_test_id("step").click()
    url = save(page, "xor export")
    context, saved, saved_errors = open_elsewhere(browser, url, SAVED_TIMEOUT)
    try:
        button = saved.get_by_test_id("export")
        expect(button).to_be_enabled(timeout=TIMEOUT)
        with saved.expect_download(timeout=SAVED_TIMEOUT) as download:
            button.click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        assert path.stat().st_size > 0 and path.name.endswith("epoch1.zip")
        assert not saved_errors
    finally:
        context.close()
    assert not errors


OVERFITTING = ("#dataset=spiral&samples=100&noise=30&percTrainData=30&networkShape=8,8,8,8"
               "&activation=relu&optimizer=adam&learningRate=0.03&loss=cross_entropy"
               "&schedule=cosine&scheduleEpochs=150&warmup=5")


def test_warnings_show_an_overconfident_overfitting_net(page, server_url):
    """30 training points, four layers, Adam: from epoch 25 on the net is sure and wrong on
    some test points (the engine's run is deterministic), and the page says so."""
    page.set_viewport_size({"width": 1500, "height": 950})
    errors = open_at(page, server_url, OVERFITTING)
    play(page)
    page.wait_for_function("Number(document.querySelector('[data-testid=epoch]').textContent) >= 40",
                           timeout=TRAIN_TIMEOUT)
    pause(page)
    warnings = page.get_by_test_id("warnings")
    expect(warnings).to_be_visible(timeout=TIMEOUT)
    expect(warnings.locator('[data-kind="confident"]')).to_contain_text("99% confidence or more")
    expect(page.get_by_test_id("split-text")).to_contain_text("30 train · 70 test")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "playground-warnings.png"))
    assert not errors
