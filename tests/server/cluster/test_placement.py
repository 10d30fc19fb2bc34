"""Placement of a new session among trainer nodes (server.cluster.placement): pure, no Redis."""
from __future__ import annotations

import pytest

from engine.spec.parse import parse_spec
from server.cluster.placement import AFFINITY_SLACK, NodeView, choose, kind_of
from server.errors import Full

XOR = parse_spec({"data": {"dataset": "xor"}})
CIRCLE = parse_spec({"data": {"dataset": "circle"}, "training": {"learning_rate": 0.1}})
WIDE = parse_spec({"data": {"dataset": "xor"}, "model": {"layers": [{"units": 8}]}})
DIGITS = parse_spec({"data": {"dataset": "digits"}})


def node(name, load=0, same=0, device="cpu", cores=1, capacity=50) -> NodeView:
    return NodeView(name, device, cores, capacity, load, same)


def test_sessions_that_can_batch_share_a_kind_and_others_do_not():
    assert kind_of(XOR) == kind_of(CIRCLE)       # data and learning rate may differ in a group
    assert kind_of(XOR) != kind_of(WIDE)
    assert kind_of(DIGITS) != kind_of(XOR)


def test_the_least_loaded_node_per_core_takes_a_new_kind():
    assert choose([node("a", load=3), node("b", load=2)], WIDE) == "b"
    assert choose([node("a", load=3, cores=4), node("b", load=2)], WIDE) == "a"


def test_a_session_joins_one_of_its_architecture_training_alone_unless_that_node_is_busier():
    assert choose([node("a", load=3, same=1), node("b", load=2)], XOR) == "a"
    busy = 2 + int(AFFINITY_SLACK)
    assert choose([node("a", load=busy, same=1), node("b", load=2)], XOR) == "b"


def test_groups_spread_over_nodes_rather_than_pile_on_one():
    assert choose([node("a", load=4, same=4), node("b", load=2)], XOR) == "b"
    assert choose([node("a", load=2, same=2), node("b", load=2)], XOR) == "b"   # ties: spread


def test_a_class_arriving_in_turn_is_balanced_and_every_kind_batches():
    nodes = [node("a"), node("b")]
    kinds = [XOR if i % 5 != 4 else WIDE for i in range(40)]
    held = {"a": [], "b": []}
    for spec in kinds:
        for n in nodes:
            n.same = sum(kind_of(s) == kind_of(spec) for s in held[n.id])
        chosen = choose(nodes, spec)
        held[chosen].append(spec)
        next(n for n in nodes if n.id == chosen).load += 1
    assert abs(len(held["a"]) - len(held["b"])) <= 1
    for specs in held.values():
        assert sum(s is WIDE for s in specs) >= 2 and sum(s is XOR for s in specs) >= 2


def test_image_sessions_prefer_a_gpu_node_and_2d_ones_do_not():
    nodes = [node("cpu", load=0), node("gpu", load=5, device="cuda")]
    assert choose(nodes, DIGITS) == "gpu"
    assert choose(nodes, XOR) == "cpu"
    assert choose([node("cpu"), node("gpu", load=50, capacity=50, device="cuda")],
                  DIGITS) == "cpu"                # a full GPU node: the CPU rather than nothing


def test_full_nodes_and_no_nodes_are_refused_with_a_reason():
    with pytest.raises(Full, match="every trainer is full"):
        choose([node("a", load=50, capacity=50)], XOR)
    with pytest.raises(Full, match="no trainer node is running"):
        choose([], XOR)
