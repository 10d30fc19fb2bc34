"""The character model on a person's own text, in the browser: pasted into the box or loaded
from a .txt file with the file chooser; the loss falls and the generated text is written in that
text's characters; a bad character is named by its position; a text too long for a link says so.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from uikit import SHOTS, TIMEOUT, TRAIN_TIMEOUT, number, pause, play

pytestmark = pytest.mark.ui

# Upper case, digits and "!": none of them is in the built-in rhymes (all lower case, no digits).
OWN = ("ROSES ARE RED, VIOLETS ARE BLUE!\nTWO PLUS TWO IS 4, AND 4 IS NOT 2!\n"
       "SUGAR IS SWEET AND SO ARE YOU!\n") * 8
EPOCH = "() => parseInt(document.querySelector('[data-testid=epoch]').textContent)"


def open_text(open_page) -> Page:
    page = open_page("#dataset=text&samples=400&seqLength=16")
    expect(page.get_by_test_id("own-text")).to_be_visible()
    expect(page.get_by_test_id("own-text-status")).to_have_text("Training on the built-in nursery rhymes.")
    expect(page.get_by_test_id("own-text-caps")).to_contain_text("100 to 20,000 characters")
    return page


def shoot(page: Page, name: str) -> None:
    """The data column's own-text box beside the generated text (for the README)."""
    SHOTS.mkdir(exist_ok=True)
    box = page.evaluate("""() => {
      const a = document.querySelector('[data-testid="own-text"]').getBoundingClientRect();
      const b = document.querySelector('[data-testid="sequence-panel"]').getBoundingClientRect();
      const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
      return {x: x + scrollX, y: y + scrollY, width: Math.max(a.right, b.right) - x,
              height: Math.max(a.bottom, b.bottom) - y + 8};
    }""")
    page.screenshot(path=str(SHOTS / name), full_page=True, clip=box)


def test_pasted_text_trains_and_the_net_writes_in_its_characters(open_page):
    page = open_text(open_page)
    page.get_by_test_id("own-text-box").fill(OWN)
    page.get_by_test_id("own-text-use").click()
    expect(page.get_by_test_id("own-text-status")).to_have_text(
        f"Training on your text: {len(OWN):,} characters, {len(set(OWN))} different ones.", timeout=TIMEOUT)
    expect(page.get_by_test_id("split-text")).to_contain_text("trains on the first part of the text")
    expect(page.get_by_test_id("split-text")).to_contain_text("held-out tail")
    expect(page.get_by_test_id("dataset-name")).to_have_text("Your own text")
    expect(page.get_by_test_id("output-card")).to_contain_text(f"scores of the {len(set(OWN))} characters")
    expect(page.get_by_test_id("own-text-link")).to_be_hidden()       # short: the link carries it
    assert "text=ROSES" in page.evaluate("location.hash")
    sample = page.get_by_test_id("generated-sample")
    expect(sample).not_to_have_text("")
    page.wait_for_function("() => !Number.isNaN(parseFloat(document.querySelector("
                           "'[data-testid=test-loss]').textContent))", timeout=TIMEOUT)
    first_loss = number(page, "test-loss")
    play(page)
    page.wait_for_function(f"() => ({EPOCH})() >= 4", timeout=TRAIN_TIMEOUT)
    page.wait_for_function(
        f"() => parseFloat(document.querySelector('[data-testid=test-loss]').textContent) < {first_loss * 0.7}",
        timeout=TRAIN_TIMEOUT)
    pause(page)
    page.get_by_test_id("text-prompt").fill("ROSES ")
    expect(page.get_by_test_id("generated-prompt")).to_have_text("ROSES ", timeout=TIMEOUT)
    page.wait_for_function("""(allowed) => {
      const text = document.querySelector('[data-testid=generated-sample]').textContent;
      return text.length > 100 && [...text].every((c) => allowed.includes(c)) && /[A-Z]/.test(text);
    }""", arg=OWN, timeout=TRAIN_TIMEOUT)
    shoot(page, "own-text.png")


def test_a_txt_file_through_the_file_chooser_and_a_bad_character_named(open_page, tmp_path):
    page = open_text(open_page)
    path = tmp_path / "poem.txt"
    path.write_bytes("\ufeff".encode() + OWN.replace("\n", "\r\n").encode())   # Windows-saved
    page.get_by_test_id("own-text-file").set_input_files(str(path))
    expect(page.get_by_test_id("own-text-status")).to_contain_text(
        f"Training on your text: {len(OWN):,} characters", timeout=TIMEOUT)
    expect(page.get_by_test_id("dataset-text")).to_have_attribute("aria-pressed", "true")
    bad = OWN[:40] + "\u0007" + OWN[40:]
    page.get_by_test_id("own-text-box").fill(bad)
    page.get_by_test_id("own-text-use").click()
    error = page.get_by_test_id("error-data.text")
    expect(error.first).to_contain_text("character 41 (line 2, column 8) is U+0007", timeout=TIMEOUT)
    expect(error.first).to_contain_text(re.compile(r"^Your text: "))     # its label, not data.text
    latin = tmp_path / "latin.txt"
    latin.write_bytes(("CAFÉ " * 30).encode("latin-1"))
    page.get_by_test_id("own-text-file").set_input_files(str(latin))
    expect(page.get_by_test_id("own-text-status")).to_have_text(
        "latin.txt: this is not UTF-8 text; save the file as UTF-8")


def test_a_text_too_long_for_a_link_says_so_and_back_to_the_rhymes(open_page, unnamed_controls):
    page = open_text(open_page)
    assert unnamed_controls(page) == []
    long = ("THE OWL AND THE PUSSY-CAT WENT TO SEA IN A BEAUTIFUL PEA-GREEN BOAT.\n" * 40)
    page.get_by_test_id("own-text-box").fill(long)
    page.get_by_test_id("own-text-lower").check()
    page.get_by_test_id("own-text-use").click()
    expect(page.get_by_test_id("own-text-status")).to_contain_text(f"{len(long):,} characters",
                                                                   timeout=TIMEOUT)
    expect(page.get_by_test_id("own-text-box")).to_have_value(long.lower())
    expect(page.get_by_test_id("own-text-link")).to_contain_text("left out of the address")
    assert "text=" not in page.evaluate("location.hash")
    page.get_by_test_id("own-text-rhymes").click()
    expect(page.get_by_test_id("own-text-status")).to_have_text("Training on the built-in nursery rhymes.",
                                                                timeout=TIMEOUT)
    expect(page.get_by_test_id("own-text-link")).to_be_hidden()
