"""Dense networks for the 2-D playground: activations, the output head, initialisation, losses.

`MLP` is a plain `nn.Module` (so it exports, saves and runs anywhere PyTorch does) whose forward
calls one `torch.addmm` per layer instead of calling sub-modules: a playground step is ~20 tiny
ops and per-module call overhead would be a fifth of it (bench/playground_speed.py).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from engine.data import DATASETS
from engine.fastpath import mse
from engine.spec import Spec

LEAKY_SLOPE = 0.01
TF_INIT_RANGE = 0.5      # TF Playground: weights U(-0.5, 0.5) ...
TF_INIT_BIAS = 0.1       # ... and biases 0.1


def _step(x: torch.Tensor) -> torch.Tensor:
    # A comparison has no gradient: nothing upstream of a step layer learns. That is the lesson.
    return (x > 0).to(x.dtype)


ACTIVATION_FNS = {
    "tanh": torch.tanh,
    "relu": F.relu,
    "sigmoid": torch.sigmoid,
    "linear": lambda x: x,
    "leaky_relu": lambda x: F.leaky_relu(x, LEAKY_SLOPE),
    "elu": F.elu,
    "gelu": F.gelu,
    "softsign": F.softsign,
    "softplus": F.softplus,
    "step": _step,
}


# dL/dz from dL/dy (`d`), the pre-activation `z` and the output `y`, for engine.batched's
# hand-written backward pass: each is the derivative op autograd itself runs for that function.
_aten = torch.ops.aten
ACTIVATION_GRADS = {
    "tanh": lambda d, z, y: _aten.tanh_backward(d, y),
    "relu": lambda d, z, y: _aten.threshold_backward(d, y, 0),
    "sigmoid": lambda d, z, y: _aten.sigmoid_backward(d, y),
    "linear": lambda d, z, y: d,
    "leaky_relu": lambda d, z, y: _aten.leaky_relu_backward(d, z, LEAKY_SLOPE, False),
    "elu": lambda d, z, y: _aten.elu_backward(d, 1.0, 1, 1, False, z),
    "gelu": lambda d, z, y: _aten.gelu_backward(d, z),
    "softsign": lambda d, z, y: d / (z.abs() + 1).square(),
    "softplus": lambda d, z, y: _aten.softplus_backward(d, z, 1, 20),
    "step": lambda d, z, y: torch.zeros_like(d),      # no gradient (autograd: unused, zeros)
}


class Step(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _step(x)


# The matching torch.nn modules, for export and oracle tests.
ACTIVATION_MODULE_TYPES = {
    "tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "linear": nn.Identity,
    "leaky_relu": lambda: nn.LeakyReLU(LEAKY_SLOPE), "elu": nn.ELU, "gelu": nn.GELU,
    "softsign": nn.Softsign, "softplus": nn.Softplus, "step": Step,
}


def input_shape(spec: Spec) -> tuple[int, ...]:
    """What one example looks like to the first layer: (features,), (C, H, W), or for
    sequences (T, features) and (T,) for text tokens."""
    if spec.data.family == "points":
        return (len(spec.data.features),)
    shape = tuple(DATASETS[spec.data.dataset].shape)
    return (spec.data.seq_length,) + shape if spec.data.family == "sequences" else shape


def sequence_kwargs(spec: Spec) -> dict:
    """What layers.plan/build_net need to know of a sequence task (nothing for the rest)."""
    if spec.data.family != "sequences":
        return {}
    info = DATASETS[spec.data.dataset]
    return {"sequence": info.sequence, "vocab": len(info.vocab)}


def plan_layers(spec: Spec):
    """Each layer's shapes, parameters and FLOPs for this spec (engine.layers.plan); raises
    engine.layers.LayerError for an impossible layer."""
    from engine.layers import plan
    return plan(spec.model.layers, input_shape(spec), output_units(spec), **sequence_kwargs(spec))


def output_units(spec: Spec) -> int:
    if spec.model.task == "autoencoder":
        return spec.model.bottleneck
    k = spec.data.n_classes
    return k if spec.training.loss == "cross_entropy" and k > 2 else 1


def output_activation(spec: Spec) -> str:
    """The head's activation as the network applies it (cross-entropy heads emit logits)."""
    if spec.training.loss == "cross_entropy":
        return "linear"
    return "tanh" if spec.data.problem == "classification" else "linear"


class MLP(nn.Module):
    """Dense layers; `activations[i]` follows layer i (the last one is the head's).

    Weights are stored [in, out] so each layer is one `addmm` with no transpose node for
    autograd to walk (8% faster steps than `nn.Linear`'s [out, in]); `weight(i)` and
    `to_sequential()` give the usual [out, in] layout.
    """

    def __init__(self, sizes: list[int], activations: list[str]):
        super().__init__()
        self.w = nn.ParameterList(nn.Parameter(torch.empty(a, b)) for a, b in zip(sizes, sizes[1:]))
        self.b = nn.ParameterList(nn.Parameter(torch.empty(b)) for b in sizes[1:])
        self.sizes = list(sizes)
        self.activations = list(activations)
        self._fns = [ACTIVATION_FNS[a] for a in activations]
        self._layers = list(zip(self.w, self.b, self._fns))   # plain tensors: no getattr cost

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for w, b, fn in self._layers:
            x = fn(torch.addmm(b, x, w))
        return x

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's output, the head's last (for neuron maps)."""
        outs = []
        for w, b, fn in self._layers:
            x = fn(torch.addmm(b, x, w))
            outs.append(x)
        return outs

    def parameters_in_order(self) -> list[torch.Tensor]:
        """[w0, b0, w1, b1, ...]: weights at even positions."""
        return [p for pair in zip(self.w, self.b) for p in pair]

    def weight(self, i: int) -> torch.Tensor:
        """Layer i's weight as [out, in], torch.nn.Linear's layout."""
        return self.w[i].detach().T

    def to_sequential(self) -> nn.Sequential:
        """The same network as standard torch.nn modules (for export and oracle tests)."""
        mods: list[nn.Module] = []
        for i, act in enumerate(self.activations):
            lin = nn.Linear(self.sizes[i], self.sizes[i + 1])
            with torch.no_grad():
                lin.weight.copy_(self.weight(i))
                lin.bias.copy_(self.b[i])
            mods.append(lin)
            if act != "linear":
                mods.append(ACTIVATION_MODULE_TYPES[act]())
        return nn.Sequential(*mods)


def is_fast_mlp(spec: Spec) -> bool:
    """2-D playground nets of dense layers only take the fast MLP path."""
    return spec.data.family == "points" and all(l.kind == "dense" for l in spec.model.layers)


def build_model(spec: Spec) -> nn.Module:
    """The network a spec describes, initialised from its training seed."""
    gen = torch.Generator().manual_seed(spec.training.seed)
    if is_fast_mlp(spec):
        sizes = [len(spec.data.features)] + [l.units for l in spec.model.layers] + [
            output_units(spec)]
        acts = [l.activation for l in spec.model.layers] + [output_activation(spec)]
        model = MLP(sizes, acts)
        init_weights(model, spec.model.init, gen)
        return model
    from engine.layers import build_net
    torch.manual_seed(spec.training.seed)          # torch.nn's own defaults, then ours
    if spec.model.task == "autoencoder":
        model = Autoencoder(spec)
    else:
        model = build_net(spec.model.layers, input_shape(spec), output_units(spec),
                          output_activation(spec), **sequence_kwargs(spec))
    init_modules(model, spec.model.init, gen)
    return model


class Autoencoder(nn.Module):
    """Encoder: the spec's layers down to `bottleneck` linear units; decoder: the dense layers
    mirrored back up to the input size (sigmoid for images in [0, 1], linear for tables)."""

    def __init__(self, spec: Spec):
        super().__init__()
        from engine.layers import build_net
        shape = input_shape(spec)
        self.shape = shape
        self.encoder = build_net(spec.model.layers, shape, spec.model.bottleneck, "linear")
        mods: list[nn.Module] = []
        width = spec.model.bottleneck
        for layer in reversed([l for l in spec.model.layers if l.kind == "dense"]):
            mods += [nn.Linear(width, layer.units), ACTIVATION_MODULE_TYPES[layer.activation]()]
            width = layer.units
        out = math.prod(shape)
        mods.append(nn.Linear(width, out))
        if spec.data.family == "images":
            mods.append(nn.Sigmoid())
        self.decoder = nn.Sequential(*mods)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        outs = self.encoder.forward_all(x)
        return outs + [self.decoder(outs[-1])]


def _init_pair(w: torch.Tensor, b: torch.Tensor | None, fan_in: int, fan_out: int,
               scheme: str, gen: torch.Generator) -> None:
    if scheme == "tf":
        w.uniform_(-TF_INIT_RANGE, TF_INIT_RANGE, generator=gen)
    elif scheme == "zero":
        w.zero_()
    elif scheme == "xavier":
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        w.uniform_(-bound, bound, generator=gen)
    elif scheme == "he":
        w.normal_(0.0, math.sqrt(2.0 / fan_in), generator=gen)
    else:
        raise ValueError(f"unknown init {scheme!r}")
    if b is not None:
        b.fill_(TF_INIT_BIAS if scheme == "tf" else 0.0)


LSTM_FORGET_BIAS = 1.0   # Keras's unit_forget_bias: remember by default (Jozefowicz et al. 2015)


@torch.no_grad()
def init_modules(model: nn.Module, scheme: str, gen: torch.Generator) -> None:
    """Initialise every conv and linear layer of a generic net; recurrent layers keep
    PyTorch's uniform(±1/√H), with an LSTM's forget gate biased open."""
    for m in model.modules():
        if isinstance(m, nn.LSTM):
            h = m.hidden_size
            for name, p in m.named_parameters():
                if name.startswith("bias_"):        # gate order i, f, g, o; the two biases add
                    p[h:2 * h].fill_(LSTM_FORGET_BIAS if name.startswith("bias_ih") else 0.0)
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            w = m.weight
            receptive = w[0, 0].numel() if w.dim() > 2 else 1
            _init_pair(w, m.bias, w[0].numel(), w.shape[0] * receptive, scheme, gen)


@torch.no_grad()
def init_weights(model: MLP, scheme: str, gen: torch.Generator) -> None:
    """Initialise the fast MLP (weights stored [in, out])."""
    for w, b in zip(model.w, model.b):
        _init_pair(w, b, w.shape[0], w.shape[1], scheme, gen)


def targets(spec: Spec, y) -> torch.Tensor:
    """Dataset labels as the loss wants them: ±1 (squared error), 0/1 (sigmoid), class index.
    (An autoencoder's target is its input: the session builds that one.)"""
    y = torch.as_tensor(y)
    if spec.data.problem == "regression":
        return y.float().reshape(-1, 1)
    if spec.training.loss == "mse":
        return (y.float() * 2 - 1).reshape(-1, 1)
    if output_units(spec) == 1:
        return y.float().reshape(-1, 1)
    return y.long()


def head(spec: Spec) -> str:
    """The loss the head trains with: "mse", "bce" (one logit, 0/1 targets) or "ce" (logits
    of several classes, class-index targets)."""
    if spec.training.loss == "mse":
        return "mse"
    return "bce" if output_units(spec) == 1 else "ce"


def loss_fn(spec: Spec):
    """(prediction, target) -> mean loss. Squared error is TF Playground's ½(ŷ−y)²."""
    kind = head(spec)
    if kind == "mse":
        return lambda out, t: 0.5 * mse(out, t)
    return F.binary_cross_entropy_with_logits if kind == "bce" else _cross_entropy


def _cross_entropy(out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Over the last axis, so a prediction at every time step ([N, T, V]) works too."""
    return F.cross_entropy(out.reshape(-1, out.shape[-1]), t.reshape(-1))


def correct(spec: Spec, out: torch.Tensor, t: torch.Tensor) -> torch.Tensor | None:
    """Boolean tensor of correct predictions, or None for regression and autoencoders."""
    if spec.data.problem == "regression" or spec.model.task == "autoencoder":
        return None
    if out.shape[-1] > 1:
        return out.argmax(-1) == t
    threshold = 0.0   # tanh output vs ±1 labels, or a logit vs 0/1 labels: both split at 0
    return (out[..., 0] > threshold) == (t[..., 0] > (0.0 if spec.training.loss == "mse" else 0.5))
