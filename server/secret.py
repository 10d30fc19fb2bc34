"""The key that signs the owner cookie, the same across restarts and processes.

A random key per start logged every browser out of its sessions at each restart. The key comes
from, in order: the app config `SECRET_KEY`, the environment's `NN_PLAYGROUND_SECRET`, or a file
`secret_key` in the instance folder (beside the SQLite file), made once with 32 random bytes
and mode 600. Several server processes sharing that folder (or that variable) share owners.
"""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

ENV_VAR = "NN_PLAYGROUND_SECRET"
FILE_NAME = "secret_key"
KEY_BYTES = 32
MIN_CHARS = 16          # a shorter configured key is a mistake, not a secret
READ_TRIES, READ_WAIT_S = 100, 0.01    # a second process waits up to 1 s for the first's write


def secret_key(configured: str | None, folder: Path) -> str:
    """The configured key, the environment's, or the instance folder's (made on first use)."""
    for key, where in ((configured, "SECRET_KEY"), (os.environ.get(ENV_VAR), ENV_VAR)):
        if key:
            if len(key) < MIN_CHARS:
                raise ValueError(f"{where}: a secret key needs at least {MIN_CHARS} characters")
            return key
    return _from_file(folder / FILE_NAME)


def _from_file(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of two processes starting at once, one writes the key and the other reads it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    key = secrets.token_hex(KEY_BYTES)
    with os.fdopen(fd, "w") as out:
        out.write(key + "\n")
        out.flush()
        os.fsync(out.fileno())
    return key


def _read(path: Path) -> str:
    """The key in the file; a process that lost the race may read before the writer wrote."""
    for _ in range(READ_TRIES):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(READ_WAIT_S)
    raise RuntimeError(f"{path} is empty: remove it to make a new key")
