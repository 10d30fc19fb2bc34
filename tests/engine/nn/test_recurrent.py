"""Oracle tests for engine.recurrent: the hand unroll against torch.nn.RNN/LSTM/GRU on the same
weights, gradient norms per time step against autograd on the modules' own hidden states,
generation against arg-max and full re-run decoding, and the free-running forecast."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from engine.nn.layers import build_net
from engine.nn.recurrent import Recurrent, forecast, generate, step_gradient_norms, unroll
from engine.spec.types import Layer


M2M, M2O = "many_to_many", "many_to_one"
T, F_IN, H = 7, 3, 5
TOL = 1e-5
LONG_T = 60                 # long enough for a simple RNN's gradient to vanish
SMALL_INIT = 0.1            # recurrent weights U(±0.1): the classic vanishing-gradient setting
VANISHING_MARGIN = 8        # orders of magnitude between RNN's and LSTM's t=0 / t=T−1 ratios

SeqLayer = Layer


def seq(kind, units, num_layers=1, act=None, dim=None):
    return SeqLayer(kind, units=units, num_layers=num_layers, activation=act, dim=dim)


def embedding(dim):
    return SeqLayer("embedding", dim=dim)


def dense(units, act="tanh"):
    return SeqLayer("dense", units=units, activation=act)


KINDS = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", None), ("gru", None)]
KIND_IDS = ["rnn-tanh", "rnn-relu", "lstm", "gru"]


def make_block(kind, act, num_layers, seed=0, scale=0.8) -> Recurrent:
    """A block with weights large enough that every nonlinearity bends."""
    torch.manual_seed(seed)
    block = Recurrent(kind, F_IN, H, num_layers, act or "tanh")
    with torch.no_grad():
        for p in block.parameters():
            p.uniform_(-scale, scale)
    return block


def single_layer_copy(mod: nn.RNNBase, k: int) -> nn.RNNBase:
    """Stacked layer k of `mod` as its own one-layer torch module (the per-layer oracle)."""
    n_in = mod.input_size if k == 0 else mod.hidden_size
    extra = {"nonlinearity": mod.nonlinearity} if isinstance(mod, nn.RNN) else {}
    one = type(mod)(n_in, mod.hidden_size, 1, batch_first=True, **extra)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(one, f"{name}_l0").copy_(getattr(mod, f"{name}_l{k}"))
    return one


# --- unroll ------------------------------------------------------------------------------------

@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("kind,act", KINDS, ids=KIND_IDS)
def test_unroll_equals_torch_modules(kind, act, num_layers):
    block = make_block(kind, act, num_layers)
    x = torch.randn(T, F_IN, generator=torch.Generator().manual_seed(1))
    got = unroll(block, x)
    assert len(got["hidden"]) == num_layers and got["gate_layer"] == 0
    with torch.no_grad():
        out, state = block.rnn(x[None])
        h_n = state[0] if kind == "lstm" else state
        layer_in = x[None]
        for k in range(num_layers):            # each stacked layer against its own module
            layer_in = single_layer_copy(block.rnn, k)(layer_in)[0]
            np.testing.assert_allclose(got["hidden"][k], layer_in[0].numpy(), atol=TOL)
            np.testing.assert_allclose(got["hidden"][k][-1], h_n[k, 0].numpy(), atol=TOL)
    np.testing.assert_allclose(got["hidden"][-1], out[0].numpy(), atol=TOL)


def lstm_cell_states(mod: nn.LSTM, x: torch.Tensor) -> np.ndarray:
    """Stacked layer 0's c_t for every t, stepping torch's own LSTM one step at a time."""
    one, state, cells = single_layer_copy(mod, 0), None, []
    with torch.no_grad():
        for t in range(x.shape[0]):
            _, state = one(x[None, t:t + 1], state)
            cells.append(state[1][0, 0].numpy())
    return np.stack(cells)


@pytest.mark.parametrize("num_layers", [1, 2])
def test_lstm_gates_imply_torchs_cell_state(num_layers):
    block = make_block("lstm", None, num_layers)
    x = torch.randn(T, F_IN, generator=torch.Generator().manual_seed(2))
    got = unroll(block, x)
    gates = got["gates"]
    assert set(gates) == {"input", "forget", "output", "cell"}
    assert all(g.shape == (T, H) for g in gates.values())
    np.testing.assert_allclose(gates["cell"], lstm_cell_states(block.rnn, x), atol=TOL)
    # h_t = o_t ⊙ tanh(c_t): the gates and the hidden state tell one story
    np.testing.assert_allclose(got["hidden"][0], gates["output"] * np.tanh(gates["cell"]),
                               atol=TOL)
    for name in ("input", "forget", "output"):
        assert ((gates[name] > 0) & (gates[name] < 1)).all()


def test_gru_gates_and_rnn_has_none():
    x = np.random.default_rng(3).normal(size=(T, F_IN)).astype(np.float32)   # numpy is fine
    gru = unroll(make_block("gru", None, 1), x)
    assert set(gru["gates"]) == {"reset", "update"}
    assert all(((g > 0) & (g < 1)).all() and g.shape == (T, H) for g in gru["gates"].values())
    assert unroll(make_block("rnn", "tanh", 1), x)["gates"] == {}


def test_unroll_takes_a_bare_torch_module():
    mod = make_block("gru", None, 2).rnn
    x = torch.randn(T, F_IN)
    with torch.no_grad():
        np.testing.assert_allclose(unroll(mod, x)["hidden"][-1], mod(x[None])[0][0].numpy(),
                                   atol=TOL)


# --- gradient norms per step -------------------------------------------------------------------

def autograd_step_norms(net, x, target, loss_fn, layer_index, stacked):
    """The oracle: step torch's own one-layer modules (copies of each stacked layer) one step at
    a time, so each h_t is a node that feeds the next step, the layer above and the output;
    retain_grad; backprop."""
    block = net.blocks[layer_index]
    is_lstm = isinstance(block.rnn, nn.LSTM)
    layers = [single_layer_copy(block.rnn, k) for k in range(block.rnn.num_layers)]
    xs = net.forward_to(layer_index, x[None])
    states, kept, tops = [None] * len(layers), [], []
    for t in range(xs.shape[1]):
        inp, per_layer = xs[:, t:t + 1], []
        for k, one in enumerate(layers):
            _, state = one(inp, states[k])
            h = (state[0] if is_lstm else state)[0]            # [1, H]: this step's node
            h.retain_grad()
            per_layer.append(h)
            states[k] = (h[None], state[1]) if is_lstm else h[None]
            inp = h[:, None]
        kept.append(per_layer[stacked])
        tops.append(per_layer[-1])
    loss = loss_fn(net.forward_from(layer_index + 1, torch.stack(tops, 1)), target)
    loss.backward()
    return np.array([node.grad.norm().item() for node in kept])


GRAD_CASES = {
    # name -> (layers, input shape, sequence, vocab, recurrent layer index, stacked layer)
    "rnn many-to-one": ([seq("rnn", H, act="tanh")], (T, F_IN), M2O, 0, 0, -1),
    "lstm 2 stacked, bottom layer": ([seq("lstm", H, 2)], (T, F_IN), M2O, 0, 0, 0),
    "gru after dense, many-to-many": ([dense(4), seq("gru", H, 2), dense(3)], (T, F_IN), M2M,
                                      0, 1, -1),
    "text lstm": ([embedding(4), seq("lstm", H)], (T,), M2M, 9, 1, -1),
}


def per_step_cross_entropy(logits, ids):
    return F.cross_entropy(logits.transpose(1, 2), ids)      # torch wants classes on axis 1


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_step_gradient_norms_equal_autograd_on_torch_states(name):
    layers, shape, sequence, vocab, index, stacked = GRAD_CASES[name]
    torch.manual_seed(4)
    out = vocab or 2
    net = build_net(layers, shape, out, "linear", sequence=sequence, vocab=vocab)
    gen = torch.Generator().manual_seed(5)
    if vocab:
        x = torch.randint(0, vocab, shape, generator=gen)
        target = torch.randint(0, vocab, (1, T), generator=gen)
        loss_fn = per_step_cross_entropy
    else:
        x = torch.randn(shape, generator=gen)
        target = torch.randn((1, T, out) if sequence == M2M else (1, out), generator=gen)
        loss_fn = F.mse_loss
    got = step_gradient_norms(net, x, target, loss_fn, index, stacked)
    assert all(p.grad is None for p in net.parameters())      # a probe: the model is untouched
    want = autograd_step_norms(net, x, target, loss_fn, index, stacked)
    assert got.shape == (T,) and (got > 0).all()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-7)


def test_step_gradient_norms_refuse_a_non_recurrent_layer():
    net = build_net([dense(3), seq("gru", H)], (T, F_IN), 1, "linear", sequence=M2O)
    with pytest.raises(ValueError, match="not recurrent"):
        step_gradient_norms(net, torch.randn(T, F_IN), torch.zeros(1, 1), F.mse_loss, 0)


def vanishing_ratio(kind: str, seed: int) -> float:
    """log10 of ‖∂L/∂h_0‖ / ‖∂L/∂h_{T−1}‖ with the loss on the last step only (float64, so
    nothing underflows)."""
    torch.manual_seed(seed)
    net = build_net([seq(kind, 16)], (LONG_T, 1), 1, "linear", sequence=M2O).double()
    with torch.no_grad():
        for p in net.blocks[0].parameters():
            p.uniform_(-SMALL_INIT, SMALL_INIT)
    x = torch.randn(LONG_T, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    norms = step_gradient_norms(net, x, torch.ones(1, 1, dtype=torch.float64), F.mse_loss, 0)
    return float(np.log10(norms[0] / norms[-1]))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rnn_gradient_vanishes_far_faster_than_lstm(seed):
    """Measured: RNN about 10^-36, LSTM about 10^-17 (its forget gate ≈ σ(0) = ½ per step)."""
    rnn, lstm = vanishing_ratio("rnn", seed), vanishing_ratio("lstm", seed)
    assert lstm < 0                                    # both fade from the last step backwards
    assert rnn < lstm - VANISHING_MARGIN


# --- generation --------------------------------------------------------------------------------

VOCAB = 7
PROMPT = [1, 4, 2]


def text_net(sequence, seed=6):
    torch.manual_seed(seed)
    return build_net([embedding(4), seq("gru", 8, 2)], (10,), VOCAB, "linear",
                     sequence=sequence, vocab=VOCAB).double()


def rerun_decode(net, prompt, steps, pick):
    """The O(n²) reference: run the whole sequence again for every new token."""
    ids = list(prompt)
    with torch.no_grad():
        for _ in range(steps):
            out = net(torch.tensor([ids]))
            ids.append(pick(out[0, -1] if out.dim() == 3 else out[0]))
    return ids[len(prompt):]


@pytest.mark.parametrize("sequence", [M2M, M2O])
def test_zero_temperature_is_argmax_decoding(sequence):
    net = text_net(sequence).eval()
    got = generate(net, PROMPT, 12, 0.0, torch.Generator().manual_seed(0))
    assert got == rerun_decode(net, PROMPT, 12, lambda logits: int(logits.argmax()))
    assert generate(net, PROMPT, 12, 1e-9) == got


@pytest.mark.parametrize("sequence", [M2M, M2O])
def test_sampling_is_seeded_and_carries_state_like_a_rerun(sequence):
    net = text_net(sequence).train()
    runs = [generate(net, PROMPT, 30, 1.5, torch.Generator().manual_seed(11)) for _ in range(2)]
    assert runs[0] == runs[1] and len(runs[0]) == 30
    assert all(0 <= i < VOCAB for i in runs[0])
    assert net.training                                # the mode comes back
    gen = torch.Generator().manual_seed(11)
    net.eval()
    ref = rerun_decode(net, PROMPT, 30, lambda logits: int(torch.multinomial(
        torch.softmax(logits / 1.5, -1), 1, generator=gen)))
    assert runs[0] == ref
    other = generate(net, PROMPT, 30, 1.5, torch.Generator().manual_seed(12))
    assert other != runs[0]                            # 7^30 outcomes: a clash is not luck


def test_generate_edge_cases():
    net = text_net(M2M)
    assert generate(net, PROMPT, 0, 1.0) == []
    assert len(generate(net, [3], 5, 0.7, torch.Generator().manual_seed(1))) == 5
    with pytest.raises(ValueError, match="prompt"):
        generate(net, [], 5, 1.0)


# --- forecast ----------------------------------------------------------------------------------

def echo_net(sequence, drift):
    """Predicts the last input plus `drift`: relu RNN with W_ih = 1, W_hh = 0 copies positive
    inputs into its one unit; the head adds `drift`."""
    net = build_net([seq("rnn", 1, act="relu")], (5, 1), 1, "linear", sequence=sequence)
    mod = net.blocks[0].rnn
    with torch.no_grad():
        mod.weight_ih_l0.fill_(1.0)
        for p in (mod.weight_hh_l0, mod.bias_ih_l0, mod.bias_hh_l0):
            p.zero_()
        net.head.weight.fill_(1.0)
        net.head.bias.fill_(drift)
    return net


@pytest.mark.parametrize("sequence", [M2M, M2O])
@pytest.mark.parametrize("drift", [0.0, 0.5])
def test_forecast_feeds_predictions_back(sequence, drift):
    window = np.array([[1.0], [2.0], [3.0], [2.5], [4.0]], dtype=np.float32)
    got = forecast(echo_net(sequence, drift), window, 6)
    assert got.shape == (6,)
    np.testing.assert_allclose(got, 4.0 + drift * np.arange(1, 7), rtol=1e-6)


def test_forecast_follows_a_trained_like_identity_over_the_window():
    """An identity net (predict the last value) holds the last input; zero steps give none."""
    net = echo_net(M2O, 0.0)
    assert forecast(net, np.ones((5, 1)), 0).shape == (0,)
    with pytest.raises(ValueError, match="1 feature"):
        forecast(net, np.ones((5, 2)), 3)
