"""A session's cost is bounded from its spec before anything is built: refusals name the field
to lower; the largest spec allowed stays under 1 GB resident (measured in a fresh process)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from engine.data.registry import DATASETS
from engine.spec.budget import estimate
from engine.spec.fields import MAX_EVAL_FLOPS, MAX_SESSION_BYTES, MAX_STEP_FLOPS
from engine.spec.network import plan_layers
from engine.spec.parse import parse_spec
from engine.spec.types import SpecError

ROOT = Path(__file__).resolve().parents[3]
RESIDENT_LIMIT_MB = 1024          # the bound per session


def refusal(raw: dict) -> dict[str, str]:
    with pytest.raises(SpecError) as info:
        parse_spec(raw)
    return {e["path"]: e["message"] for e in info.value.errors}


@pytest.mark.parametrize("raw, path, words", [
    # The probe that took 4.5-6.4 GB: the text set's most samples at its longest sequences.
    ({"data": {"dataset": "text", "samples": 70000, "seq_length": 200}}, "data.samples",
     "per pass over the data"),
    ({"data": {"dataset": "text", "samples": 6000, "seq_length": 200}}, "data.samples",
     "per session"),
    # The probe that froze the trainers: 8 conv(32, k11) on 16x16 shapes.
    ({"data": {"dataset": "shapes"}, "model": {"layers": [
        {"kind": "conv2d", "filters": 32, "kernel": 11, "padding": 5}] * 8}},
     "training.batch_size", "per step"),
    ({"data": {"dataset": "shapes", "samples": 70000}, "model": {"layers": [
        {"kind": "conv2d", "filters": 8, "kernel": 5, "padding": 2}] * 2},
      "training": {"batch_size": 1}}, "data.samples", "per pass over the data"),
], ids=["text 70000x200", "text 6000x200", "heavy convs", "long pass"])
def test_a_spec_over_its_budget_is_refused_naming_the_field(raw, path, words):
    errors = refusal(raw)
    assert list(errors) == [path] and words in errors[path], errors


@pytest.mark.parametrize("dataset", [n for n, d in DATASETS.items()
                                     if not d.needs_data_dir and not d.upload])
def test_every_datasets_default_session_fits(dataset):
    for raw in ({"data": {"dataset": dataset}},
                {"data": {"dataset": dataset}, "training": {"batch_size": 1000}}):
        spec = parse_spec(raw)
        cost = estimate(spec, plan_layers(spec))
        assert cost.memory <= MAX_SESSION_BYTES and cost.step_flops <= MAX_STEP_FLOPS
        assert cost.pass_flops <= MAX_EVAL_FLOPS


def _bench():
    path = ROOT / "bench" / "session_memory.py"
    module_spec = importlib.util.spec_from_file_location("session_memory", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("dataset", ["shapes", "text"])
def test_the_largest_session_allowed_stays_under_1_gb_resident(dataset):
    """The most samples the budget allows (text at its longest sequences), built, trained,
    evaluated whole and sliced, and drawn with every view, in a fresh process: its peak resident
    memory above that process's baseline."""
    bench = _bench()
    raw = {"data": {"dataset": dataset, **({"seq_length": 200} if dataset == "text" else {})}}
    n = bench.most_samples(raw)
    raw["data"]["samples"] = n
    got = bench.measure(raw)
    assert got["session_mb"] < RESIDENT_LIMIT_MB, (n, got)
