"""Security headers on every response, the owner cookie's flags, and the proxy setting.

- A Content-Security-Policy without inline script (the pages load modules from /static and
  /vendor only); styles allow 'unsafe-inline' because plotly.js writes its own <style>
  element and style attributes; `frame-ancestors 'self'`, so no other site can frame the app.
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`, and `X-Frame-Options`
  for browsers that predate frame-ancestors.
- The owner cookie is HttpOnly and SameSite=Lax, and Secure when the request came over HTTPS.
- `PROXY_HOPS` (config, or `serve --proxy N`): the number of reverse proxies in front of the
  app; their X-Forwarded-For/-Proto/-Host are believed (werkzeug's ProxyFix). 0, the default,
  believes none: a client could otherwise claim any address and escape the per-address limits.
"""
from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
))
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


class CookieFlags(SecureCookieSessionInterface):
    """The signed owner cookie, Secure exactly when the request came over HTTPS (one app may
    serve both: plain HTTP on a laptop, HTTPS behind a proxy)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    """Headers and cookie flags; call after the socket middleware is installed, so the proxy
    fix (when configured) also reaches the sockets' view of the client's address."""
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    app.session_interface = CookieFlags()

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
