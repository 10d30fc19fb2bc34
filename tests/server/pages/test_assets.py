"""Static files, vendor packages and pages go out gzipped and come back from the cache: the
gzipped body decodes to the file, a client without gzip gets the file as it is, and a copy with
the current ETag (or Last-Modified) is answered 304 with no body."""
from __future__ import annotations

import gzip

import pytest

from server.config import ROOT
from server.pages.index import vendor_path

GZIP = {"Accept-Encoding": "gzip, deflate"}
FILES = [("/static/js/main.js", ROOT / "static/js/main.js"),
         ("/static/css/app.css", ROOT / "static/css/app.css"),
         ("/vendor/plotly.min.js", vendor_path("plotly.min.js"))]


@pytest.fixture
def http(app):
    return app.test_client()


@pytest.mark.parametrize("url,path", FILES, ids=[url for url, _ in FILES])
def test_gzipped_body_decodes_to_the_file(http, url, path):
    response = http.get(url, headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(response.data) < path.stat().st_size
    assert gzip.decompress(response.data) == path.read_bytes()


def test_without_gzip_the_file_goes_as_it_is(http):
    path = ROOT / "static/js/main.js"
    response = http.get("/static/js/main.js")
    assert "Content-Encoding" not in response.headers
    assert response.data == path.read_bytes()
    assert response.headers["Content-Type"].startswith("text/javascript")


@pytest.mark.parametrize("url,path", FILES, ids=[url for url, _ in FILES])
def test_a_second_load_is_a_304_without_a_body(http, url, path):
    first = http.get(url, headers=GZIP)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = http.get(url, headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    by_date = http.get(url, headers={**GZIP, "If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 304


def test_the_gzipped_and_plain_copies_have_their_own_etags(http):
    zipped = http.get("/static/js/main.js", headers=GZIP).headers["ETag"]
    plain = http.get("/static/js/main.js").headers["ETag"]
    assert zipped != plain
    assert http.get("/static/js/main.js", headers={"If-None-Match": plain}).status_code == 304


def test_paths_outside_static_and_unknown_files_are_404(http):
    assert http.get("/static/../server/config.py").status_code == 404
    assert http.get("/static/js/nope.js").status_code == 404
    assert http.get("/vendor/nope.js").status_code == 404


def test_the_page_and_the_schema_are_gzipped(http):
    for url in ("/", "/api/schema"):
        response = http.get(url, headers=GZIP)
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.data)
    assert http.get("/api/schema").get_json()["version"] == 1     # plain for a plain client
