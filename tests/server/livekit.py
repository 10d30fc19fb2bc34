"""A real server for the tests that need one: `nn-playground serve` in a subprocess on a free
port (or a given one, for a restart), with real Socket.IO clients carrying the owner cookie a
page would get from GET /."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import requests
import socketio

from server.config import ROOT

START_TIMEOUT_S = 60       # spawning two trainer processes on a loaded machine takes a while
POLL_S = 0.02


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`python -m server.cli serve` with `args`; `url` answers once it is up."""

    def __init__(self, db: str, log, *args: str, env: dict | None = None,
                 port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = db
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port), "--db", db,
             "--device", "cpu", *args], cwd=ROOT, stdout=log, stderr=log,
            env={**os.environ, **(env or {})})
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert self.proc.poll() is None, "the server exited while starting"
            assert time.monotonic() < deadline, "the server did not start"
            try:
                if requests.get(self.url + "/api/schema", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(POLL_S)

    def cookie(self, headers: dict | None = None) -> str:
        """A browser's owner cookie, from GET / as a page gets it."""
        page = requests.get(self.url + "/", headers=headers or {}, timeout=10)
        assert page.ok
        return "; ".join(f"{k}={v}" for k, v in page.cookies.items())

    def client(self, cookie: str | None = None, headers: dict | None = None) -> socketio.Client:
        """A connected Socket.IO client with that cookie (a fresh browser's by default)."""
        headers = dict(headers or {})
        headers["Cookie"] = cookie or self.cookie(headers)
        sio = socketio.Client(reconnection=False)
        sio.connect(self.url, headers=headers, wait_timeout=10)
        return sio

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def close_soon(sio: socketio.Client) -> None:
    """Disconnect in the background: the client's WebSocket close handshake waits up to its 3 s
    timeout for the server's answer, which never changes what a test checks."""
    def close() -> None:
        try:
            sio.disconnect()
        except Exception:                      # noqa: BLE001 (its server may be gone already)
            pass
    threading.Thread(target=close, daemon=True).start()
