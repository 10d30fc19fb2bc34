"""Joining a class: `/join` asks for a live room's code, `/r/<code>` is the room itself (the
playground, watching the teacher's session). A code no open room has, mistyped or closed,
gets the join page again saying so (404), never a playground that cannot start."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, render_template, request

from server.owners import claim_browser
from server.sockets.rooms import CODE_LENGTH, normal_code


bp = Blueprint("join", __name__)
SHOWN_CHARS = 12          # of a code that matched nothing, echoed back on the page


def _join_page(code: str = "", status: int = 200):
    missing = code[:SHOWN_CHARS] if code else ""
    return render_template("join.html", code=missing, code_length=CODE_LENGTH), status


@bp.get("/join")
def join():
    """The code field; `?code=` (the form's answer) goes to the room, or says it is not open."""
    code = normal_code(request.args.get("code", ""))
    if not code:
        return _join_page()
    if current_app.extensions["rooms"].is_open(code):
        return redirect(f"/r/{code}")
    return _join_page(code, 404)


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
    if not current_app.extensions["rooms"].is_open(code):
        return _join_page(code, 404)
    claim_browser()
    return render_template("index.html", schema_url="/api/schema", room_code=code)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
