"""What a spec's network looks like from outside: its input shape, its output units and
activation, and its layer plan (shapes, parameters and FLOPs per layer)."""
from __future__ import annotations

from engine.data.registry import DATASETS
from engine.spec.plan import plan
from engine.spec.types import Spec


def input_shape(spec: Spec) -> tuple[int, ...]:
    """What one example looks like to the first layer: (features,), (C, H, W), or for
    sequences (T, features) and (T,) for text tokens."""
    if spec.data.family == "points":
        return (len(spec.data.features),)
    shape = tuple(spec.data.info.shape)
    return (spec.data.seq_length,) + shape if spec.data.family == "sequences" else shape


def sequence_kwargs(spec: Spec) -> dict:
    """What layers.plan/build_net need to know of a sequence task (nothing for the rest)."""
    if spec.data.family != "sequences":
        return {}
    info = DATASETS[spec.data.dataset]
    return {"sequence": info.sequence, "vocab": len(spec.data.vocab)}


def plan_layers(spec: Spec):
    """Each layer's shapes, parameters and FLOPs for this spec (the plan of its layers); raises
    LayerError for an impossible layer."""
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
