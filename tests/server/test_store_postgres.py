"""What PostgreSQL needs beyond SQLite's one writer: saves on several web nodes take turns per
browser and per address (advisory locks), so a quota is checked against every save before it;
and a kept connection that died with its server is replaced, never handed out."""
from __future__ import annotations

import threading

import psycopg
import pytest

from clusterkit import wait_for
from server import store
from server.errors import outcome
from server.store.postgres import QUOTA_LOCKS, lock_key

pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)
WAIT_S = 30
RECORD = {"format": 1, "title": "t", "description": "", "spec": "{}", "weights": b"w" * 400,
          "optimizer": b"", "history": "{}", "recording": b"", "metrics": "{}", "epoch": 1,
          "step": 1, "device": "cpu"}
QUOTA = store.Quota(owner="browser-1", per_owner=1000)


def waiting_for_a_lock(admin) -> bool:
    return admin.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                         "AND NOT granted").fetchone()[0] > 0


def test_a_save_waits_for_its_browsers_other_save_and_counts_it(database):
    db = store.open_store(database())
    db.init()
    other = psycopg.connect(db.target)                   # another web node's save, mid-way
    other.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                  (QUOTA_LOCKS["owner"], lock_key(QUOTA.owner)))
    answer = {}
    saver = threading.Thread(target=lambda: answer.update(outcome(db.save, RECORD, 10 ** 6,
                                                                  QUOTA)))
    saver.start()
    with psycopg.connect(db.target, autocommit=True) as admin:
        wait_for(lambda: waiting_for_a_lock(admin), WAIT_S, "the save to wait for the lock")
    other.execute("INSERT INTO experiments (id, created, format, title, description, spec, "
                  "weights, optimizer, history, recording, metrics, epoch, step, device, owner, "
                  "size) VALUES (%s, 0, 1, '', '', '{}', '', '', '{}', '', '{}', 0, 0, 'cpu', "
                  "%s, 800)", ("B" * 22, QUOTA.owner))
    other.commit()                                       # its row in, its lock let go
    saver.join(WAIT_S)
    assert answer["ok"] is False and "this browser has saved" in answer["errors"][0]["message"]
    other.close()
    db.close()


def test_a_connection_that_died_is_replaced_before_it_is_used(database):
    db = store.open_store(database())
    db.init()
    exp_id = db.save(RECORD, 10 ** 6, QUOTA)
    with psycopg.connect(db.target, autocommit=True) as admin:   # as a restart would do
        killed = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                               "datname = current_database() AND pid <> pg_backend_pid()"
                               ).fetchall()
    assert killed and len(db.idle) == 1
    assert db.load(exp_id, ("title",)) == {"title": "t"}
    db.close()
