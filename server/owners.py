"""Who is asking: a browser is the id in its signed, long-lived cookie, set by the first page
it loads (its sessions and its socket belong to that id); `address()` is where it asks from,
for the per-address limits."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app, request, session as cookie

OWNER_KEY = "owner"
OWNER_ID_BYTES = 16


def owner_id() -> str:
    """The browser's id from its signed cookie (the page sets it; see claim_browser)."""
    if OWNER_KEY not in cookie:
        cookie[OWNER_KEY] = secrets.token_urlsafe(OWNER_ID_BYTES)
    return cookie[OWNER_KEY]


def claim_browser() -> str:
    """A page that opens a socket: give the browser its id cookie, kept across restarts of the
    browser, so the sessions it opens are its own."""
    cookie.permanent = True
    return owner_id()


def address() -> str:
    """The client's network address (behind PROXY_HOPS trusted proxies: the one they saw)."""
    return request.remote_addr or "unknown"


def address_tag() -> str:
    """The address as a saved experiment records it (for the per-address quota): a hash keyed
    with the app's secret, so the database holds no one's address."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, address().encode(), hashlib.sha256).hexdigest()[:32]
