"""What `/api/schema` tells the page: every control's type, label, bounds, choices and default,
the datasets, features, activations and layer kinds, and the limits."""
from __future__ import annotations

from engine.data import handpoints
from engine.data.drawing import DRAW_SIZE
from engine.data.usertext import limits as text_limits
from engine.data.features import FEATURES
from engine.data.registry import DATASETS
from engine.spec.fields import (ACTIVATIONS, DEFAULT_LAYERS, LAYER_FIELDS, MAX_EVAL_FLOPS,
                                MAX_LAYERS, MAX_POINT_LAYERS, MAX_POINT_UNITS, MAX_SESSION_BYTES,
                                MAX_STEP_BYTES, MAX_STEP_FLOPS, MAX_UNITS, SECTIONS,
                                SPEC_VERSION, Field)
from engine.spec.parse import default_layers, default_spec
from engine.spec.plan import KINDS, MAX_PARAMS


def _field_schema(f: Field) -> dict:
    out = {"type": {"int": "integer"}.get(f.kind, f.kind), "label": f.label, "live": f.live}
    for key in ("min", "max", "step", "help"):
        if getattr(f, key) not in (None, ""):
            out[key] = getattr(f, key)
    if f.families:
        out["families"] = list(f.families)
    if f.splits:
        out["splits"] = list(f.splits)
    if f.choices:
        out["choices"] = list(f.choices)
    if f.labels:
        out["labels"] = dict(f.labels)
    return out


def schema() -> dict:
    """Every control's type, label, bounds, choices and default, for the browser."""
    fields = {f"{sect}.{key}": _field_schema(f)
              for sect, table in SECTIONS.items() for key, f in table.items()}
    fields.update({f"model.layers[].{key}": _field_schema(f) for key, f in LAYER_FIELDS.items()})
    return {
        "version": SPEC_VERSION,
        "defaults": default_spec().to_dict(),
        "fields": fields,
        "datasets": [{"name": d.name, "label": d.label, "problem": d.problem,
                      "family": d.family, "shape": list(d.shape),
                      "class_names": list(d.class_names), "sequence": d.sequence,
                      "vocab": list(d.vocab), "hand": d.hand, "upload": d.upload,
                      "max_classes": d.max_classes,
                      "dims": d.dims, "default_samples": d.default_samples,
                      "split": d.split, "ignores": list(d.ignores),
                      "description": d.description}
                     for d in DATASETS.values()],
        "features": [{"name": f.name, "label": f.label, "dims": list(f.dims)}
                     for f in FEATURES.values()],
        "activations": [{"name": k, "label": v} for k, v in ACTIVATIONS.items()],
        "layer_kinds": [{"kind": k, "label": kind.label, "fields": list(kind.fields),
                         "defaults": {n: kind.defaults.get(n, LAYER_FIELDS[n].default)
                                      for n in kind.fields},
                         "families": list(kind.families),
                         "tasks": ["predict"] + (["autoencoder"] if kind.encoder
                                                 else [])}
                        for k, kind in KINDS.items()],
        "default_layers": {k: [layer.to_dict() for layer in default_layers(k)]
                           for k in DEFAULT_LAYERS},
        "limits": {"max_layers": MAX_LAYERS, "max_point_layers": MAX_POINT_LAYERS,
                   "max_units": MAX_UNITS, "max_point_units": MAX_POINT_UNITS,
                   "max_params": MAX_PARAMS, "max_step_flops": MAX_STEP_FLOPS,
                   "max_step_bytes": MAX_STEP_BYTES, "max_pass_flops": MAX_EVAL_FLOPS,
                   "max_session_bytes": MAX_SESSION_BYTES,
                   "hand_points": {"min": handpoints.MIN_HAND_POINTS,
                                   "max": handpoints.MAX_HAND_POINTS,
                                   "extent": handpoints.HAND_EXTENT,
                                   "value_max": handpoints.HAND_VALUE_MAX,
                                   "decimals": handpoints.HAND_DECIMALS},
                   "text": text_limits(), "draw": {"size": DRAW_SIZE}},
    }
