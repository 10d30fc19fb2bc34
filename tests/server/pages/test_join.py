"""Joining a class over HTTP (server/pages/join.py): /join takes a code, /r/<code> is the room,
and a wrong code is a guess charged as the socket's room_join is."""
from __future__ import annotations

from serverkit import Browser

GUESSES_A_MINUTE = 10          # server.limits RATES["room_guess"]


def open_room(app) -> str:
    teacher = Browser(app).socket()
    opened = teacher.call("open", spec={"data": {"dataset": "xor"}})
    teacher.session_id = opened["session_id"]
    answer = teacher.call("room_open")
    assert answer["ok"], answer
    return answer["code"]


def test_a_typed_code_goes_to_its_room_in_any_case_and_with_a_dash(app):
    code = open_room(app)
    student = Browser(app).http
    typed = f" {code[:3].lower()}-{code[3:]} "
    r = student.get("/join", query_string={"code": typed})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/r/{code}")
    page = student.get(f"/r/{code}")
    assert page.status_code == 200 and code.encode() in page.data


def test_an_unknown_code_gets_the_join_page_saying_so(app):
    r = Browser(app).http.get("/r/ZZZZZZ")
    assert r.status_code == 404
    assert b"No class is open with the code" in r.data and b"ZZZZZZ" in r.data


def test_wrong_codes_over_http_are_throttled_like_the_sockets(app):
    code = open_room(app)
    guesser = Browser(app).http
    statuses = [guesser.get("/join", query_string={"code": f"WRONG{i}"}).status_code
                for i in range(GUESSES_A_MINUTE + 2)]
    assert statuses[:GUESSES_A_MINUTE] == [404] * GUESSES_A_MINUTE
    assert statuses[GUESSES_A_MINUTE:] == [429, 429]
    slow = guesser.get(f"/r/{code}")              # even the right code waits now
    assert slow.status_code == 429 and b"try again in" in slow.data
    # A fresh cookie does not reset it: the address (a test client's 127.0.0.1) is charged too.
    assert Browser(app).http.get("/join", query_string={"code": "WRONGX"}).status_code == 429
