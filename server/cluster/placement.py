"""Which trainer node takes a new session (docs/scaling.md, "Placement").

Pure: it sees each live node's device, cores, capacity, load and how many of its sessions share
the newcomer's architecture, and picks one. Image and recurrent sessions go to a GPU node when
one is registered and has room; a 2-D session joins a node where one session of its architecture
trains alone, so the two batch (a trainer steps them as one model, docs/internals.md "Batched
training"), unless that node is AFFINITY_SLACK sessions per core busier than the least loaded;
otherwise the least loaded per core wins, the one with fewer of its kind among equals.
Groups are not piled on one node: a trainer gives each unit at most MAX_SLICE_S a round, so one
group of 8 gets fewer epochs each than two groups of 4 on two nodes (bench/cluster.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from engine.spec.types import Spec
from server.errors import Full

AFFINITY_SLACK = 2.0       # sessions per core a node may carry above the lightest to keep a batch
GPU_FAMILIES = frozenset({"images", "sequences"})
BATCH_DATA = ("classes", "samples", "train_ratio", "validation_ratio", "features")
BATCH_TRAINING = ("loss", "optimizer", "batch_size")


@dataclass
class NodeView:
    id: str
    device: str               # "cpu" or "cuda"
    cores: int
    capacity: int             # sessions it takes at most
    load: int = 0             # sessions placed on it
    same: int = 0             # ...of the newcomer's architecture

    @property
    def per_core(self) -> float:
        return self.load / max(1, self.cores)


def kind_of(spec: Spec) -> str:
    """What a session's batch group depends on (engine.training.batched.batch_key's fields
    that the spec decides); one kind per image, table or sequence net, which never batch."""
    d = spec.to_dict()
    if spec.data.family != "points":
        return f"{spec.data.family}:{json.dumps(d['model'], sort_keys=True)}"
    return json.dumps([d["model"], [d["data"][k] for k in BATCH_DATA],
                       [d["training"][k] for k in BATCH_TRAINING]], sort_keys=True)


def wants_gpu(spec: Spec) -> bool:
    return spec.data.family in GPU_FAMILIES


def choose(nodes: list[NodeView], spec: Spec) -> str:
    """The node for a new session of `spec`; Full when no live node has room."""
    room = [n for n in nodes if n.load < n.capacity]
    if not room:
        raise Full("every trainer is full: try again in a few minutes" if nodes
                   else "no trainer node is running: try again in a minute")
    if wants_gpu(spec):
        room = [n for n in room if n.device == "cuda"] or room
    lightest = min(n.per_core for n in room)
    lonely = [n for n in room if n.same == 1 and n.per_core < lightest + AFFINITY_SLACK]
    if lonely:
        return min(lonely, key=lambda n: (n.per_core, n.id)).id
    return min(room, key=lambda n: (n.per_core, n.same, n.id)).id
