"""Lessons in the browser: the index lists all sixteen, a lesson opens its experiment with its
explanation and trains, every lesson URL opens cleanly, variant links and "Hide lesson" work."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from uikit import PIXEL_HASH, SHOTS, TIMEOUT, pause, play, walk_lesson_steps

from server.pages.lesson_catalog import lessons


pytestmark = pytest.mark.ui

LESSONS = lessons()
CHART_POINTS = "document.querySelector('[data-testid=loss-chart]').drawn.epochs.length"


def pixels(page: Page) -> int:
    return page.get_by_test_id("output-canvas").evaluate(PIXEL_HASH)


def expect_no_errors_shown(page: Page) -> None:
    expect(page.locator(".field-error")).to_have_count(0)      # every error the page shows is one
    message = page.get_by_test_id("message")
    if message.is_visible():
        assert message.get_attribute("data-state") not in ("error", "diverged", "disconnected")


def test_index_lists_every_lesson_and_one_opens_with_its_text_and_trains(page, server_url):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{server_url}/lessons")
    cards = page.get_by_test_id("lesson-list").get_by_role("listitem")
    expect(cards).to_have_count(len(LESSONS))
    for item in LESSONS:
        expect(page.get_by_test_id(f"lesson-link-{item.slug}")).to_have_text(item.title)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "lessons.png"), full_page=True)

    xor = next(item for item in LESSONS if item.slug == "xor")
    page.get_by_test_id("lesson-link-xor").click()
    expect(page).to_have_url(re.compile(r"/lessons/xor#.*dataset=xor"))
    page.wait_for_selector('body[data-ready="true"]', timeout=TIMEOUT)
    page.wait_for_function("document.body.dataset.frames > 0", timeout=TIMEOUT)
    expect(page.get_by_test_id("lesson-title")).to_have_text(xor.title)
    expect(page.get_by_test_id("lesson-text")).to_have_text(xor.text)
    expect_steps_one_at_a_time(page, xor.tries)
    expect(page.get_by_test_id("layer-count")).to_have_text("0")          # the lesson's spec
    expect(page.get_by_test_id("network")).to_be_visible()
    before = pixels(page)

    play(page)
    page.wait_for_function("parseInt(document.querySelector('[data-testid=epoch]').textContent) >= 5",
                           timeout=TIMEOUT)
    pause(page)
    page.wait_for_function(CHART_POINTS + " > 0", timeout=TIMEOUT)
    assert pixels(page) != before
    expect_no_errors_shown(page)
    page.screenshot(path=str(SHOTS / "lesson.png"), full_page=True)
    assert not errors, errors


def expect_steps_one_at_a_time(page, tries) -> None:
    """"What to try" shows one step at a time, and › walks through every one of them in order."""
    steps = page.get_by_test_id("lesson-tries").get_by_role("listitem")
    walk_lesson_steps(page, len(tries), lambda n: expect(steps).to_have_count(1))


@pytest.mark.parametrize("item", LESSONS, ids=[item.slug for item in LESSONS])
def test_every_lesson_url_opens_with_its_title_and_spec(open_page, item):
    page = open_page(f"lessons/{item.slug}")
    expect(page.get_by_test_id("lesson-title")).to_have_text(item.title)
    expect_steps_one_at_a_time(page, item.tries)
    # The address bar holds the lesson's own hash: the session opened exactly that spec.
    lesson_hash = page.get_by_test_id("lesson").get_attribute("data-hash")
    assert page.evaluate("location.hash.slice(1)") == lesson_hash
    expect_no_errors_shown(page)


def test_variant_links_and_hiding_the_lesson(open_page):
    page = open_page("lessons/learning-rate")
    expect(page.get_by_test_id("learning-rate")).to_have_value("3")
    expect(page.get_by_test_id("lesson-variant-1")).to_have_attribute("aria-current", "true")
    page.get_by_test_id("lesson-variant-2").click()                       # "About right: 0.03"
    expect(page.get_by_test_id("learning-rate")).to_have_value("0.03")
    expect(page.get_by_test_id("lesson-variant-2")).to_have_attribute("aria-current", "true")
    expect(page.get_by_test_id("lesson-variant-1")).not_to_have_attribute("aria-current", "true")

    page.get_by_test_id("lesson-toggle").click()
    expect(page.get_by_test_id("lesson-text")).to_be_hidden()
    expect(page.get_by_test_id("lesson-title")).to_be_visible()
    expect(page.get_by_test_id("lesson-toggle")).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_test_id("lesson-toggle")).to_have_text("Show lesson")
    page.get_by_test_id("lesson-toggle").click()
    expect(page.get_by_test_id("lesson-text")).to_be_visible()

    page.get_by_test_id("lesson-next").click()
    expect(page).to_have_url(re.compile(r"/lessons/batch-size#"))
    expect(page.get_by_test_id("lesson-title")).to_have_text(LESSONS[4].title)


def test_unknown_lesson_lists_the_others(page, server_url):
    response = page.goto(f"{server_url}/lessons/no-such-lesson")
    assert response.status == 404
    expect(page.get_by_test_id("lesson-missing")).to_contain_text("no-such-lesson")
    expect(page.get_by_test_id("lesson-list").get_by_role("listitem")).to_have_count(len(LESSONS))
