"""From what a client sent (a spec, a URL or a hash) to a validated Spec and its share hash.

The single place where the URL codec and the spec parser meet, used by sockets, REST and CLI.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_app_context

from engine.spec.network import plan_layers
from engine.spec.parse import parse_spec
from engine.spec.plan import describe
from engine.spec.types import Spec, SpecError
from engine.spec.urlcodec import hash_to_raw, spec_to_hash
from engine.training.schedules import curve


MAX_HASH_CHARS = 8000


def uploads_here():
    """The running app's uploads store, as the parser's `uploads` (None outside an app)."""
    store = current_app.extensions.get("uploads") if has_app_context() else None
    return store.find if store is not None else None


def parse(raw, uploads=None) -> Spec:
    """parse_spec with this server's uploads (or `uploads`, e.g. the CLI's own)."""
    return parse_spec(raw, uploads or uploads_here())


@dataclass(frozen=True)
class Resolved:
    parsed: Spec
    spec: dict
    hash: str

    def answer(self) -> dict:
        """What a client is told: the normalised spec, its share hash, each layer's output
        shape, parameters and FLOPs, and the learning-rate schedule's curve (null when the
        rate is constant)."""
        upload = self.parsed.data.upload_info
        return {"spec": self.spec, "hash": self.hash, "plan": layer_plan(self.parsed),
                "schedule": curve(self.parsed.training),
                **({"upload": upload.describe()} if upload else {})}


def layer_plan(spec: Spec) -> list[dict]:
    return describe(plan_layers(spec))


def from_spec(spec: Spec) -> Resolved:
    as_dict = spec.to_dict()
    return Resolved(spec, as_dict, spec_to_hash(as_dict))


def resolve(data: dict, required: bool = False) -> Resolved:
    """`{"spec": {...}}` or `{"hash": "..."}` (or neither, unless `required`: the default)."""
    if "spec" in data:
        raw = data["spec"]
        if not isinstance(raw, dict):
            raise SpecError([{"path": "spec", "message": "spec: must be a JSON object"}])
    elif "hash" in data:
        text = data["hash"]
        if not isinstance(text, str) or len(text) > MAX_HASH_CHARS:
            raise SpecError([{"path": "hash", "message": f"hash: must be text of at most "
                                                         f"{MAX_HASH_CHARS} characters"}])
        raw = hash_to_raw(text)
    elif required:
        raise SpecError([{"path": "spec", "message": "spec: send a spec object or a hash"}])
    else:
        raw = {}
    return from_spec(parse(raw))


def looks_like_link(text: str) -> bool:
    text = text.strip()
    return text == "" or text.startswith(("#", "http://", "https://")) or "=" in text


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except OSError:             # e.g. a long hash is not a valid file name
        return False


def load_raw(source: str) -> dict:
    """The raw spec in a JSON file, inline JSON, a URL or a hash (the CLI's URL_OR_FILE). A file
    holding a URL or hash works too. OSError, or SpecError for a file that is not JSON."""
    if looks_like_link(source) and not _is_file(source):
        return hash_to_raw(source)
    text = source if source.lstrip().startswith("{") else Path(source).read_text()  # OSError
    if looks_like_link(text) and not text.lstrip().startswith("{"):
        return hash_to_raw(text.strip())
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError([{"path": "", "message": f"{source}: not valid JSON ({exc})"}]) from None


def load(source: str, uploads=None) -> Spec:
    """load_raw's spec, parsed."""
    return parse(load_raw(source), uploads)
