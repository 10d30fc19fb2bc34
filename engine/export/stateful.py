"""A recurrent net as ONNX: any sequence length, and the recurrent state in and out.

`Stateful(net)` runs a sequence net's blocks with each recurrent block's state passed in and
returned, so a caller can feed a long sequence in pieces (or generate step by step).
`write_recurrent_onnx` exports it with the TorchScript-based exporter, which maps nn.RNN,
nn.LSTM and nn.GRU onto ONNX's own RNN, LSTM and GRU operators: batch and time stay dynamic
(the dynamo exporter unrolled the loop and fixed the length at the example's 20 steps).

Inputs: `input` [batch, time(, features)], then per recurrent block i `state_in_<i>_h`
[layers, batch, units] (and `state_in_<i>_c` for an LSTM); zeros start a sequence. Outputs:
`output`, then `state_out_<i>_h` (and `_c`), the states after the last step.
"""
from __future__ import annotations

import logging
import warnings

import torch
from torch import nn

from engine.export.errors import ExportError
from engine.nn.recurrent import Recurrent


class Stateful(nn.Module):
    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net
        self.recurrent = [b for b in net.blocks if isinstance(b, Recurrent)]

    def state_names(self, prefix: str) -> list[str]:
        names = []
        for i, block in enumerate(self.recurrent):
            names.append(f"{prefix}_{i}_h")
            if block.kind == "lstm":
                names.append(f"{prefix}_{i}_c")
        return names

    def zero_states(self, batch: int) -> list[torch.Tensor]:
        out = []
        for block in self.recurrent:
            rnn = block.rnn
            shape = (rnn.num_layers, batch, rnn.hidden_size)
            out += [torch.zeros(shape)] * (2 if block.kind == "lstm" else 1)
        return out

    def forward(self, x: torch.Tensor, *states: torch.Tensor):
        given, after = list(states), []
        for block in self.net.blocks:
            if not isinstance(block, Recurrent):
                x = block(x)
                continue
            if block.kind == "lstm":
                state = (given.pop(0), given.pop(0))
                x, (h, c) = block.forward_state(x, state)
                after += [h, c]
            else:
                x, h = block.forward_state(x, given.pop(0))
                after.append(h)
        return (self.net.head_out(x), *after)


def has_recurrent(module: nn.Module) -> bool:
    return any(isinstance(m, Recurrent) for m in module.modules())


def write_recurrent_onnx(net: nn.Module, example: torch.Tensor, path, opset: int) -> None:
    """ONNX of a recurrent `net` with dynamic batch and time and its states in and out."""
    model = Stateful(net).eval()
    states = model.zero_states(len(example))
    ins, outs = ["input"] + model.state_names("state_in"), ["output"] + model.state_names(
        "state_out")
    axes = {"input": {0: "batch", 1: "time"}, "output": {0: "batch"}}
    if net.sequence == "many_to_many":
        axes["output"][1] = "time"
    axes.update({name: {1: "batch"} for name in ins[1:] + outs[1:]})
    quiet = logging.getLogger("torch.onnx")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # the TorchScript exporter's deprecation notice
            torch.onnx.export(model, (example, *states), str(path), dynamo=False,
                              input_names=ins, output_names=outs, dynamic_axes=axes,
                              opset_version=opset)
    except Exception as exc:
        raise ExportError(f"ONNX export failed: {exc}") from exc
    finally:
        quiet.setLevel(level)
