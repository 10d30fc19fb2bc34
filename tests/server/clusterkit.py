"""A real cluster for the tests: redis-server in a temporary folder on a free port, web nodes
(`nn-playground serve --redis`, livekit.LiveServer) and trainer nodes (`nn-playground trainer`)
as subprocesses, and clients that record what they receive. Everything waits on conditions
(`wait_for`), never a fixed sleep, and every process is killed at teardown."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
import redis
import socketio

from livekit import LiveServer, close_soon, free_port
from server.cluster import keys
from server.config import ROOT

START_TIMEOUT_S = 90        # a trainer node imports torch and starts its trainer: seconds on a busy CI
POLL_S = 0.05
SECRET = "c" * 48           # every web node signs cookies with the same key


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found is None:
        pytest.skip("redis-server is not installed (make setup-test installs it with apt-get)")
    return found


def wait_for(condition, timeout: float, what: str):
    """condition()'s first truthy value within `timeout` s, or the test fails naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(POLL_S)


class RedisServer:
    """redis-server with an append-only file, so a restart keeps the cluster's facts."""

    def __init__(self, folder, port: int | None = None):
        self.folder, self.port = str(folder), port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             self.folder, "--appendonly", "yes", "--appendfsync", "always", "--save", "",
             "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        wait_for(lambda: self._pings(client), START_TIMEOUT_S, "redis-server")

    @staticmethod
    def _pings(client) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait()


class TrainerProcess:
    """`nn-playground trainer --redis URL` in a subprocess; returns once it has registered."""

    def __init__(self, url: str, log, *args: str):
        self.redis = redis.Redis.from_url(url)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "trainer", "--redis", url, "--device", "cpu",
             "--workers", "0", *args], cwd=ROOT, stdout=log, stderr=log)
        self.id = wait_for(self._registered, START_TIMEOUT_S, "a trainer node to register")

    def _registered(self) -> str | None:
        assert self.proc.poll() is None, "the trainer node exited while starting"
        for member in self.redis.smembers(keys.NODES):
            node = member.decode()
            if self.redis.hget(keys.node(node), "pid") == str(self.proc.pid).encode():
                return node
        return None

    def sessions(self) -> set[str]:
        return {m.decode() for m in self.redis.smembers(keys.placed(self.id))}

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def web_node(db: str, log, url: str) -> LiveServer:
    return LiveServer(db, log, "--redis", url, env={"NN_PLAYGROUND_SECRET": SECRET})


class Client:
    """A page: one socket to a web node, acknowledging every frame; remembers what came."""

    def __init__(self, server: LiveServer, cookie: str | None = None):
        self.cookie = cookie or server.cookie()
        self.events: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self.sio = self._connect(server)

    def _connect(self, server: LiveServer) -> socketio.Client:
        sio = socketio.Client(reconnection=False)
        for name in ("frame", "moved", "lost", "room", "room_push", "room_spec"):
            sio.on(name, handler=lambda data, name=name: self._got(sio, name, data))
        sio.connect(server.url, headers={"Cookie": self.cookie}, wait_timeout=10)
        return sio

    def reconnect(self, server: LiveServer) -> None:
        """The page's socket comes back on another web node (the same cookie)."""
        close_soon(self.sio)                   # its node may be gone already
        self.sio = self._connect(server)

    def _got(self, sio, name: str, data: dict) -> None:
        with self.lock:
            self.events.append((name, data))
        if name == "frame":
            sio.emit("frame_ack", {"session_id": data["session_id"], "seq": data["seq"]})

    def call(self, event: str, payload: dict, timeout: float = 60) -> dict:
        return self.sio.call(event, payload, timeout=timeout)

    def got(self, name: str, session_id: str | None = None) -> list[dict]:
        with self.lock:
            return [d for n, d in self.events if n == name
                    and (session_id is None or d.get("session_id") == session_id)]

    def epoch(self, session_id: str) -> int:
        frames = self.got("frame", session_id)
        return frames[-1]["epoch"] if frames else -1

    def close(self) -> None:
        close_soon(self.sio)
