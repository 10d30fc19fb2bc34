"""The app's embedded defaults (a SQLite file under instance/, trainers on every core, the
auto-detected device); `create_app(config)` and the CLI override them."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MESSAGE_BYTES = 1_000_000     # socket and HTTP bodies: a spec is a few KB

DEFAULTS = {
    "DATABASE": str(ROOT / "instance" / "nn-playground.sqlite3"),
    "FPS": 30,
    "DEVICE": "auto",
    "DATA_DIR": None,             # MNIST / Fashion-MNIST IDX files (engine.data.images)
    "RUNNER_AUTOSTART": True,     # tests turn it off and drive the runner by hand
    "WORKERS": "auto",            # trainer processes: one per core ("auto"); 0 = a thread here
    "MAX_SESSIONS": 200,
    "MAX_SESSIONS_PER_OWNER": 8,
    "DETACHED_TTL_S": 600,
    "MAX_CONTENT_LENGTH": MAX_MESSAGE_BYTES,
}
