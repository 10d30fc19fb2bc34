"""A batched group trains each member as the member would train alone (oracle: the same specs
trained solo), hands its state back on release, and refuses what it cannot stack."""
import gc
import itertools
import math

import pytest
import torch

from engine.frames.snapshot import snapshot
from engine.nn.activations import ACTIVATIONS
from engine.spec.parse import parse_spec
from engine.training.batched import BatchedGroup, batch_key
from engine.training.session import Session


RTOL, ATOL = 1e-5, 1e-6
OUT_ATOL = 1e-5    # outputs sum weights times inputs of up to ±6: rounding grows with them
CHUNK = 7          # steps per group call: calls end mid-epoch and span epoch ends


def ticks():
    """A clock that advances one tick per reading: train_for(k, clock=ticks()) takes k steps."""
    return itertools.count().__next__


def session(raw: dict) -> Session:
    """A playing session with no speed limit: these tests count steps, not seconds."""
    s = Session(parse_spec(raw).with_training(speed=0))
    s.play()
    return s


def solo(raws: list[dict], steps: int) -> list[Session]:
    out = []
    for raw in raws:
        s = session(raw)
        s.train_for(steps, clock=ticks())
        out.append(s)
    return out


def grouped(raws: list[dict], steps: int) -> list[Session]:
    """Train as groups, rebuilding without whoever stops playing, `steps` steps in all."""
    members = [session(raw) for raw in raws]
    done = 0
    while done < steps:
        playing = [s for s in members if s.status == "playing"]
        if not playing:
            break
        group = BatchedGroup(playing)
        while done < steps:
            taken = group.train_for(min(CHUNK, steps - done), clock=ticks())
            done += taken
            if any(s.status != "playing" for s in playing):
                break
        group.release()
    return members


def close(a, b) -> bool:
    if a is None or b is None or isinstance(a, str):
        return a == b
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)


def assert_same(alone: Session, batched: Session) -> None:
    assert (batched.epoch, batched.step, batched.status, batched.message, batched.best_epoch) == (
        alone.epoch, alone.step, alone.status, alone.message, alone.best_epoch)
    for p, q in zip(alone.params, batched.params):
        torch.testing.assert_close(q, p, rtol=RTOL, atol=ATOL, equal_nan=True)
    assert alone.metrics.keys() == batched.metrics.keys()
    assert all(close(alone.metrics[k], batched.metrics[k]) for k in alone.metrics), (
        alone.metrics, batched.metrics)
    for key in alone.history.KEYS:
        if key == "seconds":                    # wall time: never the same twice
            continue
        a, b = getattr(alone.history, key), getattr(batched.history, key)
        assert len(a) == len(b) and all(map(close, a, b)), key
    assert batched.optimizer.t == alone.optimizer.t
    for key, values in alone.optimizer.state.items():
        for p, q in zip(values, batched.optimizer.state[key]):
            torch.testing.assert_close(q, p, rtol=RTOL, atol=ATOL, equal_nan=True)
    for name, out in alone.outputs.items():
        torch.testing.assert_close(batched.outputs[name], out, rtol=RTOL, atol=OUT_ATOL,
                                   equal_nan=True)


def check(raws: list[dict], epochs: int = 6) -> list[Session]:
    first = session(raws[0])
    steps = epochs * -(-len(first.splits["train"]) // first.spec.training.batch_size)
    alone, batched = solo(raws, steps), grouped(raws, steps)
    for a, b in zip(alone, batched):
        assert_same(a, b)
    return batched


def mix(base: dict, n: int = 4, **per_member) -> list[dict]:
    """n specs from `base`: data and training seed i, and per-member training fields cycled."""
    out = []
    for i in range(n):
        training = {**base.get("training", {}), "seed": i,
                    **{k: v[i % len(v)] for k, v in per_member.items()}}
        data = {**base.get("data", {}), "seed": 10 + i}
        out.append({**base, "data": data, "training": training})
    return out


DATASETS = ("circle", "xor", "gauss", "spiral")


def test_default_sessions_of_different_data_and_rates_train_as_alone():
    raws = [{"data": {"dataset": DATASETS[i], "seed": i},
             "training": {"seed": i, "learning_rate": [0.03, 0.1, 0.01, 0.3][i]}} for i in range(4)]
    check(raws)


# RMSprop's first steps are ±10·lr whatever the gradient's size: at 0.03 the walk is chaotic
# enough that float rounding alone (bmm's sums against mm's) parts the runs by 1e-5 in 70 steps.
RATES = {"rmsprop": [0.003, 0.001]}


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "rmsprop", "adagrad"])
@pytest.mark.parametrize("regularization", ["L1", "L2"])
def test_optimizers_and_regularisation(optimizer, regularization):
    base = {"training": {"optimizer": optimizer, "regularization": regularization}}
    check(mix(base, learning_rate=RATES.get(optimizer, [0.03, 0.01, 0.003]), momentum=[0.9, 0.5],
              regularization_rate=[0.001, 0.0, 0.01]))


def test_members_without_penalty_beside_members_with_one_and_with_clipping():
    raws = mix({}, regularization=["none", "L1", "L2", "none"],
               regularization_rate=[0.1, 0.01, 0.03, 0.0], clip=[0.0, 0.05, 0.0, 0.5])
    check(raws)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation(activation):
    base = {"model": {"layers": [{"units": 5, "activation": activation},
                                 {"units": 3, "activation": activation}]},
            "data": {"features": ["x1", "x2", "x1x2", "sinx1"]}}
    check(mix(base, learning_rate=[0.03, 0.1]), epochs=4)


@pytest.mark.parametrize("base", [
    {"data": {"dataset": "sine", "features": ["x1"]}},                       # regression, MSE
    {"data": {"dataset": "plane"}, "model": {"layers": [{"units": 3, "activation": "relu"}]}},
    {"data": {"dataset": "xor"}, "training": {"loss": "cross_entropy"}},      # one logit
    {"data": {"dataset": "spiral", "classes": 3}, "training": {"loss": "cross_entropy"}},
    {"data": {"dataset": "gauss", "classes": 4, "validation_ratio": 10},
     "training": {"loss": "cross_entropy", "optimizer": "adam"}},
], ids=["sine", "plane", "bce", "ce3", "ce4-validation"])
def test_heads_and_problems(base):
    check(mix(base, learning_rate=[0.03, 0.01]), epochs=4)


@pytest.mark.parametrize("batch_size", [1, 7, 30, 250, 400])
def test_batch_sizes_with_a_short_last_batch(batch_size):
    check(mix({"training": {"batch_size": batch_size}}, n=3, learning_rate=[0.03, 0.1]),
          epochs=3)


def test_a_member_that_diverges_pauses_and_the_others_go_on_after_a_rebuild():
    raws = mix({"training": {"batch_size": 30, "regularization": "L2", "learning_rate": 0.3}},
               n=3, regularization_rate=[0.001, 10, 0.01])
    for raw in raws:
        raw["data"] = {"dataset": "circle", "seed": 1}
    batched = check(raws, epochs=25)
    assert [s.status for s in batched] == ["playing", "diverged", "playing"]
    assert batched[1].epoch < 25 and "diverged" in batched[1].message
    assert batched[0].epoch == batched[2].epoch == 25


def test_early_stopping_restores_the_best_weights_and_the_others_go_on():
    raws = [{"data": {"dataset": "xor", "validation_ratio": 20, "seed": i},
             "training": {"learning_rate": 0.1, "early_stopping": 2, "seed": i}} for i in range(3)]
    batched = check(raws, epochs=25)
    assert [s.status for s in batched] == ["stopped", "stopped", "playing"]
    assert batched[0].epoch < batched[1].epoch < batched[2].epoch == 25
    assert "restored the weights of epoch" in batched[0].message


def test_release_mid_epoch_then_solo_training_continues_identically():
    raws = mix({"training": {"optimizer": "adam", "learning_rate": 0.003}}, n=3)
    alone = solo(raws, 310)
    members = [session(raw) for raw in raws]
    group = BatchedGroup(members)
    # One call past ADAM_TABLE steps, ending mid-epoch (25 steps each).
    assert group.train_for(287, clock=ticks()) == 287
    group.release()
    for s in members:
        s.train_for(23, clock=ticks())
    for a, b in zip(alone, members):
        assert_same(a, b)
    flat = members[0].params[0]
    assert flat.data_ptr() != members[1].params[0].data_ptr()
    assert flat.untyped_storage().nbytes() == flat.numel() * flat.element_size()


def test_members_at_different_points_of_an_epoch_finish_it_alone_first():
    raws = mix({"training": {"optimizer": "adam", "learning_rate": 0.003}}, n=4)
    alone = solo(raws, 80)
    members = [session(raw) for raw in raws]
    for s, k in zip(members, (0, 4, 13, 50)):     # Adam's step counts 0, 25, 25, 50 in the group
        s.train_for(k, clock=ticks())
    group = BatchedGroup(members)
    group.train_for(20, clock=ticks())
    group.release()
    for s in members:
        s.train_for(80 - s.step, clock=ticks())
    for a, b in zip(alone, members):
        assert_same(a, b)


def test_members_parameters_and_moments_are_views_of_the_stack():
    members = [session(raw) for raw in mix({"training": {"optimizer": "momentum"}}, n=2)]
    group = BatchedGroup(members)
    members[1].set_weight(0, 2, 1, 0.75)
    assert group._flat[1, 1 * 4 + 2] == 0.75                 # w0 is [in, out]: [frm, to]
    assert members[1].model.weight(0)[2, 1] == 0.75
    group.train_for(3, clock=ticks())
    assert members[1].optimizer.state["buf"][0].data_ptr() == (
        group._opt.state["buf"][1].data_ptr())
    group.release()


def test_a_weight_edit_while_grouped_trains_on_as_the_same_edit_alone():
    raws = mix({}, n=2)
    alone = [session(raw) for raw in raws]
    for s in alone:
        s.train_for(10, clock=ticks())
    alone[0].set_weight(1, 0, 3, -2.0)
    for s in alone:
        s.train_for(30, clock=ticks())
    members = [session(raw) for raw in raws]
    group = BatchedGroup(members)
    group.train_for(10, clock=ticks())
    members[0].set_weight(1, 0, 3, -2.0)
    group.train_for(30, clock=ticks())
    group.release()
    for a, b in zip(alone, members):
        assert_same(a, b)


def test_snapshots_of_a_grouped_member_show_its_own_state():
    raws = mix({}, n=2)
    alone = solo(raws, 50)
    members = [session(raw) for raw in raws]
    group = BatchedGroup(members)
    group.train_for(50, clock=ticks())
    for a, b in zip(alone, members):
        fa, fb = snapshot(a), snapshot(b)
        assert fa.scalars["epoch"] == fb.scalars["epoch"] == 2
        for name, array in fa.arrays.items():
            assert abs(array.astype(float) - fb.arrays[name].astype(float)).max() <= 1, name
    group.release()


def test_activation_grads_are_autograds():
    z = torch.linspace(-3, 3, 61, dtype=torch.float32).requires_grad_()
    upstream = torch.rand(61, generator=torch.Generator().manual_seed(0))
    for name, act in ACTIVATIONS.items():
        fn = act.fn
        y = fn(z)
        ours = ACTIVATIONS[name].grad(upstream, z.detach(), y.detach())
        if not y.requires_grad:                      # step: no gradient at all
            assert torch.equal(ours, torch.zeros_like(upstream))
            continue
        (ref,) = torch.autograd.grad(y, z, upstream)
        torch.testing.assert_close(ours, ref, rtol=1e-6, atol=1e-7, msg=name)


def test_batch_key_groups_what_can_be_stacked():
    base = session({})
    assert batch_key(base) == batch_key(session({"data": {"dataset": "xor", "seed": 3},
                                                 "training": {"learning_rate": 0.3,
                                                              "regularization": "L1"}}))
    for other in ({"model": {"layers": [{"units": 3}]}},
                  {"model": {"layers": [{"units": 4, "activation": "relu"}, {"units": 2}]}},
                  {"training": {"batch_size": 20}}, {"training": {"optimizer": "adam"}},
                  {"data": {"train_ratio": 60}}, {"data": {"features": ["x1", "x2", "x1x2"]}},
                  {"training": {"loss": "cross_entropy"}}):
        assert batch_key(session(other)) != batch_key(base), other


def test_sessions_that_cannot_be_stacked_have_no_key():
    images = Session(parse_spec({"data": {"dataset": "shapes", "samples": 40}}))
    sequences = Session(parse_spec({"data": {"dataset": "sine-wave", "samples": 40}}))
    assert batch_key(images) is None and batch_key(sequences) is None
    with pytest.raises(ValueError):
        BatchedGroup([images])


def test_a_group_refuses_mixed_keys_repeats_and_sessions_of_another_group():
    a, b, c = session({}), session({}), session({"training": {"batch_size": 5}})
    with pytest.raises(ValueError):
        BatchedGroup([a, c])
    with pytest.raises(ValueError):
        BatchedGroup([a, a])
    group = BatchedGroup([a, b])
    with pytest.raises(ValueError):
        BatchedGroup([b])
    group.release()
    BatchedGroup([b])                  # dropped without release: its members may regroup
    gc.collect()
    BatchedGroup([a, b]).release()


def test_train_for_stops_for_a_paused_member_and_refuses_a_changed_one():
    a, b = session({}), session({})
    group = BatchedGroup([a, b])
    b.pause()
    assert group.train_for(5, clock=ticks()) == 0 and a.step == 0
    b.play()
    b.configure(b.spec.with_training(learning_rate=0.1))
    with pytest.raises(RuntimeError):
        group.train_for(5, clock=ticks())
    group.release()
    with pytest.raises(RuntimeError):
        group.train_for(5, clock=ticks())
