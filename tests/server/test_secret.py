"""The cookie-signing key survives restarts: configured, from the environment, or made once in
the instance folder with mode 600 and read back by every later start (and by a second process
starting at the same moment)."""
from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from server.secret import ENV_VAR, FILE_NAME, secret_key


@pytest.fixture(autouse=True)
def no_env(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)


def test_made_once_private_and_reused(tmp_path):
    key = secret_key(None, tmp_path)
    path = tmp_path / FILE_NAME
    assert len(key) >= 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key(None, tmp_path) == key


def test_processes_starting_together_share_one_key(tmp_path):
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: secret_key(None, tmp_path), range(16)))
    assert len(keys) == 1


def test_the_environment_and_the_config_win(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "e" * 32)
    assert secret_key(None, tmp_path) == "e" * 32
    assert secret_key("c" * 32, tmp_path) == "c" * 32
    assert not (tmp_path / FILE_NAME).exists()


def test_a_short_configured_key_is_refused(tmp_path):
    with pytest.raises(ValueError):
        secret_key("short", tmp_path)


def test_the_app_keeps_its_key_across_restarts(make_app):
    first = make_app().config["SECRET_KEY"]
    assert make_app().config["SECRET_KEY"] == first
