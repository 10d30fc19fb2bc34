"""Recurrent blocks and the probes that look inside them.

`Recurrent` wraps torch.nn's RNN, LSTM and GRU (batch first) so a block returns its output
sequence; the probes (`unroll`, `step_gradient_norms`, `generate`, `forecast`) re-run a block by
hand with its own weights so every gate and hidden state is visible. Probes take one sequence
(no batch axis) and time runs along axis 0 of what they return (docs/internals.md).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

GATE_LAYER = 0            # gates are shown for the first stacked layer: it reads the input
GREEDY_BELOW = 1e-4       # temperatures at or below decode by arg-max (and 0 cannot divide)
_MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class Recurrent(nn.Module):
    """A stack of `num_layers` recurrent layers of one kind, batch first: [N, T, F] → [N, T, H]."""

    def __init__(self, kind: str, n_in: int, units: int, num_layers: int = 1,
                 activation: str = "tanh"):
        super().__init__()
        self.kind = kind
        extra = {"nonlinearity": activation} if kind == "rnn" else {}
        self.rnn = _MODULES[kind](n_in, units, num_layers, batch_first=True, **extra)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.rnn(x)[0]

    def forward_state(self, x: torch.Tensor, state=None):
        """(output, state): pass the state back in to continue the same sequences."""
        return self.rnn(x, state)


# --- the hand unroll ---------------------------------------------------------------------------

def _rnn_step(act: Callable):
    def step(gi, gh, h, c):
        return act(gi + gh), c, {}
    return step


def _lstm_step(gi, gh, h, c):
    i, f, g, o = (gi + gh).chunk(4)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = f * c + i * g
    return o * torch.tanh(c), c, {"input": i, "forget": f, "output": o, "cell": c}


def _gru_step(gi, gh, h, c):
    i_r, i_z, i_n = gi.chunk(3)
    h_r, h_z, h_n = gh.chunk(3)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)               # the reset gate scales W_hn h + b_hn, not h
    return (1 - z) * n + z * h, c, {"reset": r, "update": z}


def _step_fn(mod: nn.RNNBase) -> Callable:
    if isinstance(mod, nn.LSTM):
        return _lstm_step
    if isinstance(mod, nn.GRU):
        return _gru_step
    return _rnn_step(torch.tanh if mod.nonlinearity == "tanh" else F.relu)


def _unroll_layer(mod: nn.RNNBase, k: int, xs: torch.Tensor):
    """Stacked layer k over xs [T, F]: (list of T hidden states [H], gates {name: [T, H]})."""
    w_ih, w_hh = getattr(mod, f"weight_ih_l{k}"), getattr(mod, f"weight_hh_l{k}")
    b_ih, b_hh = getattr(mod, f"bias_ih_l{k}", None), getattr(mod, f"bias_hh_l{k}", None)
    step = _step_fn(mod)
    gi_all = F.linear(xs, w_ih, b_ih)          # every step's input projection in one product
    h = c = xs.new_zeros(mod.hidden_size)
    hs, gates = [], []
    for gi in gi_all:
        h, c, g = step(gi, F.linear(h, w_hh, b_hh), h, c)
        hs.append(h)
        gates.append(g)
    return hs, {name: torch.stack([g[name] for g in gates]) for name in gates[0]}


def _unroll_stack(mod: nn.RNNBase, xs: torch.Tensor):
    """Every stacked layer: (per layer, the list of its T hidden states; layer 0's gates)."""
    layers, first_gates = [], {}
    for k in range(mod.num_layers):
        hs, gates = _unroll_layer(mod, k, xs)
        layers.append(hs)
        first_gates = gates if k == GATE_LAYER else first_gates
        xs = torch.stack(hs)
    return layers, first_gates


def _module(block: nn.Module) -> nn.RNNBase:
    return block.rnn if isinstance(block, Recurrent) else block


def _as_steps(x, like: torch.Tensor) -> torch.Tensor:
    x = torch.as_tensor(x, dtype=like.dtype, device=like.device)
    if x.dim() != 2:
        raise ValueError(f"expected one sequence [T, F]; got shape {tuple(x.shape)}")
    return x


def _as_sample(x, like: torch.Tensor) -> torch.Tensor:
    """One sample on the net's device; floats in its dtype, token ids left as integers."""
    x = torch.as_tensor(x, device=like.device)
    return x.to(like.dtype) if x.is_floating_point() else x


def _numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


def unroll(block: nn.Module, x) -> dict:
    """Re-run a Recurrent block (or a bare nn.RNN/LSTM/GRU) over one sequence x [T, F].

    Returns {"hidden": [T, H] array per stacked layer (the last is the block's output),
    "gates": {name: [T, H]} of stacked layer `gate_layer` (LSTM input, forget, output and the
    cell state c_t; GRU reset and update; none for a simple RNN), "gate_layer": GATE_LAYER}.
    """
    mod = _module(block)
    with torch.no_grad():
        layers, gates = _unroll_stack(mod, _as_steps(x, mod.weight_ih_l0))
    return {"hidden": [_numpy(torch.stack(hs)) for hs in layers],
            "gates": {name: _numpy(g) for name, g in gates.items()},
            "gate_layer": GATE_LAYER}


# --- probes through the whole net --------------------------------------------------------------

@contextmanager
def _evaluating(net: nn.Module):
    """Dropout off while probing; the net's training mode comes back afterwards."""
    was_training = net.training
    net.eval()
    try:
        yield
    finally:
        net.train(was_training)


def _first_param(net: nn.Module) -> torch.Tensor:
    return next(net.parameters())


def step_gradient_norms(net, x, target, loss_fn: Callable, layer_index: int,
                        stacked: int = -1) -> np.ndarray:
    """‖∂L/∂h_t‖ for t = 0…T−1: how much gradient reaches each hidden state of recurrent layer
    `layer_index` (stacked layer `stacked`, default the top one) for one sequence x.

    The block is unrolled by hand so each h_t is a graph node; the rest of the net runs on the
    stacked states; L = loss_fn(prediction, target) with the prediction batched as one sample
    (a many-to-one head predicts from the last step only). The gradient is the total one, through
    later steps as well: with a loss on the last step only, its fall towards t = 0 is the
    vanishing gradient."""
    block = net.blocks[layer_index]
    if not isinstance(block, Recurrent):
        raise ValueError(f"layer {layer_index} is {net.kinds[layer_index]}, not recurrent")
    with _evaluating(net), torch.enable_grad():
        x = _as_sample(x, _first_param(net))
        xs = net.forward_to(layer_index, x.unsqueeze(0))[0]
        layers, _ = _unroll_stack(block.rnn, xs)
        top = torch.stack(layers[-1]).unsqueeze(0)
        loss = loss_fn(net.forward_from(layer_index + 1, top), target)
        grads = torch.autograd.grad(loss, layers[stacked], allow_unused=True)
        # A state outside the loss's graph would have no gradient at all: report a norm of 0.
        norms = torch.stack([h.new_zeros(()) if g is None else g.norm()
                             for g, h in zip(grads, layers[stacked])])
    return norms.detach().cpu().numpy()          # one transfer, not one per step


def _forward_state(net, x: torch.Tensor, states: list):
    """The net over a chunk of steps, continuing each recurrent block from its state."""
    new_states = []
    for block, state in zip(net.blocks, states):
        if isinstance(block, Recurrent):
            x, state = block.forward_state(x, state)
        else:
            x = block(x)          # embedding, dense and dropout act on each step alone
        new_states.append(state)
    return net.head_out(x), new_states


def _last(out: torch.Tensor) -> torch.Tensor:
    """One sample's prediction for the last step: many-to-many gives [1, T, K], many-to-one
    [1, K]."""
    return out[0, -1] if out.dim() == 3 else out[0]


def _sample(logits: torch.Tensor, temperature: float, generator) -> int:
    if temperature <= GREEDY_BELOW:
        return int(logits.argmax())
    probs = torch.softmax(logits.double().cpu() / temperature, dim=-1)
    return int(torch.multinomial(probs, 1, generator=generator))


def generate(net, prompt_ids, steps: int, temperature: float,
             generator: torch.Generator | None = None) -> list[int]:
    """`steps` token ids sampled after the prompt from softmax(logits / temperature); a
    temperature at or below GREEDY_BELOW takes the arg-max. The prompt is read once and the
    recurrent state carried on, so the cost is O(prompt + steps) whatever the head; the state
    runs past the training window length, as char-RNNs do. `generator` (a CPU
    torch.Generator) makes sampling repeatable."""
    prompt = list(prompt_ids)
    if not prompt:
        raise ValueError("generation needs a prompt of at least one token")
    device = _first_param(net).device
    out: list[int] = []
    with _evaluating(net), torch.no_grad():
        logits, states = _forward_state(net, torch.tensor([prompt], device=device),
                                        [None] * len(net.blocks))
        for i in range(steps):
            out.append(_sample(_last(logits), temperature, generator))
            if i + 1 < steps:
                logits, states = _forward_state(net, torch.tensor([[out[-1]]], device=device),
                                                states)
    return out


def forecast(net, window, steps: int) -> np.ndarray:
    """Free-running forecast of a one-feature series: predict the next value from the last T
    (the window's length, as in training), append it, slide the window, repeat."""
    param = _first_param(net)
    buf = _as_steps(window, param)
    if buf.shape[1] != 1:
        raise ValueError(f"forecasting feeds predictions back: needs 1 feature, got {buf.shape[1]}")
    preds = []
    with _evaluating(net), torch.no_grad():
        for _ in range(steps):
            nxt = _last(net(buf.unsqueeze(0)))
            if nxt.numel() != 1:
                raise ValueError(f"forecasting needs a net with one output; got {nxt.numel()}")
            nxt = nxt.reshape(1, 1)
            preds.append(nxt)
            buf = torch.cat([buf[1:], nxt])
    return _numpy(torch.cat(preds).flatten()) if preds else np.zeros(0, dtype=np.float32)
