"""The app's embedded defaults (a SQLite file and the secret key under instance/, trainers on
every core, the auto-detected device, the limits); `create_app(config)` and the CLI override
them. Why each limit has its figure: README, "Limits"."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MESSAGE_BYTES = 1_000_000     # socket and HTTP bodies: a spec is a few KB
DEFAULT_DATABASE = str(ROOT / "instance" / "nn-playground.sqlite3")
DATABASE_ENV = "NN_PLAYGROUND_DB"      # where saved experiments are kept, unless --db says

DEFAULTS = {
    "DATABASE": None,             # a SQLite file or postgresql:// URL (server.store); None:
                                  # NN_PLAYGROUND_DB, else DEFAULT_DATABASE
    "REDIS_URL": None,            # a web node of a cluster (server.cluster); None: embedded
    "INSTANCE_DIR": str(ROOT / "instance"),    # the secret key's file (server.secret)
    "SECRET_KEY": None,           # None: NN_PLAYGROUND_SECRET, else instance/secret_key
    "PROXY_HOPS": 0,              # reverse proxies whose X-Forwarded-* to believe (headers.py)
    "FPS": 30,
    "DEVICE": "auto",
    "DATA_DIR": None,             # MNIST / Fashion-MNIST IDX files (engine.data.images)
    "RUNNER_AUTOSTART": True,     # tests turn it off and drive the runner by hand
    "WORKERS": "auto",            # trainer processes: one per core ("auto"); 0 = a thread here
    "SOCKET_HANDLER_THREADS": 16,  # socket events run off the reader thread (0: inline, tests)
    "MAX_SESSIONS": 200,
    "MAX_SESSIONS_PER_OWNER": 8,
    "MAX_SESSIONS_PER_ADDRESS": 64,   # a class of 40 behind one NAT, some with two tabs
    "MAX_SOCKETS_PER_ADDRESS": 100,
    "MAX_SOCKETS_PER_BROWSER": 16,
    "DETACHED_TTL_S": 600,        # a closed page's sessions wait this long for a reconnect
    "IDLE_TTL_S": 1800,           # a paused session no one touched is removed, socket or not
    "EVICT_IDLE_S": 120,          # when full, a paused session idle this long makes room
    "MEMORY_BUDGET_BYTES": None,  # what all sessions' estimates may add up to (None: 3/4 of RAM)
    "SAVE_QUOTA_BROWSER_BYTES": 250_000_000,
    "SAVE_QUOTA_ADDRESS_BYTES": 1_000_000_000,
    "MIN_FREE_DISK_BYTES": 1_000_000_000,   # saves stop before the disk fills
    "MAX_CONTENT_LENGTH": MAX_MESSAGE_BYTES,
    "UPLOADS_DIR": None,          # uploaded tables and images (None: beside the SQLite file)
    "MAX_UPLOADS_PER_BROWSER": 20,
    "UPLOAD_QUOTA_BROWSER_BYTES": 200_000_000,  # parsed arrays: 5 of the largest image sets
                                                # (3,000 colour 64×64: 37 MB), 20 grey 28×28 ones
    "UPLOAD_QUOTA_TOTAL_BYTES": 5_000_000_000,
    "UPLOAD_KEEP_S": 7 * 86400,   # unsaved uploads are dropped a week after they were made
}
