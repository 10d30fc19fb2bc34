"""The pages under their real Content-Security-Policy (no inline script, no eval; plotly's
inline styles allowed): the playground training a 2-D net and a digits CNN with its charts and
filters, a saved experiment, compare and the lessons, with not one violation reported.

The other UI tests skip the policy (Playwright polls with eval); this one waits only with
expect(), which needs no eval in the page.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from uikit import SAVED_TIMEOUT, TRAIN_TIMEOUT, save

pytestmark = pytest.mark.ui

# Collects every violation the browser reports, from before the page's first script.
WATCH = """window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"""


@pytest.fixture
def strict(browser):
    """A browser context that enforces the policy, and its violations and page errors."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_init_script(WATCH)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text)
            if "Content Security Policy" in m.text else None)
    yield page, problems
    problems += page.evaluate("window.__violations || []")
    context.close()
    assert not problems, "\n".join(problems)


def ready(page, url: str) -> None:
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=SAVED_TIMEOUT)


def test_every_page_works_under_the_policy(strict, server_url):
    page, problems = strict
    response = page.request.get(server_url + "/")
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]

    ready(page, f"{server_url}/#dataset=spiral&networkShape=6,6&seed=2")
    page.get_by_test_id("play").click()
    expect(page.get_by_test_id("epoch")).not_to_have_text("0", timeout=TRAIN_TIMEOUT)
    expect(page.get_by_test_id("loss-chart").locator("path[data-trace=train_loss][d^=M]")).to_be_attached(
        timeout=TRAIN_TIMEOUT)
    page.get_by_test_id("play").click()
    expect(page.get_by_test_id("play")).to_have_attribute("data-state", "paused")
    url = save(page, "under the policy")

    ready(page, url)
    expect(page.get_by_test_id("saved")).to_be_visible()
    expect(page.get_by_test_id("loss-chart").locator("path[data-trace=train_loss][d^=M]")).to_be_attached()

    ready(page, f"{server_url}/#dataset=digits")
    page.get_by_test_id("step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("1", timeout=TRAIN_TIMEOUT)
    page.get_by_test_id("tab-filters").click()
    expect(page.locator("#panel-filters figure canvas").first).to_be_visible(timeout=TRAIN_TIMEOUT)

    ready(page, f"{server_url}/compare?runs=e:{url.rsplit('/', 1)[1]}")
    expect(page.locator(".scatterlayer .trace").first).to_be_attached(timeout=SAVED_TIMEOUT)
    page.goto(f"{server_url}/lessons")
    expect(page.get_by_role("link").first).to_be_visible()
