"""Your own table and images in the browser: a CSV and a zip chosen with the file chooser, the
label column picked, per-class counts shown, refusals named beside the control, and the net
training on them (accuracy and chart, confusion matrix and gallery). Waits on conditions only."""
from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import Page, expect
from uikit import SHOTS, TIMEOUT, TRAIN_TIMEOUT, pause, play
from uploadkit import shapes_zip

pytestmark = pytest.mark.ui

def shoot(page: Page, name: str) -> None:
    """The page down to the upload controls' last line (for the README)."""
    SHOTS.mkdir(exist_ok=True)
    bottom = page.evaluate("""() => document.querySelector('[data-testid="uploads"]')
      .getBoundingClientRect().bottom + scrollY + 12""")
    page.screenshot(path=str(SHOTS / name), full_page=True,
                    clip={"x": 0, "y": 0, "width": page.viewport_size["width"], "height": bottom})


ACCURACY_ABOVE = ("(v) => parseFloat(document.querySelector('[data-testid=test-accuracy]')"
                  ".textContent) >= v")
CHART_HAS_POINTS = ("() => document.querySelector('[data-testid=accuracy-chart]').drawn"
                    ".epochs.length > 2")


def open_group(page: Page) -> None:
    if not page.get_by_test_id("more-datasets").evaluate("d => d.open"):
        page.get_by_test_id("more-datasets-toggle").click()


def flowers_csv(path) -> None:
    """Three species told apart by two sizes; the last text column (a batch code) is noise,
    so the label must be picked."""
    rng = np.random.default_rng(1)
    lines = ["species,petal,sepal,batch"]
    for i in range(90):
        k = i % 3
        petal, sepal = rng.normal([1 + 2 * k, 5 - k], 0.3)
        lines.append(f"{('small', 'medium', 'large')[k]},{petal:.2f},{sepal:.2f},b{rng.integers(3)}")
    path.write_text("\n".join(lines) + "\n")


def test_a_table_uploaded_with_its_label_picked_trains(open_page, tmp_path):
    page = open_page("", viewport={"width": 1366, "height": 900})
    open_group(page)
    expect(page.get_by_test_id("upload-table-caps")).to_contain_text("at most 10,000 rows, 50 columns")
    one_class = tmp_path / "one.csv"
    one_class.write_text("a,kind\n1,x\n2,x\n3,x\n")
    page.get_by_test_id("upload-table-file").set_input_files(str(one_class))
    status = page.get_by_test_id("upload-table-status")
    expect(status).to_contain_text("one.csv: column 'kind': every row has the label 'x'")
    expect(status).to_have_attribute("data-state", "error")

    csv = tmp_path / "flowers.csv"
    flowers_csv(csv)
    page.get_by_test_id("upload-table-file").set_input_files(str(csv))
    expect(status).to_contain_text("flowers.csv: 90 rows; label “batch”", timeout=TIMEOUT)
    label = page.get_by_test_id("upload-table-label")
    expect(label).to_have_value("batch")
    label.select_option("species")
    expect(status).to_contain_text("label “species”, 2 features (petal, sepal)", timeout=TIMEOUT)
    expect(page.get_by_test_id("dataset-name")).to_have_text("Your table")
    for name in ("large", "medium", "small"):
        expect(page.get_by_test_id(f"upload-count-{name}")).to_contain_text("30")
    expect(page.get_by_test_id("split-text")).to_contain_text("Stratified random split")
    expect(page).to_have_url(re.compile(r"dataset=upload-table.*upload=[0-9a-f]{32}"))
    play(page)
    page.wait_for_function(ACCURACY_ABOVE, arg=90, timeout=TRAIN_TIMEOUT)
    page.wait_for_function(CHART_HAS_POINTS, timeout=TIMEOUT)
    pause(page)
    shoot(page, "upload-table.png")


def test_a_zip_of_class_folders_shows_counts_and_trains_to_a_confusion_matrix(open_page, tmp_path):
    page = open_page("", viewport={"width": 1366, "height": 900})
    open_group(page)
    expect(page.get_by_test_id("upload-images-caps")).to_contain_text("one folder per class")
    bad = tmp_path / "escape.zip"
    bad.write_bytes(shapes_zip(2, extra={"../../etc/x.png": b"x"}))
    page.get_by_test_id("upload-images-file").set_input_files(str(bad))
    status = page.get_by_test_id("upload-images-status")
    expect(status).to_contain_text("escape.zip: ../../etc/x.png: a path that leaves the zip's folder")

    good = tmp_path / "shapes.zip"
    good.write_bytes(shapes_zip(20, extra={"__MACOSX/._circle0.png": b"junk"}))
    page.get_by_test_id("upload-images-size").select_option("16")
    page.get_by_test_id("upload-images-file").set_input_files(str(good))
    expect(status).to_contain_text("shapes.zip: 60 images at 16×16 grey. Skipped 1 hidden",
                                   timeout=TIMEOUT)
    for name in ("circle", "cross", "square"):
        expect(page.get_by_test_id(f"upload-count-{name}")).to_contain_text("20")
    expect(page.get_by_test_id("dataset-name")).to_have_text("Your images")
    expect(page.get_by_test_id("input-shape")).to_have_text("16×16×1")
    play(page)
    page.wait_for_function(ACCURACY_ABOVE, arg=80, timeout=TRAIN_TIMEOUT)
    pause(page)
    page.get_by_test_id("tab-confusion").click()
    expect(page.get_by_test_id("cm-cell-2-2")).to_be_visible()
    expect(page.get_by_test_id("image-panel")).to_contain_text("square")
    page.get_by_test_id("tab-gallery").click()
    expect(page.get_by_test_id("gallery-unsure-0")).to_contain_text("%")
    page.get_by_test_id("tab-confusion").click()
    shoot(page, "upload-images.png")
