"""The Socket.IO packet layer, hardened: every packet a client sends gets an answer or is
dropped on purpose, and none can block the connection's reader or flood the log.

python-socketio decodes each Engine.IO message in `Server._handle_eio_message` on the
connection's reader thread; a packet it cannot decode raised there and Engine.IO logged a
1.6 KB traceback, answering nothing. `install` puts `Packets.handle` in its place, which:
- refuses a message over MAX_MESSAGE_BYTES with an answer naming the limit (the transport
  itself accepts up to TRANSPORT_MAX_BYTES; beyond that it closes the connection);
- answers a packet it cannot decode, or an event that is not `[name, payload]`, with
  `{"ok": false, "errors": [{"path": "packet", ...}]}` (as the ack when the packet asked for
  one, always; else as a `refused` event) and logs ONE short line, at most LOG_BURST per
  connection and then one per LOG_EVERY_S; past that, junk without an ack id gets no event;
- runs each event's handler off the reader thread, in the connection's order, on a bounded
  pool (server.serial), so pings and frame acks keep flowing while an event waits on a trainer;
  `frame_ack` alone runs inline (a few microseconds). `handler_threads=0` runs every handler
  inline, as the Flask-SocketIO test client needs;
- ignores acks from clients (the server asks for none) and client events named like the
  protocol's own (`connect`, `disconnect`).
"""
from __future__ import annotations

import logging
import threading

from socketio import packet as sio_packet

from engine.spec.text import shown
from server.config import MAX_MESSAGE_BYTES
from server.errors import SlowDown
from server.limits import Limits, Rate
from server.serial import Busy, SerialPool

log = logging.getLogger(__name__)

TRANSPORT_MAX_BYTES = 4 * MAX_MESSAGE_BYTES   # what Engine.IO reads before closing the socket
MAX_PENDING_EVENTS = 32        # a connection's events waiting for the pool before it is refused
INLINE_EVENTS = frozenset({"frame_ack"})
RESERVED_EVENTS = frozenset({"connect", "disconnect", "connect_error", "disconnecting"})
REFUSED_EVENT = "refused"      # the answer to a bad packet that asked for no ack
# Junk per connection: answered and logged LOG_BURST times at once, then once per LOG_EVERY_S.
LOG_BURST, LOG_EVERY_S = 5, 10.0
JUNK_RATES = {"junk": {"connection": Rate(LOG_BURST, 1 / LOG_EVERY_S, "malformed packets")}}
BINARY_TYPES = (sio_packet.BINARY_EVENT, sio_packet.BINARY_ACK)


def refusal(path: str, message: str) -> dict:
    return {"ok": False, "errors": [{"path": path, "message": f"{path}: {message}"}]}


class Packets:
    def __init__(self, server, limits: Limits, handler_threads: int):
        self.server = server
        self.limits = limits
        self.junk = Limits(JUNK_RATES)
        self.suppressed: dict[str, int] = {}
        self.lock = threading.Lock()
        self.pool = SerialPool(handler_threads, "socket-events", MAX_PENDING_EVENTS) \
            if handler_threads else None

    def handle(self, eio_sid: str, data) -> None:
        """Server._handle_eio_message's replacement: never raises, answers or drops."""
        try:
            self._handle(eio_sid, data)
        except Exception:                         # a bug of ours, not the client's: say so
            log.exception("socket packet from %s failed", eio_sid)

    def _handle(self, eio_sid: str, data) -> None:
        s = self.server
        if eio_sid in s._binary_packet:           # an attachment of the packet before
            self._attachment(eio_sid, data)
            return
        if isinstance(data, (str, bytes)) and len(data) > MAX_MESSAGE_BYTES:
            self._junk(eio_sid, _header_id(data), "message", f"{len(data):,} bytes is above "
                       f"the limit of {MAX_MESSAGE_BYTES:,}")
            return
        try:
            pkt = s.packet_class(encoded_packet=data)
        except (ValueError, TypeError, RecursionError) as exc:
            self._junk(eio_sid, _header_id(data), "packet", f"not a Socket.IO packet ({exc})")
            return
        kind = pkt.packet_type
        if kind == sio_packet.CONNECT:
            s._handle_connect(eio_sid, pkt.namespace, pkt.data)
        elif kind == sio_packet.DISCONNECT:
            s._handle_disconnect(eio_sid, pkt.namespace, s.reason.CLIENT_DISCONNECT)
        elif kind == sio_packet.EVENT:
            self._event(eio_sid, pkt)
        elif kind in BINARY_TYPES and s.manager.sid_from_eio_sid(eio_sid, pkt.namespace or "/"):
            s._binary_packet[eio_sid] = pkt        # its attachments follow (at most 10)
        elif kind != sio_packet.ACK:              # acks: the server asks clients for none
            self._junk(eio_sid, pkt.id, "packet", f"packet type {shown(kind)} is not "
                                                  f"one a client may send")

    def _attachment(self, eio_sid: str, data) -> None:
        pkt = self.server._binary_packet[eio_sid]
        try:
            complete = pkt.add_attachment(data)
        except ValueError as exc:
            del self.server._binary_packet[eio_sid]
            self._junk(eio_sid, pkt.id, "packet", str(exc))
            return
        if complete:
            del self.server._binary_packet[eio_sid]
            if pkt.packet_type == sio_packet.BINARY_EVENT:
                self._event(eio_sid, pkt)

    def _event(self, eio_sid: str, pkt) -> None:
        s, data, namespace = self.server, pkt.data, pkt.namespace or "/"
        sid = s.manager.sid_from_eio_sid(eio_sid, namespace)
        if sid is None or not s.manager.is_connected(sid, namespace):
            return                                 # not connected: nothing to answer to
        if not isinstance(data, list) or not data or not isinstance(data[0], str) \
                or data[0] in RESERVED_EVENTS or len(data) > 2:
            self._junk(eio_sid, pkt.id, "packet", f"an event is [name, payload]; got "
                                                  f"{_event_text(data)}")
            return
        if data[0] in INLINE_EVENTS or self.pool is None:
            s._handle_event_internal(s, sid, eio_sid, data, namespace, pkt.id)
            return
        try:
            self.limits.take("event", connection=eio_sid)
            self.pool.submit(eio_sid, lambda: self._run(sid, eio_sid, data, namespace, pkt.id))
        except (SlowDown, Busy) as exc:
            errors = exc.errors if isinstance(exc, SlowDown) else [
                {"path": "", "message": f"slow down: {exc}; wait for their answers"}]
            self._answer(eio_sid, namespace, pkt.id, {"ok": False, "errors": errors})

    def _run(self, sid, eio_sid, data, namespace, ack_id) -> None:
        try:
            self.server._handle_event_internal(self.server, sid, eio_sid, data, namespace,
                                               ack_id)
        except Exception:
            log.exception("socket event %s failed", data[0])

    def _answer(self, eio_sid: str, namespace: str, ack_id, body: dict) -> None:
        s = self.server
        if ack_id is not None:
            s._send_packet(eio_sid, s.packet_class(sio_packet.ACK, namespace=namespace,
                                                   id=ack_id, data=[body]))
        elif s.manager.sid_from_eio_sid(eio_sid, namespace):
            s._send_packet(eio_sid, s.packet_class(sio_packet.EVENT, namespace=namespace,
                                                   data=[REFUSED_EVENT, body]))

    def _junk(self, eio_sid: str, ack_id, path: str, message: str) -> None:
        """A packet the client got wrong. One that asked for an acknowledgement always gets it
        (its callback must not hang); one that did not gets a `refused` event, and a short log
        line is written, while this connection's allowance lasts: past it a flood of junk
        costs the server no writes."""
        if ack_id is not None:
            self._answer(eio_sid, "/", ack_id, refusal(path, message))
        try:
            self.junk.take("junk", connection=eio_sid)
        except SlowDown:
            with self.lock:
                self.suppressed[eio_sid] = self.suppressed.get(eio_sid, 0) + 1
            return
        with self.lock:
            more = self.suppressed.pop(eio_sid, 0)
        log.warning("refused a packet from %s: %s: %s%s", eio_sid, path, message[:120],
                    f" ({more} more not logged)" if more else "")
        if ack_id is None:
            self._answer(eio_sid, "/", ack_id, refusal(path, message))


def _header_id(data) -> int | None:
    """The ack id in a packet's header (`2[<n>-][/ns,]<id>[...]`), read without decoding the
    rest: a packet too big or too broken to decode still gets its answer."""
    if not isinstance(data, str) or data[:1] not in ("2", "5"):
        return None
    head = data[1:32]
    if "-" in head[:4]:
        head = head[head.index("-") + 1:]
    if head.startswith("/"):
        head = head[head.find(",") + 1:] if "," in head else ""
    digits = ""
    for ch in head:
        if not ch.isdigit() or len(digits) >= 16:
            break
        digits += ch
    return int(digits) if digits else None


def _event_text(data) -> str:
    if isinstance(data, list) and data:
        return f"[{shown(data[0])}, ...] ({len(data)} items)"
    return shown(data)


def attachments(data) -> int:
    """How many binary attachments follow an encoded Socket.IO packet (`5<n>-…` or `6<n>-…`)."""
    if not isinstance(data, str) or data[:1] not in ("5", "6") or "-" not in data[:8]:
        return 0
    count = data[1:data.index("-")]
    return int(count) if count.isdigit() else 0


def whole_packets(server) -> None:
    """Each Socket.IO packet's parts (a header, then one Engine.IO message per binary
    attachment) go out with no other packet between them.

    python-socketio queues the parts one at a time, on two paths: `_send_packet` (answers)
    and, for an emit, `Manager.emit` calling `_send_eio_packet` once per part (frames, room
    pushes; in a cluster, from the message queue's thread). Two threads sending to one client
    at once (a frame and an answer holding arrays) could interleave them, and the client then
    pairs a header with another packet's attachment or reads an attachment as a packet (a
    cluster test's client decoded 0x8e as a packet type). Both paths now send under one lock;
    an emit's header waits, in its own thread, for its attachments, and all go out together.
    The lock only covers queueing (no encoding, no I/O)."""
    lock = threading.Lock()
    waiting = threading.local()              # this thread's header and attachments so far
    send_eio = server._send_eio_packet

    def send_packet(eio_sid, pkt) -> None:
        encoded = pkt.encode()
        with lock:
            for part in encoded if isinstance(encoded, list) else [encoded]:
                server.eio.send(eio_sid, part)

    def send_eio_packet(eio_sid, eio_pkt) -> None:
        parts = getattr(waiting, "parts", None)
        if parts is None:
            expected = attachments(eio_pkt.data)
            if expected:
                waiting.parts, waiting.expected = [eio_pkt], expected
                return
            parts, waiting.expected = [eio_pkt], 0
        else:
            parts.append(eio_pkt)
            if len(parts) <= waiting.expected:
                return
        waiting.parts = None
        with lock:
            for part in parts:
                send_eio(eio_sid, part)

    server._send_packet = send_packet
    server._send_eio_packet = send_eio_packet


def install(server, limits: Limits, handler_threads: int) -> Packets:
    """Put the hardened packet layer in front of a python-socketio Server."""
    whole_packets(server)
    packets = Packets(server, limits, handler_threads)
    server._handle_eio_message = packets.handle
    server.eio.on("message", packets.handle)
    server.eio.max_http_buffer_size = TRANSPORT_MAX_BYTES
    return packets
