"""Post-training int8 quantisation of a session's network with PyTorch's own tools.

`quantize(session)` quantises a CPU copy of the exported network (static FX quantisation for
conv nets, dynamic for the rest) and measures it against the float model on the test split;
`export_quantized` writes it as TorchScript with its figures. docs/internals.md has why.
"""
from __future__ import annotations

import copy
import io
import json
import warnings
from contextlib import contextmanager
from pathlib import Path

import torch
from torch import nn

from engine.export.files import exported_module, sample_inputs
from engine.nn.losses import correct, loss_fn
from engine.training.session import Session


ACCURACY_TOLERANCE = 0.02          # |int8 accuracy − float accuracy| we call "the same"
CALIBRATION_EXAMPLES = 2048
CHUNK = 256                        # examples per forward pass when calibrating and evaluating
ENGINES = ("x86", "fbgemm", "qnnpack")       # preference order
DYNAMIC_TYPES = {nn.Linear, nn.LSTM, nn.GRU}
INT8_SCRIPT, INT8_INFO = "model_int8.pt", "model_int8.json"
FIGURES = ("method", "engine", "float_bytes", "int8_bytes", "size_ratio", "float_accuracy",
           "int8_accuracy", "float_loss", "int8_loss", "tolerance", "within_tolerance")


class QuantizeError(RuntimeError):
    """The network could not be quantised."""


def quantized_engine() -> str:
    supported = torch.backends.quantized.supported_engines
    for name in ENGINES:
        if name in supported:
            return name
    raise QuantizeError(f"this PyTorch build has no int8 engine (it has: {supported})")


@contextmanager
def _quantizing(engine: str):
    """The int8 engine for this block, and torch.ao.quantization's deprecation notices off."""
    before = torch.backends.quantized.engine
    torch.backends.quantized.engine = engine
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.ao\.")
            warnings.filterwarnings("ignore", message=r".*quantize_per_tensor.*")
            yield
    finally:
        torch.backends.quantized.engine = before


def quantize(session: Session) -> dict:
    """Quantise the session's network to int8 and compare it with the float one.

    Returns the FIGURES (accuracies are None where there are no classes: regression and
    autoencoders; compare the losses there) plus "model" (the int8 module, CPU, eval mode) and
    "example" (inputs to trace it with) for `export_quantized`.
    """
    float_model = exported_module(session)
    engine = quantized_engine()
    convs = any(isinstance(m, nn.Conv2d) for m in float_model.modules())
    with _quantizing(engine):
        if convs:
            int8 = _static(float_model, session, engine)
        else:
            int8 = torch.ao.quantization.quantize_dynamic(copy.deepcopy(float_model),
                                                          DYNAMIC_TYPES, dtype=torch.qint8)
        float_loss, float_acc = _measure(session, float_model)
        int8_loss, int8_acc = _measure(session, int8)
        float_bytes, int8_bytes = _size(float_model), _size(int8)
    within = None if float_acc is None else abs(int8_acc - float_acc) <= ACCURACY_TOLERANCE
    return {"method": "static" if convs else "dynamic", "engine": engine,
            "float_bytes": float_bytes, "int8_bytes": int8_bytes,
            "size_ratio": int8_bytes / float_bytes,
            "float_accuracy": float_acc, "int8_accuracy": int8_acc,
            "float_loss": float_loss, "int8_loss": int8_loss,
            "tolerance": ACCURACY_TOLERANCE, "within_tolerance": within,
            "model": int8.eval(), "example": sample_inputs(session, 2)}


def figures(result: dict) -> dict:
    """The JSON-friendly part of a `quantize` result."""
    return {k: result[k] for k in FIGURES}


def _static(model: nn.Module, session: Session, engine: str) -> nn.Module:
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    calibration = session.splits["train"].x[:CALIBRATION_EXAMPLES].detach().cpu()
    try:
        prepared = prepare_fx(copy.deepcopy(model), get_default_qconfig_mapping(engine),
                              (calibration[:2],))
    except Exception as exc:                       # FX could not trace the network
        raise QuantizeError(f"static quantisation could not trace this network: {exc}") from exc
    with torch.no_grad():
        for chunk in calibration.split(CHUNK):     # the observers record activation ranges
            prepared(chunk)
    return convert_fx(prepared)


@torch.no_grad()
def _measure(session: Session, model: nn.Module) -> tuple[float, float | None]:
    """(loss, accuracy) of `model` on the test split; accuracy None without classes."""
    test = session.splits["test"]
    x, t = test.x.detach().cpu(), test.t.detach().cpu()
    out = torch.cat([model(chunk) for chunk in x.split(CHUNK)])
    loss = loss_fn(session.spec)(out, t).item()
    ok = correct(session.spec, out, t)
    return loss, None if ok is None else ok.float().mean().item()


def _size(model: nn.Module) -> int:
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return buf.tell()


def export_quantized(result: dict, directory) -> dict[str, Path]:
    """Write the int8 net as TorchScript (model_int8.pt) and its figures (model_int8.json)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = {INT8_SCRIPT: out / INT8_SCRIPT, INT8_INFO: out / INT8_INFO}
    with _quantizing(result["engine"]), torch.no_grad():
        # Tracing records one path through the quantised modules' Python checks (shapes,
        # optional states); the architecture is fixed, so that path is the only one.
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        traced = torch.jit.trace(result["model"], result["example"])
        torch.jit.save(traced, str(paths[INT8_SCRIPT]))
    info = {**figures(result),
            "load": (f"torch.backends.quantized.engine = '{result['engine']}'; "
                     f"model = torch.jit.load('{INT8_SCRIPT}'); outputs = model(inputs) "
                     f"(inputs as model.py describes; CPU only)")}
    paths[INT8_INFO].write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return paths
