"""A throwaway PostgreSQL for the tests: Debian's binaries, a cluster made by initdb in a
temporary folder, `postgres` on a free port, run as its own unprivileged user (as root, the
`postgres` system user through setpriv: PostgreSQL refuses to run as root), a database per
test, everything stopped at the end. It waits on conditions (a connection accepted, the
process gone), never a fixed sleep."""
from __future__ import annotations

import ctypes
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

import psycopg
import pytest

from livekit import free_port

START_TIMEOUT_S = 60            # initdb and the first start on a busy 2-core CI machine
STOP_TIMEOUT_S = 30
POLL_S = 0.05
SUPERUSER = "playground"
PR_SET_PDEATHSIG = 1            # prctl(2)
PRCTL = ctypes.CDLL(None, use_errno=True).prctl   # found before a fork, called after it
SYSTEM_USERS = ("postgres", "nobody")   # who runs it when the tests run as root
MISSING = ("PostgreSQL is not installed (no initdb on PATH nor in /usr/lib/postgresql/*/bin): "
           "`make setup-test` (or `make postgresql`) installs Debian's postgresql")


def binaries() -> str:
    """The folder of initdb and postgres; fails the test (never skips) when there is none."""
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(os.path.realpath(found))
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(p.split("/")[-3]) if p.split("/")[-3].isdigit() else 0)
    if not versions:
        pytest.fail(MISSING, pytrace=False)
    return os.path.dirname(versions[-1])


def _as_user() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that drops root (empty when not root) and the user it becomes."""
    if os.geteuid() != 0:
        return [], None
    for name in SYSTEM_USERS:
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        return [shutil.which("setpriv") or "setpriv", f"--reuid={user.pw_uid}",
                f"--regid={user.pw_gid}", "--init-groups", "--pdeathsig", "TERM", "--"], user
    pytest.fail(f"running as root and none of the users {SYSTEM_USERS} exists to run "
                f"PostgreSQL as", pytrace=False)


def _die_with_parent() -> None:
    """In the child: SIGTERM when the test process dies, even by SIGKILL (no orphan server;
    as root, setpriv --pdeathsig does it after dropping to the server's user)."""
    PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)


class PostgresServer:
    """initdb'd in a fresh folder (trust authentication, local connections only), started on a
    free port; `url(name)` connects to database `name`; `stop` and `start` again keep the
    data (a server that goes away and comes back)."""

    def __init__(self):
        self.bin = binaries()
        self.drop, user = _as_user()
        self.folder = tempfile.mkdtemp(prefix="nn-playground-pg-")   # /tmp: postgres can reach
        self.data = os.path.join(self.folder, "data")
        if user is not None:
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self.port = free_port()
        self.proc = None
        self.log = open(os.path.join(self.folder, "server.log"), "ab")
        self._run([os.path.join(self.bin, "initdb"), "-D", self.data, "-U", SUPERUSER,
                   "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"])
        self.start()

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(self.drop + command, stdout=self.log, stderr=subprocess.STDOUT,
                              cwd=self.folder, timeout=START_TIMEOUT_S)
        assert done.returncode == 0, f"{command[0]} failed: see {self.folder}/server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        # fsync off: a throwaway cluster; a killed postgres still keeps every commit (the OS
        # holds the pages), only a machine crash could lose them.
        self.proc = subprocess.Popen(
            self.drop + [os.path.join(self.bin, "postgres"), "-D", self.data,
                         "-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
                         "-c", f"unix_socket_directories={self.folder}", "-c", "fsync=off",
                         "-c", "full_page_writes=off", "-c", "max_connections=200"],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=self.folder,
            preexec_fn=None if self.drop else _die_with_parent)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._accepts():
            assert self.proc.poll() is None, f"postgres exited: see {self.folder}/server.log"
            assert time.monotonic() < deadline, "postgres did not accept connections in time"
            time.sleep(POLL_S)

    def _accepts(self) -> bool:
        try:
            psycopg.connect(self.url(), connect_timeout=2).close()
            return True
        except psycopg.OperationalError:
            return False

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """A fast shutdown (SIGINT: clients cut off), waited for."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def close(self) -> None:
        self.stop()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
