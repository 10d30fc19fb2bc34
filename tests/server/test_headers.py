"""Security headers on every response, and the owner cookie's flags (Secure over HTTPS only,
and X-Forwarded-Proto believed only behind a configured proxy)."""
from __future__ import annotations

import pytest

from server.headers import HEADERS

PATHS = ["/", "/api/schema", "/api/nothing", "/lessons", "/static/js/main.js",
         "/e/AAAAAAAAAAAAAAAAAAAAAA"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(app, path):
    r = app.test_client().get(path)
    for name, value in HEADERS.items():
        assert r.headers.get(name) == value, (path, name)
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "unsafe-eval" not in csp


def set_cookie(response) -> str:
    return response.headers.get("Set-Cookie", "")


def test_the_owner_cookie_is_http_only_and_same_site_lax(app):
    cookie = set_cookie(app.test_client().get("/"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_over_https_the_cookie_is_secure(app):
    cookie = set_cookie(app.test_client().get("/", base_url="https://localhost"))
    assert "Secure" in cookie


def test_forwarded_proto_is_believed_only_behind_a_configured_proxy(make_app):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    direct = make_app()
    assert "Secure" not in set_cookie(direct.test_client().get("/", headers=forwarded))
    proxied = make_app(PROXY_HOPS=1)
    assert "Secure" in set_cookie(proxied.test_client().get("/", headers=forwarded))
