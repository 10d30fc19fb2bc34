"""Two web nodes and two trainer nodes on one Redis, as real processes: sessions trained on any
node reach clients on any web node, live rooms span the web nodes, and sessions survive a lost
trainer node, a lost web node and a Redis restart. docs/scaling.md says how."""
from __future__ import annotations

import pytest

from clusterkit import Client, TrainerProcess, wait_for

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
