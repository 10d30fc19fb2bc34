"""Checks `data.upload`, the id of a person's uploaded table or images (engine.data.uploaded).

The id is the capability: whoever holds it may train on the upload, so it is checked for its
form before anything looks it up, then looked up through the `uploads` callable the server
hands the parser (id -> UploadInfo, or None when there is no such upload), then for its kind.
Other datasets take no upload.
"""
from __future__ import annotations

import re

from engine.data.uploaded import KINDS
from engine.spec.text import shown

PATH = "data.upload"
ID_FORM = re.compile(r"[0-9a-f]{32}")
ID_TEXT = "32 lower-case hex digits"


def check_upload(raw, info, uploads, add):
    """The UploadInfo the spec's upload names, or None (after `add(path, message)` when the
    spec is wrong). `info` is the registry entry of data.dataset (None when it did not parse);
    `uploads(id)` finds an upload (None: the server keeps none here)."""
    if info is None or not info.upload:
        if raw:
            add(PATH, f"{info.name if info else 'this dataset'} takes no upload; only "
                      f"{', '.join(KINDS)} do")
        return None
    if raw is None or raw == "":
        add(PATH, f"{info.name} needs the id of an upload (upload a file first)")
        return None
    if not isinstance(raw, str) or not ID_FORM.fullmatch(raw):
        add(PATH, f"{shown(raw)} is not an upload id ({ID_TEXT})")
        return None
    found = uploads(raw) if uploads is not None else None
    if uploads is None:
        add(PATH, "uploads are not kept here (open it on the server that holds the upload)")
    elif found is None:
        add(PATH, "no upload has this id (unused uploads are dropped after a while: upload "
                  "the file again)")
    elif found.kind != KINDS[info.name]:
        add(PATH, f"is a {found.kind} upload; {info.name} needs a {KINDS[info.name]} upload")
    else:
        return found
    return None
