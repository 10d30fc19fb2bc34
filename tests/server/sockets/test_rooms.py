"""Live rooms over sockets: a teacher shows a session, students watch, get pushed specs, fork."""
from __future__ import annotations

import torch

from serverkit import Browser



def received(sock, name: str) -> list:
    """The `name` events this socket got (others stay for a later call)."""
    messages = getattr(sock, "inbox", []) + sock.client.get_received()
    sock.inbox = [m for m in messages if m["name"] != name]
    return [m["args"][0] for m in messages if m["name"] == name]


def teacher_and_room(app):
    teacher = Browser(app).socket()
    teacher.open(spec={"data": {"dataset": "xor"}})
    answer = teacher.call("room_open", {"session_id": teacher.session_id})
    assert answer["ok"], answer
    teacher.client.get_received()
    return teacher, answer


def join(app, code):
    student = Browser(app).socket()
    answer = student.call("room_join", {"code": code})
    return student, answer


def test_a_student_joins_by_code_and_watches_the_teachers_training(app, trainer):
    teacher, room = teacher_and_room(app)
    code = room["code"]
    assert len(code) == 6 and room["url"] == f"/r/{code}" and room["viewers"] == 0
    student, answer = join(app, code.lower())          # typed in lower case: still found
    assert answer["ok"] and answer["viewers"] == 1
    assert answer["spec"]["data"]["dataset"] == "xor" and answer["hash"]
    first = received(student, "frame")[-1]
    assert first["history"]["start"] == 0 and "train_x" in first["arrays"]     # everything
    assert received(teacher, "room")[-1]["viewers"] == 1
    teacher.call("play")
    for _ in range(60):
        trainer.tick()
        for frame in received(teacher, "frame"):
            teacher.ack(frame)
    frames = received(student, "frame")
    assert len(frames) >= 3 and frames[-1]["epoch"] > first["epoch"]
    assert frames[-1]["session_id"] == teacher.session_id
    epochs = [e for f in frames for e in f["history"]["epoch"]]
    assert epochs == list(range(1, frames[-1]["epoch"] + 1))     # each epoch once, in order
    assert teacher.call("configure", {"session_id": teacher.session_id,
                                      "spec": {"data": {"dataset": "spiral"}}})["ok"]
    spec = received(student, "room_spec")
    assert len(spec) == 1 and spec[0]["spec"]["data"]["dataset"] == "spiral" and spec[0]["plan"]


def test_students_cannot_drive_the_teachers_session(app, trainer):
    teacher, room = teacher_and_room(app)
    student, _ = join(app, room["code"])
    teacher.call("step", unit="epoch")
    weights = trainer.entries[teacher.session_id].session.model.state_dict()
    before = {k: v.clone() for k, v in weights.items()}
    for event, extra in (("play", {}), ("pause", {}), ("reset", {}), ("step", {}),
                         ("configure", {"spec": {}}), ("set_weight", {"layer": 0, "to": 0,
                                                                      "from": 0, "value": 3})):
        answer = student.call(event, {"session_id": teacher.session_id, **extra})
        assert not answer["ok"] and answer["errors"][0]["path"] == "session_id", event
    for event, extra in (("room_push", {"spec": {}}), ("room_close", {})):
        answer = student.call(event, {"code": room["code"], **extra})
        assert not answer["ok"] and "only the teacher" in answer["errors"][0]["message"]
    session = trainer.entries[teacher.session_id].session
    assert session.status == "paused" and session.epoch == 1
    assert all(torch.equal(before[k], v) for k, v in session.model.state_dict().items())


def test_a_pushed_spec_reaches_every_student_and_late_joiners(app):
    teacher, room = teacher_and_room(app)
    students = [join(app, room["code"])[0] for _ in range(2)]
    answer = teacher.call("room_push", {"code": room["code"], "spec": {"data": {"dataset": "spiral"}}})
    assert answer["ok"] and answer["viewers"] == 2
    for student in students:
        pushed = received(student, "room_push")
        assert len(pushed) == 1 and pushed[0]["spec"]["data"]["dataset"] == "spiral"
        assert "dataset=spiral" in pushed[0]["hash"]
    late, answer = join(app, room["code"])
    assert answer["pushed"]["spec"]["data"]["dataset"] == "spiral"
    bad = teacher.call("room_push", {"code": room["code"], "spec": {"training": {"learning_rate": -1}}})
    assert not bad["ok"] and bad["errors"][0]["path"] == "training.learning_rate"


def test_a_student_forks_the_session_as_it_is_now(app, trainer):
    teacher, room = teacher_and_room(app)
    for _ in range(3):
        teacher.call("step", unit="epoch")
    student, _ = join(app, room["code"])
    fork = student.call("room_fork", {"code": room["code"]})
    assert fork["ok"] and fork["session_id"] != teacher.session_id and fork["epoch"] == 3
    mine, theirs = (trainer.entries[k].session for k in (fork["session_id"], teacher.session_id))
    assert all(torch.equal(a, b) for a, b in zip(mine.model.state_dict().values(),
                                                 theirs.model.state_dict().values()))
    student.session_id = fork["session_id"]
    assert student.call("step", unit="epoch")["epoch"] == 4          # theirs to train
    assert theirs.epoch == 3


def test_bad_codes_leaving_and_closing(app):
    teacher, room = teacher_and_room(app)
    for code in ("NOPE00", "", None, 7, "x" * 500):
        student, answer = join(app, code)
        assert not answer["ok"] and answer["errors"][0]["path"] == "code", code
    student, _ = join(app, room["code"])
    assert received(teacher, "room")[-1]["viewers"] == 1
    student.disconnect()
    assert received(teacher, "room")[-1]["viewers"] == 0
    other, _ = join(app, room["code"])
    assert teacher.call("room_close", {"code": room["code"]})["ok"]
    assert received(other, "room")[-1]["open"] is False
    assert not join(app, room["code"])[1]["ok"]


def test_guessing_room_codes_is_held_to_10_a_minute_per_address(app):
    """Every test client shares one address: wrong guesses from many browsers meet its limit,
    answered "slow down" with the wait; meanwhile even a right code is refused, so a guesser
    learns nothing about which codes exist."""
    teacher, room = teacher_and_room(app)
    answers = [join(app, f"ZZZZ{i:02d}")[1] for i in range(25)]
    wrong = [a for a in answers if "no room has the code" in a["errors"][0]["message"]]
    slowed = [a for a in answers if "slow down" in a["errors"][0]["message"]]
    assert len(wrong) == 10 and len(slowed) == 15
    assert all(a["errors"][0]["retry_after"] > 0 for a in slowed)
    _, answer = join(app, room["code"])
    assert "slow down" in answer["errors"][0]["message"]       # no telling right from wrong now
