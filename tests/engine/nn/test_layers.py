"""Oracle tests for engine.layers: the planner's shapes, parameter counts and FLOPs against real
torch modules (a forward pass, numel, and MACs measured by forward hooks), and its refusals.
Sequence models (series and text; many-to-many and many-to-one heads) are checked the same way."""
import json
import math

import pytest
import torch
from torch import nn

from engine.nn.layers import build_net, conv_weights
from engine.spec.plan import (MAX_ACTIVATIONS, MAX_PARAMS, OUTPUT_KIND, TEXT_FIRST, LayerError,
                              describe, plan)
from engine.spec.types import Layer


BATCH = 2
OUT = 3
M2M, M2O = "many_to_many", "many_to_one"

SeqLayer = Layer


def conv(filters, kernel, stride=None, padding=None, act="relu"):
    return Layer("conv2d", filters=filters, kernel=kernel, stride=stride, padding=padding,
                 activation=act)


def maxpool(kernel, stride=None):
    return Layer("maxpool", kernel=kernel, stride=stride)


def avgpool(kernel, stride=None):
    return Layer("avgpool", kernel=kernel, stride=stride)


def residual(filters, kernel=3, act="relu"):
    return Layer("residual", filters=filters, kernel=kernel, activation=act)


def dense(units, act="relu"):
    return Layer("dense", units=units, activation=act)


def batchnorm(act=None):
    return Layer("batchnorm", activation=act)


def dropout(rate=0.5):
    return Layer("dropout", rate=rate)


def embedding(dim):
    return SeqLayer("embedding", dim=dim)


def rnn(units, num_layers=1, act="tanh"):
    return SeqLayer("rnn", units=units, num_layers=num_layers, activation=act)


def lstm(units, num_layers=1):
    return SeqLayer("lstm", units=units, num_layers=num_layers)


def gru(units, num_layers=1):
    return SeqLayer("gru", units=units, num_layers=num_layers)


FLATTEN = Layer("flatten")
LENET = [conv(8, 3, padding=1), maxpool(2), conv(16, 3, padding=1), maxpool(2), dense(64)]

CASES = {
    "conv k3 valid": ((1, 8, 8), [conv(4, 3)]),
    "conv k3 same": ((1, 8, 8), [conv(4, 3, 1, 1)]),
    "conv k3 s2 p1": ((3, 9, 9), [conv(6, 3, 2, 1)]),
    "conv k5 s2 rounded down": ((1, 12, 12), [conv(2, 5, 2, 0, "tanh")]),
    "conv k1": ((4, 6, 6), [conv(2, 1, act="linear")]),
    "conv k2 s3 p2": ((2, 7, 7), [conv(3, 2, 3, 2)]),
    "conv non-square": ((1, 6, 10), [conv(3, 3, 2, 1)]),
    "conv kernel = padded input": ((1, 4, 4), [conv(2, 6, 1, 1)]),
    "conv stride past the input": ((1, 4, 4), [conv(2, 2, 8)]),
    "maxpool k2": ((4, 8, 8), [maxpool(2)]),
    "maxpool k3 s1": ((2, 5, 5), [maxpool(3, 1)]),
    "avgpool k2 odd input": ((3, 7, 7), [avgpool(2, 2)]),
    "avgpool k3 s2": ((2, 9, 9), [avgpool(3, 2)]),
    "residual same channels": ((4, 6, 6), [residual(4)]),
    "residual more channels": ((3, 6, 6), [residual(8)]),
    "residual k5 after conv": ((1, 8, 8), [conv(2, 3, padding=1), residual(6, 5, "elu")]),
    "batchnorm 2d": ((3, 5, 5), [batchnorm("relu")]),
    "batchnorm 1d": ((7,), [batchnorm()]),
    "batchnorm after dense": ((4,), [dense(6, "linear"), batchnorm("tanh")]),
    "dropout image and flat": ((2, 4, 4), [dropout(0.25), FLATTEN, dropout(0.5)]),
    "flatten then dense": ((2, 3, 3), [FLATTEN, dense(5)]),
    "dense after conv": ((1, 6, 6), [conv(3, 3, 2, 1), dense(4)]),
    "dense only": ((2,), [dense(8, "tanh"), dense(4, "sigmoid")]),
    "flatten of flat": ((5,), [FLATTEN]),
    "lenet": ((1, 8, 8), LENET),
    "everything": ((2, 12, 12), [conv(4, 3, 1, 1), batchnorm("relu"), maxpool(2),
                                 residual(6), avgpool(2), dropout(0.1), dense(7)]),
}


def measured_macs(block: nn.Module, x: torch.Tensor) -> int:
    """Multiply-accumulates of one sample through `block`, measured with forward hooks on its
    weighted and windowed submodules, independent of engine.layers' arithmetic."""
    total = 0

    def hook(mod, inputs, out):
        nonlocal total
        per_sample = out[0][0] if isinstance(out, tuple) else out[0]   # RNNs give (out, state)
        if isinstance(mod, nn.Conv2d):
            total += per_sample.shape[1] * per_sample.shape[2] * mod.weight.numel()
        elif isinstance(mod, nn.Linear):                    # once per time step on sequences
            total += mod.weight.numel() * (per_sample.numel() // mod.out_features)
        elif isinstance(mod, nn.RNNBase):                   # every weight matrix, every step
            total += per_sample.shape[0] * sum(p.numel() for n, p in mod.named_parameters()
                                               if n.startswith("weight_"))
        elif isinstance(mod, (nn.MaxPool2d, nn.AvgPool2d)):
            total += per_sample.numel() * mod.kernel_size ** 2
        elif isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)):
            total += per_sample.numel()

    handles = [m.register_forward_hook(hook) for m in block.modules()]
    with torch.no_grad():
        block(x)
    for h in handles:
        h.remove()
    return total


def check_plans_against(net, plans, layers, x):
    assert len(plans) == len(layers) + 1 and len(net.blocks) == len(layers)
    outs = net.forward_all(x)
    inputs = [x] + outs[:-1]
    for p, block, inp, out in zip(plans, list(net.blocks) + [None], inputs, outs):
        assert (BATCH, *p.in_shape) == tuple(inp.shape), p
        assert (BATCH, *p.out_shape) == tuple(out.shape), p
        if block is None:                                   # the head
            block = nn.Sequential(net.to_head, net.head)
        assert p.params == sum(t.numel() for t in block.parameters()), p
        assert p.flops == measured_macs(block, inp), p


@pytest.mark.parametrize("name", list(CASES))
def test_plan_agrees_with_torch(name):
    input_shape, layers = CASES[name]
    plans = plan(layers, input_shape, OUT)
    net = build_net(layers, input_shape, OUT, "linear")
    check_plans_against(net, plans, layers, torch.zeros(BATCH, *input_shape))


# name -> (input shape, layers, sequence, vocab); vocab > 0: (T,) token ids
SEQ_CASES = {
    "rnn tanh": ((7, 3), [rnn(5)], M2M, 0),
    "rnn relu 2 stacked, many-to-one": ((6, 2), [rnn(4, 2, "relu")], M2O, 0),
    "lstm": ((5, 3), [lstm(6)], M2M, 0),
    "lstm 3 stacked, many-to-one": ((4, 2), [lstm(3, 3)], M2O, 0),
    "gru 2 stacked": ((6, 4), [gru(5, 2)], M2M, 0),
    "recurrent kinds in a row": ((5, 2), [rnn(3), lstm(4), gru(2)], M2O, 0),
    "dense per step around an rnn": ((9, 2), [dense(4, "tanh"), rnn(3), dense(2)], M2M, 0),
    "dropout on a series": ((5, 1), [gru(4), dropout(0.3)], M2O, 0),
    "text embedding only": ((6,), [embedding(3)], M2M, 10),
    "text embedding lstm": ((8,), [embedding(4), lstm(6)], M2M, 11),
    "text gru dense many-to-one": ((8,), [embedding(5), gru(6, 2), dropout(0.2),
                                          dense(7, "relu")], M2O, 13),
}


def seq_input(input_shape, vocab):
    gen = torch.Generator().manual_seed(0)
    if vocab:
        return torch.randint(0, vocab, (BATCH, *input_shape), generator=gen)
    return torch.randn(BATCH, *input_shape, generator=gen)


@pytest.mark.parametrize("name", list(SEQ_CASES))
def test_sequence_plan_agrees_with_torch(name):
    input_shape, layers, sequence, vocab = SEQ_CASES[name]
    plans = plan(layers, input_shape, OUT, sequence=sequence, vocab=vocab)
    net = build_net(layers, input_shape, OUT, "linear", sequence=sequence, vocab=vocab)
    check_plans_against(net, plans, layers, seq_input(input_shape, vocab))
    assert sum(t.numel() for t in net.parameters()) == sum(p.params for p in plans)


@pytest.mark.parametrize("sequence,out_shape", [(M2M, (7, OUT)), (M2O, (OUT,))])
def test_sequence_head_every_step_or_last(sequence, out_shape):
    layers = [lstm(4)]
    head = plan(layers, (7, 2), OUT, sequence=sequence)[-1]
    assert head.kind == OUTPUT_KIND and head.in_shape == (7, 4) and head.out_shape == out_shape
    assert head.params == 4 * OUT + OUT
    assert head.flops == 4 * OUT * (7 if sequence == M2M else 1)
    torch.manual_seed(0)
    net = build_net(layers, (7, 2), OUT, "linear", sequence=sequence)
    x = torch.randn(BATCH, 7, 2)
    y = net(x)
    assert tuple(y.shape) == (BATCH, *out_shape)
    states = net.blocks[0](x)
    last = net.head(states[:, -1])
    torch.testing.assert_close(y if sequence == M2O else y[:, -1], last)


def test_recurrent_flops_follow_the_formula():
    """T·G·(F·H + H·H) per stacked layer: F the input size for the first, H above it."""
    t, f, h = 6, 2, 4
    per_layer = [t * (f * h + h * h), t * (h * h + h * h)]
    for layer, g in [(rnn(h, 2), 1), (gru(h, 2), 3), (lstm(h, 2), 4)]:
        p = plan([layer], (t, f), OUT, sequence=M2M)[0]
        assert p.flops == g * sum(per_layer), layer.kind
        assert p.params == g * ((f * h + h * h + 2 * h) + (h * h + h * h + 2 * h))
    emb = plan([embedding(5), dense(3)], (t,), OUT, sequence=M2M, vocab=20)
    assert (emb[0].params, emb[0].flops, emb[0].out_shape) == (100, 0, (t, 5))
    assert (emb[1].flops, emb[1].out_shape) == (t * 5 * 3, (t, 3))


def test_recurrent_blocks_are_torch_modules_returning_the_sequence():
    torch.manual_seed(0)
    net = build_net([rnn(3, 2, "relu"), lstm(4), gru(5)], (6, 2), OUT, "linear", sequence=M2M)
    mods = [b.rnn for b in net.blocks]
    assert [type(m) for m in mods] == [nn.RNN, nn.LSTM, nn.GRU]
    assert mods[0].nonlinearity == "relu" and mods[0].num_layers == 2
    assert all(m.batch_first for m in mods)
    x = torch.randn(BATCH, 6, 2)
    outs = net.forward_all(x)
    torch.testing.assert_close(outs[0], mods[0](x)[0])
    assert "blocks.1.rnn.weight_hh_l0" in net.state_dict()


@pytest.mark.parametrize("name", [n for n in CASES if "conv" in n or n == "lenet"])
def test_conv_flops_follow_the_seed_formula(name):
    """H₂·W₂·K²·D₁·D₂ from the real output's size and the conv's own attributes."""
    input_shape, layers = CASES[name]
    net = build_net(layers, input_shape, OUT, "linear")
    outs = net.forward_all(torch.zeros(BATCH, *input_shape))
    for p, block, out in zip(net.plans, net.blocks, outs):
        if p.kind == "conv2d":
            c = block.conv
            k, = set(c.kernel_size)
            assert p.flops == out.shape[2] * out.shape[3] * k * k * c.in_channels * c.out_channels
            assert p.params == k * k * c.in_channels * c.out_channels + c.out_channels


def test_output_size_formula_in_notes():
    (p,) = plan([conv(4, 3, 2, 1)], (1, 9, 9), OUT)[:1]
    assert p.note == "(9 − 3 + 2·1)/2 + 1 = 5"
    assert "rounded down" in plan([conv(2, 5, 2)], (1, 12, 12), OUT)[0].note


@pytest.mark.parametrize("name", list(CASES))
def test_total_numel_equals_planned_params(name):
    input_shape, layers = CASES[name]
    net = build_net(layers, input_shape, OUT, "linear")
    assert sum(t.numel() for t in net.parameters()) == sum(p.params for p in net.plans)


REFUSALS = [
    # (input shape, layers, index, field, words the message must contain)
    ((1, 4, 4), [conv(2, 7)], 0, "kernel", ["7 is larger than the 4×4 input (padding 0)"]),
    ((1, 4, 4), [conv(2, 7, 1, 1)], 0, "kernel", ["7", "4×4", "padding 1"]),
    # A kernel that fits leaves at least 1×1 whatever the stride; one that does not is refused.
    ((1, 4, 4), [conv(2, 5, 4)], 0, "kernel", ["5", "4×4"]),
    ((4, 8, 8), [maxpool(2), maxpool(2), maxpool(2), maxpool(2)], 3, "kernel", ["2", "1×1"]),
    ((1, 8, 8), [conv(4, 3), FLATTEN, conv(4, 3)], 2, "kind",
     ["conv2d needs an image input; got 144 features"]),
    ((6,), [maxpool(2)], 0, "kind", ["maxpool", "6 features"]),
    ((6,), [residual(4)], 0, "kind", ["residual", "6 features"]),
    ((1, 8, 8), [residual(4, 4)], 0, "kernel", ["4 is even"]),
    ((3, 64, 64), [dense(500)], 0, "units", ["500", "6,144,500", f"{MAX_PARAMS:,}"]),
    ((1, 200, 200), [conv(64, 3, 1, 1)], 0, "filters",
     ["64×200×200", "2,560,000", f"{MAX_ACTIVATIONS:,}"]),
    ((64, 100, 100), [avgpool(1)], None, "layers", ["640,000 inputs", f"{MAX_PARAMS:,}"]),
    ((1, 8, 8), [Layer("conv2d", filters=4)], 0, "kernel", ["required"]),
    ((1, 8, 8), [dense(4), Layer("attention")], 1, "kind", ["'attention'", "conv2d", "lstm"]),
    ((1, 8, 8), [dense(4), Layer("lstm", units=4)], 1, "kind",
     ["lstm needs a sequence input; got 4 features"]),
]


@pytest.mark.parametrize("input_shape,layers,index,field,words", REFUSALS)
def test_impossible_layers_are_refused(input_shape, layers, index, field, words):
    with pytest.raises(LayerError) as err:
        plan(layers, input_shape, 10)
    e = err.value
    assert (e.index, e.field) == (index, field)
    assert str(e) == e.message
    for w in words:
        assert w in e.message
    with pytest.raises(LayerError):
        build_net(layers, input_shape, 10, "linear")


SEQ_REFUSALS = [
    # (input shape, layers, sequence, vocab, index, field, words the message must contain)
    ((5, 3), [embedding(4)], M2M, 0, 0, "kind",
     ["embedding needs a token input", "first layer", "got a 5×3 sequence"]),
    ((6,), [embedding(4), embedding(4)], M2M, 10, 1, "kind", ["embedding", "6×4 sequence"]),
    ((6,), [embedding(4)], "", 0, 0, "kind", ["embedding", "6 features"]),
    ((6,), [lstm(4)], M2M, 10, 0, "kind", [TEXT_FIRST]),
    ((6,), [dense(4)], M2O, 10, 0, "kind", [TEXT_FIRST]),
    ((6,), [], M2M, 10, None, "layers", [TEXT_FIRST]),
    ((6, 3), [conv(2, 3)], M2M, 0, 0, "kind", ["conv2d needs an image input; got a 6×3 sequence"]),
    ((6, 3), [FLATTEN], M2O, 0, 0, "kind", ["flatten", "6×3 sequence"]),
    ((6, 3), [batchnorm()], M2O, 0, 0, "kind", ["batchnorm", "6×3 sequence"]),
    ((6, 3), [rnn(4, act="gelu")], M2M, 0, 0, "activation", ["gelu", "tanh, relu"]),
    ((6,), [gru(4)], "", 0, 0, "kind", ["gru needs a sequence input; got 6 features"]),
    ((1, 8, 8), [rnn(4)], "", 0, 0, "kind", ["rnn needs a sequence input; got a 1×8×8 image"]),
    ((6, 3), [SeqLayer("lstm")], M2M, 0, 0, "units", ["required"]),
    ((6,), [SeqLayer("embedding")], M2M, 10, 0, "dim", ["required"]),
    ((20, 8), [lstm(1024, 2)], M2O, 0, 0, "units", ["parameters", f"{MAX_PARAMS:,}"]),
]


@pytest.mark.parametrize("input_shape,layers,sequence,vocab,index,field,words", SEQ_REFUSALS)
def test_impossible_sequence_layers_are_refused(input_shape, layers, sequence, vocab, index,
                                                field, words):
    with pytest.raises(LayerError) as err:
        plan(layers, input_shape, OUT, sequence=sequence, vocab=vocab)
    assert (err.value.index, err.value.field) == (index, field)
    for w in words:
        assert w in err.value.message
    with pytest.raises(LayerError):
        build_net(layers, input_shape, OUT, "linear", sequence=sequence, vocab=vocab)


@pytest.mark.parametrize("input_shape,sequence,vocab", [
    ((6, 3), "sideways", 0),       # not a sequence mode
    ((6,), "", 10),                # token ids outside a sequence model
    ((6, 3), M2M, 10),             # token ids are (T,)
    ((6,), M2M, 0),                # a series is (T, F)
])
def test_inconsistent_inputs_are_caller_bugs(input_shape, sequence, vocab):
    with pytest.raises(ValueError) as err:
        plan([dense(2)], input_shape, OUT, sequence=sequence, vocab=vocab)
    assert not isinstance(err.value, LayerError)


def test_refused_layer_also_fails_in_torch():
    """The planner refuses what torch itself cannot run."""
    with pytest.raises(RuntimeError):
        nn.Conv2d(1, 2, 7)(torch.zeros(1, 1, 4, 4))


def test_forward_all_gives_each_layer_then_head():
    net = build_net(LENET, (1, 8, 8), 10, "sigmoid")
    x = torch.randn(BATCH, 1, 8, 8)
    outs = net.forward_all(x)
    assert len(outs) == len(LENET) + 1
    torch.testing.assert_close(outs[-1], net(x))
    assert ((outs[-1] > 0) & (outs[-1] < 1)).all()          # the out activation is applied


def test_lenet_plans_builds_and_learns_a_step():
    plans = plan(LENET, (1, 8, 8), 10)
    assert [p.out_shape for p in plans] == [(8, 8, 8), (8, 4, 4), (16, 4, 4), (16, 2, 2), (64,),
                                            (10,)]
    assert plans[4].note == "flattens 16×2×2 → 64"
    assert plans[-1].kind == OUTPUT_KIND and plans[-1].index is None
    assert plans[2].flops == 4 * 4 * 3 * 3 * 8 * 16
    torch.manual_seed(0)
    net = build_net(LENET, (1, 8, 8), 10, "linear")
    x, y = torch.randn(16, 1, 8, 8), torch.randint(0, 10, (16,))
    loss = nn.functional.cross_entropy(net(x), y)
    loss.backward()
    assert all(p.grad is not None for p in net.parameters())


def test_conv_weights_for_filter_views():
    layers = [conv(4, 3), maxpool(2), residual(6, 3), dense(5)]
    net = build_net(layers, (2, 10, 10), OUT, "linear")
    got = [(i, tuple(w.shape)) for i, w in conv_weights(net)]
    assert got == [(0, (4, 2, 3, 3)), (2, (6, 4, 3, 3))]
    assert not conv_weights(net)[0][1].requires_grad


def test_describe_is_json():
    rows = describe(plan(LENET, (1, 8, 8), 10))
    json.dumps(rows)
    assert rows[0]["out_shape"] == [8, 8, 8] and rows[0]["out_text"] == "8×8×8"
    assert rows[-1]["kind"] == OUTPUT_KIND
    assert sum(r["params"] for r in rows) == (8 * 9 + 8) + (16 * 8 * 9 + 16) + (64 * 64 + 64) \
        + (64 * 10 + 10)


def test_state_dict_is_plain_and_exports():
    net = build_net(CASES["everything"][1], (2, 12, 12), OUT, "tanh").eval()
    assert all(isinstance(v, torch.Tensor) for v in net.state_dict().values())
    assert "blocks.6.linear.weight" in net.state_dict() and "head.weight" in net.state_dict()
    x = torch.randn(BATCH, 2, 12, 12)
    exported = torch.export.export(net, (x,)).module()
    torch.testing.assert_close(exported(x), net(x))
    assert math.prod(exported(x).shape) == BATCH * OUT
