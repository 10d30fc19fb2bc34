"""Hand-placed points: the spec field that carries them, the URL key, and a session that keeps
learning while they move."""
import pytest
import torch

from engine.data.handpoints import MAX_HAND_POINTS, starter
from engine.data.registry import DATASETS, POINT_DATASETS
from engine.export.script import script
from engine.spec.parse import parse_spec
from engine.spec.types import SpecError
from engine.spec.urlcodec import hash_to_raw, spec_to_hash
from engine.training.session import Session

XOR = [[-3, -3, 0], [3, 3, 0], [-3, 3, 1], [3, -3, 1], [-4, -2, 0], [2, 4, 0], [-2, 4, 1],
       [4, -2, 1]]


def spec(points=None, dataset="hand", **data):
    raw = {"dataset": dataset, **data}
    if points is not None:
        raw["points"] = points
    return parse_spec({"data": raw})


def errors(**kw):
    with pytest.raises(SpecError) as exc:
        spec(**kw)
    return [(e["path"], e["message"]) for e in exc.value.errors]


def test_hand_sets_are_point_sets_that_the_generators_list_leaves_out():
    assert DATASETS["hand"].family == DATASETS["hand-values"].family == "points"
    assert DATASETS["hand"].hand and DATASETS["hand-values"].problem == "regression"
    assert "hand" not in POINT_DATASETS


def test_a_hand_set_without_points_opens_with_its_starter():
    assert spec().data.points == starter(False)
    assert {p[2] for p in spec(dataset="hand-values").data.points} == {-1.0, 1.0}


def test_points_are_rounded_and_round_trip_through_json_and_the_url():
    s = spec([[1.234, -5.999, 1], [0, 0, 0]])
    assert s.data.points == ((1.23, -6.0, 1.0), (0.0, 0.0, 0.0))
    assert parse_spec(s.to_dict()) == s
    text = spec_to_hash(s.to_dict())
    assert "points=1.23,-6,1;0,0,0" in text
    assert parse_spec(hash_to_raw(text)) == s


def test_other_datasets_write_no_points():
    s = parse_spec({})
    assert "points" not in s.to_dict()["data"] and "points=" not in spec_to_hash(s.to_dict())


@pytest.mark.parametrize("kw, path, words", [
    ({"points": [[1, 1, 0]]}, "data.points", "1 points is outside 2 to 500"),
    ({"points": [[0, 0, 0]] * (MAX_HAND_POINTS + 1)}, "data.points", "501 points"),
    ({"points": "1,2,3"}, "data.points", "must be a list"),
    ({"points": [[0, 0, 0], [7, 0, 1]]}, "data.points[1]", "off the plane"),
    ({"points": [[0, 0, 0], [0, 0, 2]]}, "data.points[1]", "class 2 is not one of 0 to 1"),
    ({"points": [[0, 0, 0], [0, 0, 0.5]]}, "data.points[1]", "class 0.5"),
    ({"points": [[0, 0], [0, 0, 1]]}, "data.points[0]", "is not [x1, x2, class]"),
    ({"points": [[0, 0, 0], [0, 0, True]]}, "data.points[1]", "is not [x1, x2, class]"),
    ({"points": [[0, 0, 0], [0, 0, 2]], "dataset": "hand-values"}, "data.points[1]",
     "value 2 is outside -1 to 1"),
    ({"points": [[0, 0, 0], [0, 0, 1]], "dataset": "circle"}, "data.points",
     "circle draws its own data"),
])
def test_bad_points_are_named(kw, path, words):
    found = errors(**kw)
    assert any(p == path and words in m for p, m in found), found


def test_a_third_class_needs_classes_3():
    assert spec([[0, 0, 0], [1, 1, 2]], classes=3).data.classes == 3
    assert errors(points=[[0, 0, 0], [1, 1, 2]])


def test_moving_points_keeps_the_network_and_retrains_on_the_new_ones():
    session = Session(spec(XOR, features=["x1x2"]))
    for _ in range(3):
        session.train_epoch()
    weights = [p.detach().clone() for p in session.params]
    moved = spec(XOR + [[5, 5, 0], [-5, 5, 1]], features=["x1x2"])
    assert session.configure(moved) is False            # not rebuilt
    assert all(torch.equal(a, b) for a, b in zip(weights, session.params))
    assert session.epoch == 3 and len(session.splits["train"]) + len(session.splits["test"]) == 10
    for _ in range(200):
        session.train_epoch()
    assert session.metrics["train_accuracy"] == 1.0


def test_the_exported_script_carries_the_points():
    text = script(Session(spec([[1.5, 2, 1], [0, -1, 0]])))
    assert "POINTS = [\n    [1.5, 2.0, 1.0],\n    [0.0, -1.0, 0.0],\n]" in text
    namespace = {"__name__": "exported", "__file__": "model.py"}
    exec(compile(text, "model.py", "exec"), namespace)
    X, y = namespace["draw"]()
    assert X.tolist() == [[1.5, 2.0], [0.0, -1.0]] and y.tolist() == [1, 0]
