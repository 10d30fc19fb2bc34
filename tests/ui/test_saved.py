"""Saved experiments in the browser: Save and its share link, the read-only page at /e/<id>
with its replay slider, and "Continue training" into a live session.

A real Chromium against a live server; the saved page is opened in a NEW browser context (as
someone else following the link would). Waits with Playwright's expect / wait_for_function.
"""
from __future__ import annotations


import pytest
from playwright.sync_api import expect
from uikit import COLOURS, CONTEXT_ARGS, PIXEL_HASH, SAVED_TIMEOUT, SHOTS, open_elsewhere, save

pytestmark = pytest.mark.ui

EPOCHS = 4
TITLE = "XOR <b>bold</b> & friends"
DESCRIPTION = "Two hidden layers.\n<script>alert(1)</script> stays text."
CANVAS = "document.querySelector('[data-testid=output-canvas]')"


def test_save_share_replay_and_continue(open_page, browser):
    page = open_page("#dataset=xor&networkShape=4,2&learningRate=0.3&seed=1")
    for epoch in range(1, EPOCHS + 1):
        page.get_by_test_id("step").click()
        expect(page.get_by_test_id("epoch")).to_have_text(str(epoch), timeout=SAVED_TIMEOUT)
    test_loss = page.get_by_test_id("test-loss").text_content()
    url = save(page, TITLE, DESCRIPTION)

    context, saved, errors = open_elsewhere(browser, url, SAVED_TIMEOUT)
    try:
        expect(saved.get_by_test_id("saved")).to_be_visible()
        expect(saved.get_by_test_id("saved-title")).to_have_text(TITLE)
        assert saved.locator("[data-testid=saved-title] b, [data-testid=saved-description] script").count() == 0
        expect(saved.get_by_test_id("saved-description")).to_contain_text("<script>alert(1)</script>")
        expect(saved.get_by_test_id("test-loss")).to_have_text(test_loss)
        expect(saved.get_by_test_id("epoch")).to_have_text(str(EPOCHS))
        expect(saved.get_by_test_id("loss-chart").locator("path[data-trace=train_loss][d^=M]")).to_be_attached()
        assert saved.evaluate("document.querySelector('[data-testid=loss-chart]').drawn.epochs.length") >= EPOCHS
        assert saved.get_by_test_id("output-canvas").evaluate(COLOURS) > 1, "the output map is blank"
        # Read-only: nothing that would change the experiment can be used.
        for testid in ("play", "step", "reset", "add-layer", "dataset-circle", "save"):
            expect(saved.get_by_test_id(testid)).to_be_disabled()
        for testid in ("export", "quantize"):      # they act on the saved model itself
            expect(saved.get_by_test_id(testid)).to_be_enabled()

        slider = saved.get_by_test_id("replay-slider")
        expect(slider).to_be_enabled()
        before = saved.get_by_test_id("output-canvas").evaluate(PIXEL_HASH)
        slider.fill("0")
        saved.wait_for_function(f"(want) => ({PIXEL_HASH})({CANVAS}) !== want", arg=before, timeout=SAVED_TIMEOUT)
        expect(saved.get_by_test_id("replay-epoch")).to_contain_text(f"of {EPOCHS}")
        slider.fill(slider.get_attribute("max"))
        saved.wait_for_function(f"(want) => ({PIXEL_HASH})({CANVAS}) === want", arg=before, timeout=SAVED_TIMEOUT)

        SHOTS.mkdir(exist_ok=True)
        saved.screenshot(path=str(SHOTS / "saved-experiment-1366x768.png"))

        saved.get_by_test_id("fork").click()
        expect(saved.get_by_test_id("saved")).to_be_hidden(timeout=SAVED_TIMEOUT)
        saved.wait_for_function("location.pathname === '/' && location.hash.length > 1", timeout=SAVED_TIMEOUT)
        expect(saved.get_by_test_id("play")).to_be_enabled()
        saved.get_by_test_id("play").click()
        saved.wait_for_function(
            f"Number(document.querySelector('[data-testid=epoch]').textContent) > {EPOCHS}", timeout=SAVED_TIMEOUT)
        saved.get_by_test_id("play").click()
        expect(saved.get_by_test_id("play")).to_have_attribute("data-state", "paused", timeout=SAVED_TIMEOUT)
        expect(saved.get_by_test_id("save")).to_be_enabled()
        # A reload reopens the forked session where it was, not a fresh one at epoch 0.
        epoch = saved.get_by_test_id("epoch").text_content()
        saved.reload()
        saved.wait_for_selector('body[data-ready="true"]', timeout=SAVED_TIMEOUT)
        saved.wait_for_function("document.body.dataset.frames > 0", timeout=SAVED_TIMEOUT)
        expect(saved.get_by_test_id("epoch")).to_have_text(epoch, timeout=SAVED_TIMEOUT)
        assert int(epoch) > EPOCHS
        assert not errors, "JavaScript errors on the saved page:\n" + "\n".join(errors)
    finally:
        context.close()


def test_save_errors_name_the_field(open_page):
    page = open_page()
    page.get_by_test_id("save").click()
    page.get_by_test_id("save-title").fill("x" * 10_000)
    page.get_by_test_id("save-submit").click()
    expect(page.get_by_test_id("save-error-title")).to_contain_text("200 allowed", timeout=SAVED_TIMEOUT)
    expect(page.get_by_test_id("save-title")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("share")).to_be_hidden()


def test_unknown_experiment_says_so(browser, server_url):
    context = browser.new_context(**CONTEXT_ARGS)
    try:
        page = context.new_page()
        response = page.goto(f"{server_url}/e/{'A' * 22}")
        assert response.status == 404
    finally:
        context.close()


def test_the_owner_deletes_a_saved_experiment_and_no_one_else_may(open_page, browser):
    page = open_page("#dataset=xor&networkShape=2&seed=3")
    page.get_by_test_id("step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("1", timeout=SAVED_TIMEOUT)
    url = save(page, "to delete")

    context, other, errors = open_elsewhere(browser, url, SAVED_TIMEOUT)
    try:
        expect(other.get_by_test_id("saved")).to_be_visible()
        expect(other.get_by_test_id("delete-experiment")).to_be_hidden()
        assert not errors, errors
    finally:
        context.close()

    page.goto(url)                       # the browser that saved it
    page.wait_for_selector('body[data-ready="true"]', timeout=SAVED_TIMEOUT)
    delete = page.get_by_test_id("delete-experiment")
    expect(delete).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    delete.click()
    expect(page.get_by_test_id("delete-status")).to_have_text("Deleted: this link no longer opens.",
                                                              timeout=SAVED_TIMEOUT)
    expect(page.get_by_test_id("fork")).to_be_disabled()
    assert page.request.get(url).status == 404
