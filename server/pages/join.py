"""Joining a class: `/join` asks for a live room's code, `/r/<code>` is the room itself (the
playground, watching the teacher's session). A code no open room has, mistyped or closed,
gets the join page again saying so (404), never a playground that cannot start. A wrong code
is a guess, charged as the socket's `room_join` is (server.limits "room_guess": 10 a minute):
past it the page says how long to wait (429)."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, render_template, request

from server.errors import SlowDown
from server.owners import address, claim_browser
from server.sockets.rooms import CODE_LENGTH, normal_code


bp = Blueprint("join", __name__)
SHOWN_CHARS = 12          # of a code that matched nothing, echoed back on the page


def _join_page(code: str = "", status: int = 200, wait: int = 0):
    missing = code[:SHOWN_CHARS] if code else ""
    return render_template("join.html", code=missing, code_length=CODE_LENGTH, wait=wait), status


def _open_room(code: str):
    """None when `code` is an open room; else the join page saying it is not (a charged
    guess), or to wait when this browser or address has guessed too often."""
    limits, owner = current_app.extensions["limits"], claim_browser()
    try:
        limits.take("room_guess", spend=False, browser=owner, address=address())
        if current_app.extensions["rooms"].is_open(code):
            return None
        limits.take("room_guess", browser=owner, address=address())
    except SlowDown as slow:
        return _join_page(code, 429, slow.retry_after)
    return _join_page(code, 404)


@bp.get("/join")
def join():
    """The code field; `?code=` (the form's answer) goes to the room, or says it is not open."""
    code = normal_code(request.args.get("code", ""))
    if not code:
        return _join_page()
    return _open_room(code) or redirect(f"/r/{code}")


@bp.get("/r")
@bp.get("/r/")
@bp.get("/room")
@bp.get("/room/")
def join_elsewhere():
    return redirect("/join")


@bp.get("/room/<code>")
def room_alias(code: str):
    return redirect(f"/r/{normal_code(code)}")


@bp.get("/r/<code>")
def room(code: str):
    """A live room's page: the playground, watching the teacher's session."""
    code = normal_code(code)
    refused = _open_room(code)
    if refused:
        return refused
    return render_template("index.html", schema_url="/api/schema", room_code=code)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
