"""Live rooms in two browsers: a teacher opens a room, a student joins by its link or by typing
its code and watches the teacher's training, cannot drive it, gets what the teacher sends, and
makes their own copy (which can host a room in turn); a mistyped or closed code says so.

Teacher and student are separate browser contexts (separate cookies: separate browsers)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from uikit import CONTEXT_ARGS, PIXEL_HASH, SHOTS, TIMEOUT, number, open_elsewhere, play

pytestmark = pytest.mark.ui
ROOM_TIMEOUT = 30_000


def epoch_above(page: Page, n: float) -> None:
    page.wait_for_function(
        f"parseFloat(document.querySelector('[data-testid=epoch]').textContent) > {n}",
        timeout=ROOM_TIMEOUT)


def open_room(page: Page) -> tuple[str, str]:
    expect(page.get_by_test_id("room-open")).to_have_text("Host a class")
    page.get_by_test_id("room-open").click()
    code = page.get_by_test_id("room-code")
    expect(code).to_have_text(re.compile(r"^[2-9A-Z]{6}$"), timeout=TIMEOUT)
    link = page.get_by_test_id("room-link").input_value()
    assert link.endswith(f"/r/{code.text_content()}")
    return code.text_content(), link


def test_a_student_watches_the_teacher_live_and_cannot_drive(open_page, browser):
    teacher = open_page("#dataset=xor&networkShape=4,2&learningRate=0.1&seed=3")
    code, link = open_room(teacher)
    context, student, errors = open_elsewhere(browser, link, ROOM_TIMEOUT)
    try:
        expect(student.get_by_test_id("room-code")).to_have_text(code)
        expect(teacher.get_by_test_id("room-viewers")).to_have_text("1 watching", timeout=TIMEOUT)
        expect(student.get_by_test_id("room-viewers")).to_have_text("1 watching", timeout=TIMEOUT)
        expect(student.get_by_test_id("dataset-xor")).to_have_attribute("aria-pressed", "true")
        before = student.get_by_test_id("output-canvas").evaluate(PIXEL_HASH)
        play(teacher)
        epoch_above(student, 5)                                  # the teacher's epochs, live
        student.wait_for_function(
            f"document.querySelector('[data-testid=output-canvas]') && "
            f"(({PIXEL_HASH})(document.querySelector('[data-testid=output-canvas]'))) !== {before}",
            timeout=ROOM_TIMEOUT)
        # The student's run controls are locked; the teacher keeps training regardless.
        expect(student.get_by_test_id("play")).to_be_disabled()
        expect(student.get_by_test_id("reset")).to_be_disabled()
        teacher_epoch = number(teacher, "epoch")
        epoch_above(teacher, teacher_epoch + 3)
        SHOTS.mkdir(exist_ok=True)
        teacher.screenshot(path=str(SHOTS / "room-teacher.png"))
        student.screenshot(path=str(SHOTS / "room-student.png"))
    finally:
        context.close()
    expect(teacher.get_by_test_id("room-viewers")).to_have_text("0 watching", timeout=TIMEOUT)
    assert not errors, errors


def test_a_pushed_spec_reaches_the_student_who_forks_their_own(open_page, browser):
    teacher = open_page("#dataset=circle&networkShape=3&seed=2")
    code, link = open_room(teacher)
    context, student, errors = open_elsewhere(browser, link, ROOM_TIMEOUT)
    try:
        teacher.get_by_test_id("dataset-spiral").click()
        expect(teacher.get_by_test_id("dataset-spiral")).to_have_attribute("aria-pressed", "true")
        teacher.get_by_test_id("room-push").click()
        expect(teacher.get_by_test_id("room-push-status")).to_have_text("Sent to 1 student")
        expect(student.get_by_test_id("room-suggested")).to_contain_text("spiral", timeout=TIMEOUT)
        expect(student.get_by_test_id("room-try")).to_have_attribute("href", re.compile(r"dataset=spiral"))
        # The student's own copy: a live session of theirs, with the teacher's network.
        student.get_by_test_id("room-fork").click()
        expect(student.get_by_test_id("play")).to_be_enabled(timeout=TIMEOUT)
        expect(student.get_by_test_id("room-banner")).to_have_count(0)
        expect(student.get_by_test_id("room-open")).to_be_visible()        # a copy can host a class
        play(student)
        epoch_above(student, 2)
        assert number(teacher, "epoch") == 0                     # the teacher's did not move
    finally:
        context.close()
    assert not errors, errors


def test_a_student_joins_by_typing_the_code(open_page, browser, server_url):
    teacher = open_page("#dataset=gauss&networkShape=3&seed=4")
    code, _ = open_room(teacher)
    # The strip's buttons look like the page's others, and say where students go.
    step_look = teacher.get_by_test_id("step-batch").evaluate(BUTTON_LOOK)
    for testid in ("room-copy", "room-close", "room-push"):
        assert teacher.get_by_test_id(testid).evaluate(BUTTON_LOOK)[:2] == step_look[:2], testid
    expect(teacher.get_by_test_id("room-panel")).to_contain_text("/join")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, **CONTEXT_ARGS)
    try:
        student = context.new_page()
        student.goto(f"{server_url}/")
        student.get_by_test_id("join-link").click()
        expect(student).to_have_url(f"{server_url}/join")
        student.get_by_test_id("join-code").fill(code.lower())     # as typed off the projector
        student.get_by_test_id("join-submit").click()
        expect(student).to_have_url(f"{server_url}/r/{code}")
        student.wait_for_selector('body[data-ready="true"]', timeout=ROOM_TIMEOUT)
        expect(student.get_by_test_id("room-code")).to_have_text(code)
        expect(student.get_by_test_id("room-state")).to_have_text("Live")
        expect(student.get_by_test_id("dataset-gauss")).to_have_attribute("aria-pressed", "true")
        expect(teacher.get_by_test_id("room-viewers")).to_have_text("1 watching", timeout=TIMEOUT)
        expect(student.get_by_test_id("room-open")).to_be_hidden()       # watching, not hosting
    finally:
        context.close()


BUTTON_LOOK = "(el) => { const s = getComputedStyle(el); return [s.borderTopWidth, s.borderRadius, s.fontWeight]; }"


def test_a_wrong_or_closed_code_gets_a_clear_page(open_page, browser, server_url):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, **CONTEXT_ARGS)
    try:
        student = context.new_page()
        for path in ("/r", "/room", "/join"):
            student.goto(f"{server_url}{path}")
            expect(student).to_have_url(f"{server_url}/join")
            expect(student.get_by_test_id("join-code")).to_be_visible()
        answer = student.goto(f"{server_url}/join?code=zz-zz zz")
        assert answer.status == 404
        expect(student.get_by_test_id("join-problem")).to_contain_text("No class is open with the code")
        expect(student.get_by_test_id("join-missing-code")).to_have_text("ZZZZZZ")
        expect(student.get_by_test_id("join-code")).to_have_value("ZZZZZZ")     # to correct it
        assert student.get_by_test_id("play").count() == 0                      # no playground
        answer = student.goto(f"{server_url}/r/ZZZZZZ")
        assert answer.status == 404
        expect(student.get_by_test_id("join-problem")).to_be_visible()
        # A room that closes while a student watches: the banner says so, once; the picture stays.
        teacher = open_page("#dataset=xor&networkShape=4&seed=5")
        code, link = open_room(teacher)
        student.goto(link)
        student.wait_for_function("document.body.dataset.frames > 0", timeout=ROOM_TIMEOUT)
        expect(student.get_by_test_id("room-state")).to_have_text("Live")
        teacher.get_by_test_id("room-close").click()
        expect(teacher.get_by_test_id("room-open")).to_be_visible()
        expect(student.get_by_test_id("room-state")).to_have_text("Closed", timeout=TIMEOUT)
        expect(student.get_by_test_id("room-viewers")).to_contain_text("closed this room")
        expect(student.get_by_test_id("room-fork")).to_be_hidden()
        expect(student.get_by_test_id("room-leave")).to_be_visible()
        expect(student.get_by_test_id("output-canvas")).to_be_visible()
        expect(student.locator(".field-error")).to_have_count(0)
        student.get_by_test_id("room-leave").click()
        expect(student).to_have_url(f"{server_url}/join")
        answer = student.goto(link)
        assert answer.status == 404
        expect(student.get_by_test_id("join-missing-code")).to_have_text(code)
    finally:
        context.close()
