"""The runner's share-out: per-browser, per-address and memory limits, who makes room when the
server is full (the oldest detached session, then the longest-idle paused one, never one in
use), paused sessions reaped even with their socket open, a failed build freed everywhere, and
a lost trainer's sessions freed and their clients told."""
from __future__ import annotations

from engine.spec.parse import parse_spec
from server.trainers.runner import memory_of
from serverkit import Browser, error_paths

XOR = {"data": {"dataset": "xor"}}


def opened(app, spec=XOR):
    sock = Browser(app).socket()
    answer = sock.call("open", spec=spec)
    sock.session_id = answer.get("session_id")
    return sock, answer


def test_one_address_may_not_hold_more_than_its_share(make_app):
    app = make_app(MAX_SESSIONS_PER_ADDRESS=3)
    for _ in range(3):
        assert opened(app)[1]["ok"]
    _, answer = opened(app)
    assert "this address already has 3 sessions" in error_paths(answer)[""]


def test_an_address_at_its_share_makes_room_from_its_own_closed_tabs(make_app):
    """A class behind one NAT: a student's closed tab gives its place to the next student."""
    app = make_app(MAX_SESSIONS_PER_ADDRESS=3)
    first, _ = opened(app)
    others = [opened(app)[0] for _ in range(2)]
    first.disconnect()
    newcomer, answer = opened(app)
    assert answer["ok"], answer
    runner = app.extensions["runner"]
    assert first.session_id not in runner.slots
    assert all(sock.session_id in runner.slots for sock in others + [newcomer])


def in_use(sock) -> None:
    """What a page showing its frames does all the time: acknowledge one."""
    sock.send("frame_ack", {"session_id": sock.session_id, "seq": 0})


def lost_events(sock) -> list[dict]:
    return [m["args"][0] for m in sock.client.get_received() if m["name"] == "lost"]


def test_a_full_server_makes_room_from_the_detached_then_the_idle_never_the_busy(make_app):
    app = make_app(MAX_SESSIONS=3, EVICT_IDLE_S=60)
    runner, clock = app.extensions["runner"], app.extensions["runner"].clock
    gone, _ = opened(app)
    playing, _ = opened(app)
    idle, _ = opened(app)
    assert playing.call("play")["ok"]
    gone.disconnect()
    newcomer, answer = opened(app)
    assert answer["ok"] and gone.session_id not in runner.slots       # the detached one went
    _, answer = opened(app)
    assert "the server is full" in error_paths(answer)[""]             # the rest are in use
    clock.advance(61)
    in_use(playing)
    in_use(newcomer)
    idle.client.get_received()
    _, answer = opened(app)
    assert answer["ok"]
    assert idle.session_id not in runner.slots                         # idle longest: it went
    assert {playing.session_id, newcomer.session_id} <= set(runner.slots)
    [told] = lost_events(idle)
    assert told["session_id"] == idle.session_id and "make room" in told["message"]


def test_a_session_nobody_uses_is_reaped_with_its_socket_still_open(make_app):
    app = make_app(IDLE_TTL_S=100)
    runner, clock = app.extensions["runner"], app.extensions["runner"].clock
    unused, _ = opened(app)
    watched, _ = opened(app)
    hidden, _ = opened(app)                  # playing in a background tab: no acks
    for sock in (watched, hidden):
        assert sock.call("play")["ok"]
    clock.advance(50)
    assert unused.call("step", unit="batch")["ok"]                     # touched: counts again
    clock.advance(60)
    in_use(watched)
    runner._reap()
    assert unused.session_id in runner.slots
    assert hidden.session_id not in runner.slots                       # 110 s unseen
    clock.advance(50)
    in_use(watched)
    unused.client.get_received()
    runner._reap()
    assert unused.session_id not in runner.slots and watched.session_id in runner.slots
    assert unused.client.is_connected()
    [told] = lost_events(unused)
    assert told["reason"] == "idle" and "2 minutes unused" in told["message"]


def test_the_servers_memory_is_shared_out(make_app):
    budget = 3 * memory_of(parse_spec(XOR)) + 1000       # room for three such sessions
    app = make_app(MEMORY_BUDGET_BYTES=budget, EVICT_IDLE_S=60)
    socks = [opened(app)[0] for _ in range(3)]
    for sock in socks:
        assert sock.call("play")["ok"]
    _, answer = opened(app)
    assert "no memory left" in error_paths(answer)[""]
    big = {"data": {"dataset": "shapes", "samples": 20000}}
    paths = error_paths(socks[0].call("configure", spec=big))
    assert "no memory left" in paths[""]


def test_a_build_that_fails_frees_its_slot(app, runner, trainer):
    sock = Browser(app).socket()
    answer = sock.call("open", spec={"data": {"dataset": "mnist"}})    # its files are missing
    assert error_paths(answer).keys() == {"data.dataset"}
    assert runner.slots == {} and trainer.entries == {}


def test_a_build_removed_while_it_runs_is_dropped_when_it_ends(trainer):
    """What the runner does when an open outlives its call's timeout: the trainer must not
    keep the session it finishes building for nobody."""
    calls = []
    lane = type("Lane", (), {"submit": lambda self, key, job: calls.append(job),
                             "busy": lambda self, key: True})()
    trainer.lanes = {False: lane, True: lane}
    trainer.create("k", parse_spec(XOR), None)
    trainer.remove("k")                        # the runner gave up on it
    answer = calls[0]()                        # the build ends afterwards
    assert not answer["ok"] and trainer.entries == {}


def test_a_lost_trainer_frees_its_slots_and_tells_its_clients(app, runner):
    sock, _ = opened(app)
    sock.client.get_received()
    runner._lost(0)
    assert runner.slots == {}
    [lost] = [m["args"][0] for m in sock.client.get_received() if m["name"] == "lost"]
    assert lost["session_id"] == sock.session_id and "lost this session" in lost["message"]
    assert opened(app)[1]["ok"]                # the slot is free at once
