"""Helpers for the Playwright UI tests: paths, timeouts, canvas snippets, play / pause and reading
the numbers a page shows.

A plain module (tests/ui has no __init__.py): the test files import it as `from uikit import ...`.
"""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"
# How long a page may take to show what a click or a frame changes.
TIMEOUT = 15_000
# Saving, opening /e/<id> in a fresh context and continuing there take longer than TIMEOUT.
SAVED_TIMEOUT = 30_000
# How long a digits / sequence model may train before it reaches what a test waits for.
TRAIN_TIMEOUT = 90_000
# Every test context but test_csp.py's skips the Content-Security-Policy (see conftest.py).
CONTEXT_ARGS = {"bypass_csp": True}

# MNIST files the UI tests write (conftest's mnist_server_url): fewer images than the 10,000 the
# old default asked for, which made the MNIST tile answer "internal server error".
MNIST_TRAIN, MNIST_TEST = 960, 240

# A hash of every pixel of a canvas: equal pictures give equal hashes.
PIXEL_HASH = """(el) => {
  const data = el.getContext("2d").getImageData(0, 0, el.width, el.height).data;
  let h = 2166136261;
  for (let i = 0; i < data.length; i++) { h ^= data[i]; h = Math.imul(h, 16777619) >>> 0; }
  return h;
}"""
# How many different opaque colours a canvas shows (a blank one shows at most one).
COLOURS = """(el) => {
  const data = el.getContext("2d").getImageData(0, 0, el.width, el.height).data;
  const seen = new Set();
  for (let i = 0; i < data.length; i += 4) if (data[i + 3]) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  return seen.size;
}"""


def off_screen(page: Page, testids: list[str]) -> list[str]:
    """The elements not wholly inside the viewport (or not visible at all)."""
    size = page.viewport_size
    out = []
    for testid in testids:
        element = page.get_by_test_id(testid)
        box = element.bounding_box() if element.is_visible() else None
        if box is None or box["x"] < 0 or box["y"] < 0 or box["x"] + box["width"] > size["width"] + 0.5 \
                or box["y"] + box["height"] > size["height"] + 0.5:
            out.append(f"{testid}: {box}")
    return out


def screenshot(page: Page, name: str, on_screen: list[str]) -> None:
    """A full-page screenshot for people to look at (screenshots/NAME.png), of a page that fits
    its width (no sideways scrolling) and shows `on_screen` whole, at once, where it is scrolled
    to (the top, unless the test scrolled)."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
        "the page scrolls sideways"
    missing = off_screen(page, on_screen)
    assert not missing, f"not on screen: {missing}"


def play(page: Page) -> None:
    page.get_by_test_id("play").click()
    expect(page.get_by_test_id("play")).to_have_attribute("data-state", "playing")


def pause(page: Page) -> None:
    page.get_by_test_id("play").click()
    expect(page.get_by_test_id("play")).to_have_attribute("data-state", "paused")


def number(page: Page, testid: str) -> float:
    """The number shown in [data-testid] (a trailing % dropped); NaN when it shows none."""
    text = page.get_by_test_id(testid).text_content() or ""
    try:
        return float(text.replace("%", ""))
    except ValueError:
        return float("nan")


def choose(page: Page, dataset: str) -> None:
    """Click the dataset's button and wait until it shows as the chosen one (the server builds
    the new session first: on a loaded machine that can take longer than expect's default).
    Image, table and sequence sets sit in a folded group: open it first, as a person would."""
    button = page.get_by_test_id(f"dataset-{dataset}")
    if not button.is_visible() and not page.get_by_test_id("more-datasets").evaluate("d => d.open"):
        page.get_by_test_id("more-datasets-toggle").click()
    button.click()
    expect(page.get_by_test_id(f"dataset-{dataset}")).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)


def open_elsewhere(browser, url: str, timeout: int, viewport=None):
    """Open `url` in a NEW browser context (another person: their own cookies) and wait for its
    first drawn frame. Returns (context, page, errors): the page's JavaScript errors so far."""
    context = browser.new_context(viewport=viewport or {"width": 1366, "height": 768},
                                  **CONTEXT_ARGS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_selector('body[data-ready="true"]', timeout=timeout)
    page.wait_for_function("document.body.dataset.frames > 0", timeout=timeout)
    return context, page, errors


def save(page: Page, title: str, description: str = "") -> str:
    """Save the session from the page's Save form; the share URL it shows."""
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("save-form")).to_be_visible()
    page.get_by_test_id("save-title").fill(title)
    page.get_by_test_id("save-description").fill(description)
    page.get_by_test_id("save-submit").click()
    url = page.get_by_test_id("share-url")
    expect(url).to_have_value(re.compile(r"^http://[^/]+/e/[A-Za-z0-9_-]{22}$"), timeout=SAVED_TIMEOUT)
    expect(page.get_by_test_id("share-copy")).to_be_visible()
    return url.input_value()


def lesson_page(open_page, slug: str, viewport=None, presenter: bool = False) -> Page:
    """A lesson's page, in presenter mode when asked (pressing P, as a teacher does)."""
    page = open_page(f"lessons/{slug}", viewport=viewport)
    if presenter:
        page.keyboard.press("p")
        expect(page.locator("body")).to_have_class(re.compile(r"\bpresenter\b"))
    return page


def walk_lesson_steps(page: Page, count: int, check=None) -> None:
    """"What to try" shows one step, "k of n": › walks through all `count` in order (`check(n)`
    at each), is disabled at the last, and ‹ goes back one."""
    for n in range(count):
        expect(page.get_by_test_id("lesson-step")).to_have_text(f"{n + 1} of {count}")
        if check:
            check(n)
        if n + 1 < count:
            page.get_by_test_id("lesson-step-next").click()
    expect(page.get_by_test_id("lesson-step-next")).to_be_disabled()
    if count > 1:
        page.get_by_test_id("lesson-step-previous").click()
        expect(page.get_by_test_id("lesson-step")).to_have_text(f"{count - 1} of {count}")

