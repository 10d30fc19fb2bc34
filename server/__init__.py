"""The Flask app: `create_app(config)` wires pages, REST, sockets, storage and the runner.

Embedded defaults: a SQLite file under instance/, in-process training on the auto-detected
device. Each concern owns one module with an `init_app(app)`.
"""
from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path

from flask import Flask
from flask_socketio import SocketIO

ROOT = Path(__file__).resolve().parent.parent
MAX_MESSAGE_BYTES = 1_000_000     # socket and HTTP bodies: a spec is a few KB

# Handlers run on the connection's own reader thread (async_handlers=False): a frame ack is a
# few microseconds of work, and a new thread per event cost more than the event.
socketio = SocketIO(async_mode="threading", max_http_buffer_size=MAX_MESSAGE_BYTES,
                    async_handlers=False)

DEFAULTS = {
    "DATABASE": str(ROOT / "instance" / "nn-playground.sqlite3"),
    "FPS": 30,
    "DEVICE": "auto",
    "DATA_DIR": None,             # MNIST / Fashion-MNIST IDX files (see engine/data/images.py)
    "RUNNER_AUTOSTART": True,     # tests turn it off and drive the runner by hand
    "WORKERS": "auto",            # trainer processes: one per core ("auto"); 0 = a thread here
    "MAX_SESSIONS": 200,
    "MAX_SESSIONS_PER_OWNER": 8,
    "DETACHED_TTL_S": 600,
    "MAX_CONTENT_LENGTH": MAX_MESSAGE_BYTES,
}


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), static_url_path="/static")
    app.config.update(DEFAULTS)
    app.config["SECRET_KEY"] = os.environ.get("NN_PLAYGROUND_SECRET") or secrets.token_hex(32)
    app.config.update(config or {})

    from server import compare, downloads, events, experiments, lessons, runner, store, views
    store.init_app(app)
    experiments.init_app(app)
    views.init_app(app)
    downloads.init_app(app)
    compare.init_app(app)
    lessons.init_app(app)
    runner.init_app(app, socketio)
    socketio.init_app(app)
    _atomic_packets(socketio.server)
    events.init_app(app, socketio)
    return app


def _atomic_packets(server) -> None:
    """Send each Socket.IO packet's parts (a header, then one message per binary attachment)
    without another thread's packet between them. python-socketio queues the parts one by one,
    so a frame sent by a trainer's thread and an ack answered by a handler's thread could
    interleave on one connection, and the client would read an attachment as a packet."""
    if getattr(server, "_atomic_packets", False):
        return
    lock = threading.Lock()

    def send_packet(eio_sid, pkt):
        encoded = pkt.encode()
        with lock:
            for part in encoded if isinstance(encoded, list) else [encoded]:
                server.eio.send(eio_sid, part)

    server._send_packet = send_packet
    server._atomic_packets = True
