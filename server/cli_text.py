"""`nn-playground train --data FILE.txt`: the character model trained on a text file, as the
page's "Your own text" does (engine.data.usertext); a refused file names the byte, character
or limit on stderr and exits with status 2."""
from __future__ import annotations

import sys

from engine.data.usertext import MAX_TEXT_BYTES, TextFileError, read_text_file
from engine.spec.parse import parse_spec
from engine.spec.types import Spec, SpecError

EXIT_BAD_DATA = 2
TEXT_SUFFIX = ".txt"


def is_text_file(path: str) -> bool:
    return path.lower().endswith(TEXT_SUFFIX)


def with_text(spec: Spec, path: str, lowercase: bool = False) -> Spec:
    """The spec on the "text" dataset with the file's text as data.text (lower-cased when
    asked); a spec of another family takes the character model's default network."""
    try:
        with open(path, "rb") as f:
            text = read_text_file(f.read(MAX_TEXT_BYTES + 4))
        raw = spec.to_dict()
        if spec.data.dataset != "text":
            raw = {"data": {}, "training": {}, "version": raw["version"]}
        raw["data"].update(dataset="text", text=text.lower() if lowercase else text)
        return parse_spec(raw)
    except TextFileError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
    except SpecError as exc:
        for e in exc.errors:
            print(f"{path}: {e['message']}", file=sys.stderr)
    except OSError as exc:
        print(f"cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
    sys.exit(EXIT_BAD_DATA)
