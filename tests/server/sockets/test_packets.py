"""The packet layer: every packet a client sends gets an answer naming what is wrong (or is
dropped on purpose), a malformed one costs one short log line at most, and a connection that
floods junk is no longer logged (nor sent `refused` events; a packet that asked for an
acknowledgement always gets one)."""
from __future__ import annotations

import logging
import threading
import time

import pytest
from socketio import packet as sio_packet

from server import socketio
from server.config import MAX_MESSAGE_BYTES
from server.sockets.packets import LOG_BURST, REFUSED_EVENT, TRANSPORT_MAX_BYTES, attachments

from server.trainers import operations
from serverkit import Browser, error_paths

MALFORMED = [
    "2",                          # an event with no data
    "2{",                         # JSON cut short
    "21{\"a\":",                  # an ack id, then broken JSON
    "2[]",                        # an event with no name
    "2[7,{}]",                    # a name that is not text
    "2[null]",
    "2{\"open\":1}",              # an object, not [name, payload]
    "2[\"open\",{},{},{}]",       # too many arguments
    "2\"open\"",
    "9[\"open\"]",                # no such packet type
    "x",
    "",
    "2" + "[" * 5000 + "]" * 5000,            # deeper than the JSON reader follows
    "2[\"open\",{\"spec\":" + "9" * 5000 + "}]",   # an integer Python will not read
    "2-[\"open\"]",
    "2" + "1" * 120 + "[\"open\",{}]",                   # an ack id too long
]


def inject(sock, text):
    """Feed one raw Socket.IO packet to the server as the socket's reader would; the ack it
    answered (None when it answered none)."""
    sock.client.acks = None
    socketio.server._handle_eio_message(sock.client.eio_sid, text)
    return sock.client.acks["args"][0] if sock.client.acks else None


def refused_events(sock) -> list[dict]:
    got = sock.client.get_received()
    return [m["args"][0] for m in got if m["name"] == REFUSED_EVENT]


@pytest.mark.parametrize("text", MALFORMED, ids=range(len(MALFORMED)))
def test_a_malformed_packet_is_answered_naming_it(sock, text, caplog):
    caplog.set_level(logging.WARNING)
    answer = inject(sock, text)
    if answer is None:
        [answer] = refused_events(sock)
    assert error_paths(answer).keys() == {"packet"}, answer
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert all(len(r.getMessage()) < 400 and not r.exc_info for r in caplog.records)
    assert sock.call("open", spec={"data": {"dataset": "xor"}})["ok"]    # still serves


def test_an_ack_id_in_a_broken_packet_gets_the_answer(sock):
    answer = inject(sock, "2123[\"open\", {\"spec\": {\"data\": ")
    assert answer is not None and error_paths(answer).keys() == {"packet"}


def test_a_message_over_the_limit_is_refused_naming_it(sock):
    text = '242["open",{"hash":"' + "x" * MAX_MESSAGE_BYTES + '"}]'
    answer = inject(sock, text)
    assert "above the limit of 1,000,000" in error_paths(answer)["message"]
    assert TRANSPORT_MAX_BYTES > MAX_MESSAGE_BYTES     # such a message reaches this layer


def test_a_flood_of_junk_is_logged_and_answered_a_few_times_only(sock, caplog):
    caplog.set_level(logging.WARNING)
    for _ in range(500):
        inject(sock, "2{")
    assert len(refused_events(sock)) == LOG_BURST
    lines = [r for r in caplog.records if r.name == "server.sockets.packets"]
    assert len(lines) == LOG_BURST and all(len(r.getMessage()) < 300 for r in lines)
    assert sock.call("open", spec={"data": {"dataset": "xor"}})["ok"]


def test_junk_that_asks_for_an_answer_always_gets_one(sock, caplog):
    caplog.set_level(logging.WARNING)
    answers = [inject(sock, f'2{i}["open",{{"n":{"9" * 200}}}]') for i in range(30)]
    assert all(error_paths(a).keys() == {"packet"} for a in answers), answers[-1]
    lines = [r for r in caplog.records if r.name == "server.sockets.packets"]
    assert len(lines) == LOG_BURST


@pytest.mark.parametrize("name", ["connect", "disconnect"])
def test_a_client_cannot_send_the_protocols_own_events(opened, runner, name):
    answer = inject(opened, f'27["{name}", {{}}]')
    assert error_paths(answer).keys() == {"packet"}
    assert runner.slots[opened.session_id].sid is not None        # not detached by it


def test_acks_from_a_client_are_ignored(sock, caplog):
    caplog.set_level(logging.WARNING)
    assert inject(sock, "399[]") is None and refused_events(sock) == []
    assert caplog.records == []


@pytest.mark.parametrize("event", ["nope", "on_open", "_room", "x" * 5000, "frame"])
def test_an_unknown_event_is_answered_naming_it(sock, event):
    answer = sock.client.emit(event, {}, callback=True)
    paths = error_paths(answer)
    assert list(paths) == ["event"] and "not an event this server takes" in paths["event"]
    assert len(paths["event"]) < 500


@pytest.mark.parametrize("event, payload, key", [
    ("open", {"hash": "#dataset=xor", "colour": "red"}, "colour"),
    ("open", {"hash": "#dataset=xor", "spec": {}}, "hash"),
    ("play", {"session_id": "x", "speed": 2}, "speed"),
    ("frame_ack", {"session_id": "x", "seq": 1, "extra": 0}, "extra"),
    ("room_join", {"code": "ABCDEF", "session_id": "x"}, "session_id"),
    ("save", {"title": "t", "x" * 300: 1}, "x" * 39 + "…"),
])
def test_an_unknown_payload_key_is_refused_naming_it(sock, event, payload, key):
    paths = error_paths(sock.client.emit(event, payload, callback=True))
    assert list(paths) == [key], paths


def test_a_binary_payload_is_refused_naming_the_field(sock):
    answer = sock.client.emit("open", {"hash": b"\x00\x01"}, callback=True)
    assert list(error_paths(answer)) == ["hash"]


def test_an_event_waiting_on_a_trainer_does_not_block_the_reader(make_app, monkeypatch):
    """With handler threads (as served), the reader thread hands an event to the pool and reads
    on: a frame ack (and Engine.IO's pings) go through while the event waits."""
    app = make_app(SOCKET_HANDLER_THREADS=2)
    release, started = threading.Event(), threading.Event()

    def slow_play(trainer, key, entry, args):
        started.set()
        release.wait(30)
        return {"status": "paused"}
    monkeypatch.setitem(operations.OPS, "play", slow_play)
    sock = Browser(app).socket()
    opened = sock.client.emit("open", {"spec": {"data": {"dataset": "xor"}}}, callback=True)
    end = time.monotonic() + 30
    while opened is None and sock.client.acks is None:  # the open ran on the pool: its answer
        assert time.monotonic() < end                  # comes later (or, on a quick pool, before
        time.sleep(0.01)                               # emit returns, which then hands it back)
    session_id = (opened or sock.client.acks["args"][0])["session_id"]
    entry = app.extensions["runner"].trainers[0].trainer.entries[session_id]
    inject(sock, f'21["play",{{"session_id":"{session_id}"}}]')
    assert started.wait(30)                            # play is waiting on its "trainer"...
    entry.awaiting = 7
    inject(sock, f'2["frame_ack",{{"session_id":"{session_id}","seq":7}}]')
    assert entry.awaiting is None                      # ...and the ack went through meanwhile
    release.set()


def test_a_binary_packet_goes_out_whole_while_other_threads_send(app):
    """A frame (an emit: its header, then its attachment, one call each) and answers holding
    arrays (an ack packet), sent to one client from two threads at once: every header is
    followed by its own attachment, never by another packet (the client would read that
    attachment as a packet of its own)."""
    server = socketio.server
    eio_sid = "eio-1"
    sid = server.manager.connect(eio_sid, "/")
    sent: list = []

    def queue(to, pkt):                      # what Engine.IO would queue for the socket
        sent.append((threading.current_thread().name, pkt.data))
        time.sleep(0.0002)                   # let the other thread in, if it may come in

    server.eio.send_packet = queue

    def frames():
        for n in range(40):
            server.manager.emit("frame", {"seq": n, "blob": bytes([n]) * 8}, "/", to=sid)

    def answers():
        for n in range(40):
            server._send_packet(eio_sid, sio_packet.Packet(
                sio_packet.ACK, namespace="/", data=[{"ok": True, "arrays": bytes([n]) * 8}], id=n))

    threads = [threading.Thread(target=frames, name="frames"),
               threading.Thread(target=answers, name="answers")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sent) == 160
    for i, (who, data) in enumerate(sent):
        if isinstance(data, str):
            assert attachments(data) == 1, data
            assert sent[i + 1][0] == who and isinstance(sent[i + 1][1], bytes), sent[i: i + 2]
