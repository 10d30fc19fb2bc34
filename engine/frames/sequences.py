"""Probes for sequence models: prediction against target with a free-running forecast,
a recurrent layer's hidden state (time × unit), LSTM/GRU gates, the gradient norm reaching
each time step, and text generated from a prompt.

Each probe runs one test sequence (`sample`) and fills arrays only for the views the client
shows. Generated text is cached per weights version, prompt and temperature: sampling 200
characters every frame would cost more than training.
"""
from __future__ import annotations

import numpy as np
import torch

from engine.data.registry import DATASETS
from engine.nn.recurrent import forecast, generate, step_gradient_norms, unroll
from engine.spec.plan import RECURRENT_KINDS


VIEWS = ("series", "hidden", "gates", "gradients", "text")
TEXT_CHARS = 200
DEFAULT_TEMPERATURE = 0.8
MAX_TEMPERATURE = 2.0
MAX_PROMPT = 100


def recurrent_layers(spec) -> list[int]:
    return [i for i, layer in enumerate(spec.model.layers) if layer.kind in RECURRENT_KINDS]


def _sample(session, sample: int) -> int:
    return min(max(sample, 0), len(session.splits["test"]) - 1)


@torch.inference_mode()
def series(session, arrays: dict, scalars: dict, sample: int) -> None:
    """Input, target and prediction of one test window, then a forecast fed by itself."""
    test = session.splits["test"]
    x, t = test.x[sample], test.t[sample]
    pred = session.model(x[None])[0]
    future = test.raw[sample, session.spec.data.seq_length:, 0]
    arrays["series_input"] = x[:, 0].float().cpu().numpy()
    arrays["series_target"] = t[:, 0].float().cpu().numpy()
    arrays["series_prediction"] = pred[:, 0].float().cpu().numpy()
    arrays["forecast"] = np.asarray(forecast(session.model, x, len(future)), dtype=np.float32)
    arrays["forecast_truth"] = future.astype(np.float32)


def _block_input(session, layer: int, x: torch.Tensor) -> torch.Tensor:
    """What recurrent layer `layer` receives for one sequence x."""
    if layer == 0:
        return x
    return session.model.forward_all(x[None])[layer - 1][0]


@torch.inference_mode()
def hidden(session, arrays: dict, scalars: dict, sample: int, layer: int, gates: bool) -> None:
    x = session.splits["test"].x[sample]
    block = session.model.blocks[layer]
    result = unroll(block, _block_input(session, layer, x))
    arrays["hidden"] = np.asarray(result["hidden"][0], dtype=np.float32)      # [T, H]
    if gates:
        for name, values in result.get("gates", {}).items():
            arrays[f"gate.{name}"] = np.asarray(values, dtype=np.float32)


def gradients(session, arrays: dict, scalars: dict, sample: int, layer: int) -> None:
    test = session.splits["test"]
    norms = step_gradient_norms(session.model, test.x[sample], test.t[sample: sample + 1],
                                session._loss,
                                layer)
    arrays["step_gradients"] = np.asarray(norms, dtype=np.float32)


def text(session, scalars: dict, prompt: str, temperature: float) -> None:
    vocab = session.spec.data.vocab
    index = {ch: i for i, ch in enumerate(vocab)}
    # A character the text lacks is read as its lower case (the rhymes have no capitals), else
    # dropped.
    ids = [index.get(ch, index.get(ch.lower())) for ch in prompt[:MAX_PROMPT]]
    ids = [i for i in ids if i is not None] or [0]
    key = (session.weights_version, tuple(ids), temperature)
    cache = getattr(session, "_text_cache", None)
    if cache is None or cache[0] != key:
        gen = torch.Generator().manual_seed(session.spec.training.seed)
        out = generate(session.model, ids, TEXT_CHARS, temperature, gen)
        session._text_cache = (key, "".join(vocab[i] for i in out))
    scalars["text"] = {"prompt": "".join(vocab[i] for i in ids), "temperature": temperature,
                       "sample": session._text_cache[1]}


def probe(session, views: set[str], sample: int = 0, layer: int | None = None,
          prompt: str = "", temperature: float = DEFAULT_TEMPERATURE) -> tuple[dict, dict]:
    arrays: dict[str, np.ndarray] = {}
    scalars: dict = {}
    info = DATASETS[session.spec.data.dataset]
    sample = _sample(session, sample)
    rec = recurrent_layers(session.spec)
    layer = layer if layer in rec else (rec[0] if rec else None)
    scalars["sequence"] = {"sample": sample, "count": len(session.splits["test"]), "layer": layer,
                           "recurrent_layers": rec}
    if "series" in views and info.problem == "regression":
        series(session, arrays, scalars, sample)
    if layer is not None and ("hidden" in views or "gates" in views):
        hidden(session, arrays, scalars, sample, layer, "gates" in views)
    if layer is not None and "gradients" in views:
        gradients(session, arrays, scalars, sample, layer)
    if "text" in views and info.vocab:
        text(session, scalars, prompt, temperature)
    return arrays, scalars
