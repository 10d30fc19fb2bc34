"""What `/api/...` answers when no route does, or a request is refused before its route runs:
JSON `{"errors": [{"path", "message"}]}` with 404, 405, 413 (or 500 for a bug), never an HTML
page; and `json_body()`, the one reader of a JSON request body.

Addresses under /e/ and /api/experiments/ that match no route answer as an unknown experiment
(path `id`), as their routes do (docs/protocol.md, "Saved experiments").
"""
from __future__ import annotations

import json

from flask import Flask, jsonify, request

from engine.spec.text import clip
from server.errors import PayloadError

API = "/api/"
EXPERIMENT_PREFIXES = ("/e/", "/api/experiments/")


def json_body() -> dict:
    """The request's JSON object, or PayloadError: not JSON, nested past what the parser can
    follow (json.loads raises RecursionError, not ValueError, on 1,000 brackets), not an object."""
    try:
        body = json.loads(request.get_data(cache=False) or b"null")
    except (ValueError, RecursionError):
        raise PayloadError("", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise PayloadError("", "send a JSON object")
    return body


def _error(status: int, path: str, message: str):
    return jsonify(errors=[{"path": path, "message": f"{path}: {message}" if path
                            else message}]), status


def init_app(app: Flask) -> None:
    @app.errorhandler(404)
    def not_found(exc):
        if request.path.startswith(EXPERIMENT_PREFIXES):
            return _error(404, "id", "no such experiment")
        if request.path.startswith(API):
            return _error(404, "", f"no such address: {clip(request.path, 100)}")
        return exc

    @app.errorhandler(405)
    def not_allowed(exc):
        if request.path.startswith(API):
            allowed = ", ".join(sorted(exc.valid_methods or ()))
            return _error(405, "", f"{request.method} is not allowed here (allowed: {allowed})")
        return exc

    @app.errorhandler(413)
    def too_large(_):
        return _error(413, "", f"the request body is too large (at most "
                               f"{app.config['MAX_CONTENT_LENGTH']:,} bytes)")

    @app.errorhandler(500)
    def server_error(exc):
        if request.path.startswith(API):
            return _error(500, "", "internal server error")
        return exc
