"""A web node's parts when the app runs with `REDIS_URL` (`nn-playground serve --redis URL`):
the cluster runner and its failover monitor in place of local trainers, live rooms in Redis,
and Flask-SocketIO on the Redis message queue, so any node emits to any client."""
from __future__ import annotations

from flask import Flask

from server.cluster.failover import Monitor
from server.cluster.rooms import RedisRooms
from server.cluster.runner import ClusterRunner


def init_runner(app: Flask, socketio) -> None:
    c = app.config
    runner = ClusterRunner(c["REDIS_URL"], socketio.emit, max_sessions=c["MAX_SESSIONS"],
                           max_per_owner=c["MAX_SESSIONS_PER_OWNER"],
                           max_per_address=c["MAX_SESSIONS_PER_ADDRESS"],
                           detached_ttl=c["DETACHED_TTL_S"], idle_ttl=c["IDLE_TTL_S"])
    runner.monitor = Monitor(runner)
    app.extensions["runner"] = runner
    if c["RUNNER_AUTOSTART"]:
        runner.start()


def init_rooms(app: Flask, socketio) -> None:
    """Live rooms in Redis (after server.sockets.events, which made the in-process ones)."""
    app.extensions["rooms"] = RedisRooms(app.extensions["runner"], socketio.emit)
