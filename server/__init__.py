"""The Flask app: `create_app(config)` wires pages, REST, sockets, storage and the trainers.

Embedded defaults (server.config): a SQLite file under instance/, trainers on every core, the
auto-detected device. Each concern owns one module with an `init_app(app)`.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_socketio import SocketIO

from server.config import DEFAULTS, MAX_MESSAGE_BYTES, ROOT
from server.secret import secret_key


# python-socketio would start a thread per event (async_handlers=True) or run it on the
# connection's reader thread; server.sockets.packets does neither: frame acks inline, every
# other event on a bounded pool in the connection's order.
socketio = SocketIO(async_mode="threading", max_http_buffer_size=MAX_MESSAGE_BYTES,
                    async_handlers=False)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), static_url_path="/static")
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.config["SECRET_KEY"] = secret_key(app.config["SECRET_KEY"],
                                          Path(app.config["INSTANCE_DIR"]))

    # Imported when an app is made, not with the package: a trainer worker process imports
    # server.trainers alone and needs none of the pages, sockets or storage.
    from server import headers, store, uploadstore
    from server.limits import Limits
    from server.pages import api, assets, compare, downloads, experiments, index, join, lessons, uploads
    from server.sockets import events, packets
    from server.trainers import runner
    app.extensions["limits"] = Limits(app.config.get("LIMIT_RATES"))
    store.init_app(app)
    uploadstore.init_app(app)
    for page in (experiments, index, join, downloads, compare, lessons, assets, uploads):
        page.init_app(app)
    api.init_app(app)
    cluster = app.config["REDIS_URL"]
    if cluster:                     # a web node: sessions on trainer nodes, facts in Redis
        from server.cluster import web
        web.init_runner(app, socketio)
        socketio.init_app(app, message_queue=cluster)
    else:
        runner.init_app(app, socketio)
        socketio.init_app(app)
    packets.install(socketio.server, app.extensions["limits"],
                    app.config["SOCKET_HANDLER_THREADS"])
    events.init_app(app, socketio)
    if cluster:
        web.init_rooms(app, socketio)
    headers.init_app(app)           # last: its proxy fix wraps the socket middleware too
    return app
