"""Export and Quantise in the browser: the zip a teacher downloads and the int8 result card.

Driven through a real Chromium against a live server, selecting by data-testid and waiting
with Playwright's expect / expect_download (no sleeps). The zip is opened with zipfile.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from uikit import SHOTS

pytestmark = pytest.mark.ui

QUANTIZE_TIMEOUT = 60_000
ZIP_FILES = {"model.py", "weights.safetensors", "model.onnx", "spec.json", "history.csv"}
INT8_FILES = {"model_int8.pt", "model_int8.json"}
SIZE = r"\d+(\.\d)? (B|KB|MB)"
PERCENT = r"\d+\.\d%"


def step_epoch(page: Page, epoch: int = 1) -> None:
    page.get_by_test_id("step").click()
    expect(page.get_by_test_id("epoch")).to_have_text(str(epoch), timeout=QUANTIZE_TIMEOUT)


def export_names(page: Page, tmp_path: Path) -> set[str]:
    """Click Export, save what the browser downloads, and list the zip's file names."""
    with page.expect_download(timeout=QUANTIZE_TIMEOUT) as info:
        page.get_by_test_id("export").click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    expect(page.get_by_test_id("model-status")).to_contain_text(download.suggested_filename)
    expect(page.get_by_test_id("export")).to_be_enabled()
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return set(archive.namelist())


def quantize(page: Page):
    page.get_by_test_id("quantize").click()
    card = page.get_by_test_id("quantize-result")
    expect(card).to_be_visible(timeout=QUANTIZE_TIMEOUT)
    return card


def ratio(page: Page) -> int:
    text = page.get_by_test_id("quantize-ratio").text_content()
    return int(re.fullmatch(r"\((\d+)% of the float size\)", text.strip()).group(1))


def test_export_downloads_the_zip_on_the_2d_page(open_page, tmp_path):
    page = open_page()
    expect(page.get_by_test_id("export-contents")).to_contain_text("model.py")
    expect(page.get_by_test_id("export-contents")).not_to_contain_text("model_int8", use_inner_text=True)
    step_epoch(page)
    names = export_names(page, tmp_path)
    assert ZIP_FILES <= names
    assert not INT8_FILES & names


def test_quantise_digits_shows_smaller_int8_model_and_export_includes_it(open_page, tmp_path, unnamed_controls):
    page = open_page("#dataset=digits", viewport={"width": 1366, "height": 768})
    expect(page.get_by_test_id("layer-builder")).to_be_visible()
    step_epoch(page)
    card = quantize(page)
    expect(page.get_by_test_id("quantize-method")).to_have_text(re.compile(r"^int8, static, epoch 1$"))
    expect(page.get_by_test_id("quantize-size")).to_have_text(re.compile(rf"^\s*{SIZE} → {SIZE}\s+\(\d+% of the float size\)\s*$"))
    expect(page.get_by_test_id("quantize-quality")).to_have_text(
        re.compile(rf"^\s*{PERCENT} → {PERCENT}\s+\((within|moved by more than) ±2%\)\s*$"))
    expect(card).to_contain_text("Test accuracy")
    expect(card).to_contain_text("now included in Export")
    assert ratio(page) < 100                                # a conv net shrinks
    expect(page.get_by_test_id("quantize-bigger")).to_be_hidden()
    expect(page.get_by_test_id("export-contents")).to_contain_text("model_int8.pt", use_inner_text=True)
    assert unnamed_controls(page) == []
    SHOTS.mkdir(exist_ok=True)
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "quantize-digits-1366x768.png"))
    names = export_names(page, tmp_path)
    assert (ZIP_FILES | INT8_FILES) <= names


def test_2d_net_grows_and_reset_or_rebuild_clears_the_card(open_page):
    page = open_page("#dataset=xor&networkShape=4,2&seed=1")
    step_epoch(page)
    quantize(page)
    assert ratio(page) > 100                                # tiny nets get bigger: said so
    expect(page.get_by_test_id("quantize-bigger")).to_be_visible()
    # Training on after quantising: the card says its int8 model is the older one.
    step_epoch(page, 2)
    expect(page.get_by_test_id("quantize-stale")).to_contain_text("epoch 1")
    page.get_by_test_id("reset").click()
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    expect(page.get_by_test_id("quantize-result")).to_be_hidden()
    expect(page.get_by_test_id("export-contents")).not_to_contain_text("model_int8", use_inner_text=True)
    # A structural change rebuilds the net: the server drops the int8 copy, the card goes too.
    step_epoch(page)
    quantize(page)
    page.get_by_test_id("add-layer").click()
    expect(page.get_by_test_id("layer-count")).to_have_text("3")
    expect(page.get_by_test_id("quantize-result")).to_be_hidden()


def test_error_answer_is_shown_as_an_alert(open_page):
    page = open_page()
    page.route("**/quantize", lambda route: route.fulfill(
        status=422, json={"errors": [{"path": "", "message": "quantize: no int8 engine in this build"}]}))
    page.get_by_test_id("quantize").click()
    error = page.get_by_test_id("model-error")
    expect(error).to_have_text("Quantize: no int8 engine in this build")
    expect(error).to_have_attribute("role", "alert")
    expect(page.get_by_test_id("quantize-result")).to_be_hidden()
    expect(page.get_by_test_id("quantize")).to_be_enabled()
    page.route("**/export.zip", lambda route: route.fulfill(
        status=422, json={"errors": [{"path": "", "message": "export: ONNX could not trace this network"}]}))
    page.get_by_test_id("export").click()
    expect(error).to_have_text("Export: ONNX could not trace this network")
    expect(page.get_by_test_id("export")).to_be_enabled()
