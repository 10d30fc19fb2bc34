"""From what a client sent (a spec, a URL or a hash) to a validated Spec and its share hash.

The single place where the URL codec and the spec parser meet, used by sockets, REST and CLI.
"""
from __future__ import annotations

import json
from pathlib import Path

from engine.spec import Spec, SpecError, parse_spec
from engine.urlcodec import hash_to_raw, spec_to_hash

MAX_HASH_CHARS = 8000


def resolve(data: dict) -> dict:
    """`{"spec": {...}}` or `{"hash": "..."}` → {"parsed": Spec, "spec": dict, "hash": str}."""
    if "spec" in data:
        raw = data["spec"]
    elif "hash" in data:
        text = data["hash"]
        if not isinstance(text, str) or len(text) > MAX_HASH_CHARS:
            raise SpecError([{"path": "hash", "message": f"hash: must be text of at most "
                                                         f"{MAX_HASH_CHARS} characters"}])
        raw = hash_to_raw(text)
    else:
        raw = {}
    spec = parse_spec(raw)
    as_dict = spec.to_dict()
    return {"parsed": spec, "spec": as_dict, "hash": spec_to_hash(as_dict)}


def load(source: str) -> Spec:
    """A spec from a JSON file path, a URL or a hash (the CLI's URL_OR_FILE)."""
    path = Path(source)
    if source and not source.lstrip().startswith(("#", "http")) and path.is_file():
        text = path.read_text()
        try:
            return parse_spec(json.loads(text))
        except json.JSONDecodeError:
            return parse_spec(hash_to_raw(text.strip()))
    return parse_spec(hash_to_raw(source))
