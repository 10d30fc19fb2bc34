"""What a class on school Wi-Fi downloads: the first load of `/` is at most 1.5 MB as it travels
(compressed), and a second load revalidates every static file instead of fetching it again
(server/pages/assets.py: gzip, ETag, Cache-Control: no-cache)."""
from __future__ import annotations

from uikit import CONTEXT_ARGS

FIRST_LOAD_LIMIT = 1_500_000          # bytes on the wire (issue 12: ≤ 1.5 MB compressed)
# What the page's own files weigh as they travel: the body, compressed (Chromium's Resource
# Timing; same origin, so every figure is exposed), and each file's response status.
RESOURCES = """() => [performance.getEntriesByType("navigation")[0],
                      ...performance.getEntriesByType("resource")]
  .map((e) => ({ name: e.name, body: e.encodedBodySize, wire: e.transferSize,
                 status: e.responseStatus, kind: e.initiatorType }))"""


def _load(page, url):
    page.goto(url)
    page.wait_for_selector('body[data-ready="true"]', timeout=30_000)
    page.wait_for_function("document.body.dataset.frames > 0", timeout=30_000)
    return [r for r in page.evaluate(RESOURCES) if "/socket.io/" not in r["name"]]


def test_first_load_is_small_and_a_second_load_revalidates(browser, server_url):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, **CONTEXT_ARGS)
    try:
        page = context.new_page()
        first = _load(page, f"{server_url}/")
        files = [r for r in first if "/static/" in r["name"] or "/vendor/" in r["name"]]
        assert any("/vendor/plotly" in r["name"] for r in files), [r["name"] for r in first]
        total = sum(r["body"] for r in first)
        assert 0 < total <= FIRST_LOAD_LIMIT, f"{total:,} bytes: {sorted((r['body'], r['name']) for r in first)[-5:]}"
        plotly = next(r for r in files if "/vendor/plotly" in r["name"])
        assert plotly["body"] < 600_000           # the basic bundle, gzipped (the full one: 1.33 MB)

        page.reload()
        page.wait_for_selector('body[data-ready="true"]', timeout=30_000)
        again = [r for r in page.evaluate(RESOURCES)
                 if "/static/" in r["name"] or "/vendor/" in r["name"]]
        assert again, "no static file was asked for on the second load"
        # Each file is revalidated (304, headers only) or taken from the cache: none is re-sent.
        resent = [r["name"] for r in again if r["status"] == 200 and r["wire"] > r["body"] > 0]
        assert resent == [], resent
        assert sum(r["wire"] for r in again) < total / 10
    finally:
        context.close()
