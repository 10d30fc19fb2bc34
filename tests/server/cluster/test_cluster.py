"""Two web nodes and two trainer nodes on one Redis, as real processes: sessions trained on any
node reach clients on any web node, live rooms span the web nodes, and sessions survive a lost
trainer node, a lost web node and a Redis restart. docs/scaling.md says how."""
from __future__ import annotations

import pytest
import redis
import requests

from clusterkit import Client, wait_for
from server import store
from server.cluster import keys
from storekit import query

XOR = {"data": {"dataset": "xor"}}
# Generous bounds (a shared 2-core CI runs these beside other tests): frames and epochs keep
# coming, and a moved session resumes within the 5 s after its node's heartbeat lapses
# (2 s), with slack for a loaded machine.
FRAMES_S = 30
MOVE_S = 30


def opened(client: Client, spec=None) -> str:
    answer = client.call("open", {"spec": spec or XOR})
    assert answer["ok"], answer
    return answer["session_id"]


def playing(client: Client, beyond: int = 5) -> str:
    """A new session of this client's, playing, its frames past epoch `beyond`; its id."""
    key = opened(client)
    assert client.call("play", {"session_id": key})["ok"]
    training(client, key, beyond)
    return key


def training(client: Client, key: str, beyond: int) -> int:
    """Wait until the client's frames of `key` show an epoch past `beyond`; that epoch."""
    return wait_for(lambda: client.epoch(key) > beyond and client.epoch(key), FRAMES_S,
                    f"frames of {key} past epoch {beyond}")


def test_a_client_on_one_web_node_drives_a_session_trained_on_a_trainer_node(cluster):
    _, (web_a, web_b), trainers = cluster
    client = Client(web_a)
    try:
        key = opened(client)
        holder = [t for t in trainers if key in t.sessions()]
        assert len(holder) == 1
        assert client.call("play", {"session_id": key})["ok"]
        first = training(client, key, 0)
        training(client, key, first + 10)
        paused = client.call("pause", {"session_id": key})
        assert paused["ok"] and paused["status"] == "paused"
    finally:
        client.close()


def checkpointed(redis_server, key: str, beyond: int) -> int:
    """The epoch of the session's checkpoint in Redis once it is past `beyond`, else 0."""
    cp = keys.unpack(redis.Redis.from_url(redis_server.url).get(keys.checkpoint(key)))
    return cp["epoch"] if cp is not None and cp["epoch"] > beyond else 0


def saved(web, answer: dict) -> bool:
    """An acknowledged save can be read back (from any web node: they share the database)."""
    return requests.get(f"{web.url}/api/experiments/{answer['id']}", timeout=10).ok


def test_a_teachers_room_on_one_web_node_reaches_students_on_the_other(cluster):
    _, (web_a, web_b), _ = cluster
    teacher, student = Client(web_a), Client(web_b)
    try:
        key = opened(teacher)
        room = teacher.call("room_open", {"session_id": key})
        assert room["ok"], room
        joined = student.call("room_join", {"code": room["code"]})
        assert joined["ok"] and joined["viewers"] == 1, joined
        wait_for(lambda: teacher.got("room"), FRAMES_S, "the teacher to hear of the student")
        assert teacher.call("play", {"session_id": key})["ok"]
        training(student, key, 5)                      # the teacher's frames, on node B
        pushed = teacher.call("room_push", {"code": room["code"], "spec": {"data": {
            "dataset": "circle"}}})
        assert pushed["ok"] and pushed["viewers"] == 1, pushed
        got = wait_for(lambda: student.got("room_push"), FRAMES_S, "the pushed spec")
        assert got[0]["spec"]["data"]["dataset"] == "circle"
    finally:
        teacher.close()
        student.close()


def test_a_killed_trainer_nodes_sessions_resume_elsewhere_and_saves_are_kept(cluster):
    redis_server, (web_a, web_b), trainers = cluster
    client = Client(web_a)
    saves = []
    try:
        key = playing(client, 30)
        saves.append(client.call("save", {"session_id": key, "title": "before"}))
        holder = next(t for t in trainers if key in t.sessions())
        other = next(t for t in trainers if t is not holder)
        kept = wait_for(lambda: checkpointed(redis_server, key, 30), FRAMES_S,
                        "a checkpoint past epoch 30")
        holder.kill()
        moved = wait_for(lambda: client.got("moved", key), MOVE_S, "the moved event")[0]
        assert moved["message"] == f"moved to another trainer, resumed at epoch {moved['epoch']}"
        assert moved["epoch"] >= kept                   # from its checkpoint, not from scratch
        assert key in other.sessions()
        training(client, key, moved["epoch"] + 5)      # it keeps training on the new node
        frame = client.got("frame", key)[-1]
        assert frame["status"] == "playing"
        saves.append(client.call("save", {"session_id": key, "title": "after"}))
        assert all(s["ok"] for s in saves), saves
        assert all(saved(web_b, s) for s in saves)
    finally:
        client.close()


def test_a_killed_web_nodes_clients_reattach_on_the_other(cluster):
    _, (web_a, web_b), _ = cluster
    client = Client(web_a)
    try:
        key = playing(client)
        web_a.kill()
        client.reconnect(web_b)
        again = client.call("open", {"session_id": key})
        assert again["ok"] and again["session_id"] == key, again
        assert client.call("play", {"session_id": key})["ok"]
        training(client, key, again["epoch"] + 5)
        assert client.call("save", {"session_id": key, "title": "kept"})["ok"]
    finally:
        client.close()


def test_after_a_redis_restart_the_nodes_reconnect_and_sessions_go_on(cluster):
    redis_server, (web_a, _), trainers = cluster
    client = Client(web_a)
    try:
        key = playing(client)
        redis_server.kill()
        redis_server.start()
        training(client, key, client.epoch(key) + 20)   # frames cross the queue again
        assert not client.got("moved") and not client.got("lost")
        fresh = opened(client)                          # placement sees the nodes again
        assert any(fresh in t.sessions() for t in trainers)
        assert client.call("save", {"session_id": key, "title": "after redis"})["ok"]
    finally:
        client.close()


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_web_nodes_on_postgresql_share_saved_experiments(cluster):
    _, (web_a, web_b), _ = cluster
    client = Client(web_a)
    again = Client(web_b, client.cookie)                 # the same browser, balanced onto B
    try:
        key = opened(client)
        assert client.call("step", {"session_id": key, "unit": "epoch"})["ok"]
        answer = client.call("save", {"session_id": key, "title": "saved on A"})
        assert answer["ok"], answer
        exp_id = answer["id"]
        shown = requests.get(f"{web_b.url}/api/experiments/{exp_id}", timeout=10)
        assert shown.ok and (shown.json()["title"], shown.json()["epoch"]) == ("saved on A", 1)
        listed = requests.get(f"{web_b.url}/api/compare?runs=e:{exp_id}", timeout=10)
        assert listed.ok and [r["label"] for r in listed.json()["runs"]] == ["saved on A"]
        fork = again.call("open", {"experiment": exp_id})
        assert fork["ok"] and fork["epoch"] == 1, fork
        db = store.open_store(web_a.db)                  # it is PostgreSQL that holds it
        assert db.dialect == "postgresql"
        assert query(db, "SELECT title FROM experiments") == [("saved on A",)]
        db.close()
        gone = requests.delete(f"{web_b.url}/api/experiments/{exp_id}", timeout=10,
                               headers={"Cookie": client.cookie})
        assert gone.ok                                   # its owner, from the other node
        assert requests.get(f"{web_a.url}/api/experiments/{exp_id}", timeout=10).status_code \
            == 404
    finally:
        client.close()
        again.close()
