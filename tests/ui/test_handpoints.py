"""Points placed by hand on the 2-D playground: click, shift-click, drag, right-click and clear,
and the decision boundary follows while the net keeps training. Waits on conditions only."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from engine.data.tabular import load_iris
from uikit import SHOTS, TIMEOUT, TRAIN_TIMEOUT, choose, play

pytestmark = pytest.mark.ui

# Plane coordinates -> canvas CSS pixels, from the plane's box the output view publishes.
TO_PIXEL = """([x, y]) => {
  const canvas = document.querySelector('[data-testid="output-canvas"]');
  const [left, top, size] = canvas.dataset.plane.split(",").map(Number);
  return [left + ((x + 6) / 12) * size, top + ((6 - y) / 12) * size];
}"""
# The sign of the output map at plane point (x, y): +1 where it shows class 2's blue, -1 where
# class 1's orange (blue minus red of the pixel), 0 before anything is drawn.
SIDE = """([x, y]) => {
  const canvas = document.querySelector('[data-testid="output-canvas"]');
  const [left, top, size] = canvas.dataset.plane.split(",").map(Number);
  const r = window.devicePixelRatio || 1;
  const px = Math.round((left + ((x + 6) / 12) * size) * r), py = Math.round((top + ((6 - y) / 12) * size) * r);
  const d = canvas.getContext("2d").getImageData(px, py, 1, 1).data;
  return Math.sign(d[2] - d[0]);
}"""
LEFT = [(-4, 3), (-4, -3), (-3, 0), (-5, 1)]
RIGHT = [(4, 3), (4, -3), (3, 0), (5, -1)]


def shoot(page: Page, name: str) -> None:
    """The output column from its top to the point editor's last line (for the README)."""
    SHOTS.mkdir(exist_ok=True)
    column, bottom = page.evaluate("""() => {
      const c = document.querySelector(".column-output").getBoundingClientRect();
      const e = document.querySelector('[data-testid="point-editor"]').getBoundingClientRect();
      return [{x: c.x + scrollX, y: c.y + scrollY, width: c.width}, e.bottom + scrollY + 8];
    }""")
    page.screenshot(path=str(SHOTS / name), full_page=True, clip={
        "x": column["x"], "y": column["y"], "width": column["width"],
        "height": bottom - column["y"]})


def click_at(page: Page, x: float, y: float, **kw) -> None:
    px, py = page.evaluate(TO_PIXEL, [x, y])
    page.get_by_test_id("output-canvas").click(position={"x": px, "y": py}, **kw)


def wait_side(page: Page, x: float, y: float, sign: int) -> None:
    page.wait_for_function(f"({SIDE})([{x}, {y}]) === {sign}", timeout=TRAIN_TIMEOUT)


def place(page: Page, first, second) -> None:
    """Class 1 at `first` (plain clicks), class 2 at `second` (shift-clicks)."""
    for x, y in first:
        click_at(page, x, y)
    for x, y in second:
        click_at(page, x, y, modifiers=["Shift"])


def test_points_placed_by_clicking_train_and_the_boundary_follows_them(open_page):
    page = open_page("#learningRate=0.3")     # quick to learn, even on a busy machine
    choose(page, "hand")
    editor = page.get_by_test_id("point-editor")
    expect(editor).to_be_visible()
    page.get_by_test_id("point-clear").click()
    expect(page.get_by_test_id("point-count")).to_have_text(re.compile(r"^0 points"))
    expect(page.get_by_test_id("point-hint")).to_contain_text("at least 2 points")
    place(page, LEFT, RIGHT)
    expect(page.get_by_test_id("point-count")).to_have_text(re.compile(r"^8 points"))
    expect(page.get_by_test_id("point-hint")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"points=-4,3,0;"), timeout=TIMEOUT)
    play(page)
    wait_side(page, -4, 0, -1)          # class 1 (orange) on the left
    wait_side(page, 4, 0, 1)            # class 2 (blue) on the right
    shoot(page, "handpoints.png")
    # Swap the sides without stopping: the same network learns the new points.
    page.get_by_test_id("point-clear").click()
    place(page, RIGHT, LEFT)
    expect(page.get_by_test_id("play")).to_have_attribute("data-state", "playing")
    wait_side(page, -4, 0, 1)
    wait_side(page, 4, 0, -1)


def test_drag_moves_a_point_and_right_click_or_the_eraser_removes_one(open_page):
    page = open_page("#dataset=hand&points=-3,-3,0;3,3,1;-3,3,0")
    expect(page.get_by_test_id("point-count")).to_have_text(re.compile(r"^3 points"))
    start = page.evaluate(TO_PIXEL, [-3, -3])
    end = page.evaluate(TO_PIXEL, [-1, -2])
    page.get_by_test_id("output-canvas").scroll_into_view_if_needed()   # mouse moves do not scroll
    canvas = page.get_by_test_id("output-canvas").bounding_box()
    page.mouse.move(canvas["x"] + start[0], canvas["y"] + start[1])
    page.mouse.down()
    page.mouse.move(canvas["x"] + end[0], canvas["y"] + end[1], steps=5)
    page.mouse.up()
    expect(page).to_have_url(re.compile(r"points=-1,-2,0;3,3,1;-3,3,0"), timeout=TIMEOUT)
    click_at(page, 3, 3, button="right")
    expect(page.get_by_test_id("point-count")).to_have_text(re.compile(r"^2 points"))
    expect(page).to_have_url(re.compile(r"points=-1,-2,0;-3,3,0(&|$)"), timeout=TIMEOUT)
    page.get_by_test_id("point-eraser").click()
    click_at(page, -3, 3)
    expect(page.get_by_test_id("point-count")).to_have_text(re.compile(r"^1 point "))
    expect(page.get_by_test_id("point-hint")).to_contain_text("at least 2 points")


def test_values_take_the_value_box_and_other_sets_hide_the_editor(open_page):
    page = open_page("#problem=regression&regDataset=hand-values")
    expect(page.get_by_test_id("point-value")).to_be_visible()
    page.get_by_test_id("point-value").fill("0.5")
    click_at(page, 1, 1)
    expect(page).to_have_url(re.compile(r"points=.*;1,1,0\.5(&|$)"), timeout=TIMEOUT)
    click_at(page, -1, -1, modifiers=["Shift"])
    expect(page).to_have_url(re.compile(r";-1,-1,-0\.5(&|$)"), timeout=TIMEOUT)
    # Your points use every point placed: no sample count, no generated noise to set.
    expect(page.get_by_test_id("noise")).to_be_hidden()
    expect(page.get_by_test_id("samples")).to_be_hidden()
    choose(page, "plane")
    expect(page.get_by_test_id("point-editor")).to_be_hidden()
    expect(page.get_by_test_id("noise")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"points="))
    choose(page, "hand-values")         # its points are remembered
    expect(page).to_have_url(re.compile(r";-1,-1,-0\.5(&|$)"), timeout=TIMEOUT)


def test_a_csv_chosen_with_the_file_chooser_becomes_the_points(open_page, tmp_path):
    page = open_page()
    choose(page, "hand")
    rows = ["length,width,kind"] + [f"{1 + i % 5},{2 + i // 5},{'big' if i % 5 > 2 else 'small'}"
                                    for i in range(20)]
    good = tmp_path / "sizes.csv"
    good.write_text("\n".join(rows) + "\n")
    with page.expect_file_chooser() as chooser:
        page.get_by_text("Load points from a CSV file").click()
    chooser.value.set_files(str(good))
    status = page.get_by_test_id("points-csv-status")
    expect(status).to_contain_text("sizes.csv: 20 points")
    expect(status).to_contain_text("class 1 = big, class 2 = small")
    expect(page.get_by_test_id("point-count")).to_have_text(re.compile(r"^20 points"))
    expect(page.get_by_test_id("points-csv-label")).to_have_value("kind")
    page.get_by_test_id("points-csv-x2").select_option("kind")
    expect(status).to_have_attribute("data-state", "error")
    expect(status).to_contain_text("x1, x2 and the label must be three different columns")
    bad = tmp_path / "short.csv"
    bad.write_text("a,b,c\n1,2,x\n3,4\n")
    page.get_by_test_id("points-csv-file").set_input_files(str(bad))
    expect(status).to_contain_text("short.csv: row 3: has 2 columns; the first row has 3")
    expect(page.get_by_test_id("point-count")).to_have_text(re.compile(r"^20 points"))


def test_iris_petals_from_a_csv_train_with_three_classes(open_page, tmp_path):
    X, y = load_iris()
    names = ("setosa", "versicolor", "virginica")
    csv = tmp_path / "iris-petals.csv"
    csv.write_text("petal_length,petal_width,species\n" + "".join(
        f"{a:.1f},{b:.1f},{names[c]}\n" for a, b, c in zip(X[:, 2], X[:, 3], y)))
    page = open_page("", viewport={"width": 1366, "height": 1000})
    choose(page, "hand")
    page.get_by_test_id("points-csv-file").set_input_files(str(csv))
    status = page.get_by_test_id("points-csv-status")
    expect(status).to_contain_text("iris-petals.csv: 150 points")
    expect(status).to_contain_text("class 1 = setosa, class 2 = versicolor, class 3 = virginica")
    expect(page.get_by_test_id("classes")).to_have_value("3")
    play(page)
    # The wait is the check (it fails on timeout): training goes on, so a later read may show
    # a frame that dipped below again.
    page.wait_for_function(
        "parseFloat(document.querySelector('[data-testid=test-accuracy]').textContent) >= 90",
        timeout=TRAIN_TIMEOUT)
    shoot(page, "handpoints-csv.png")
