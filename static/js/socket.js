/**
 * The only module that calls io(): requests with acknowledgements as promises, incoming frames
 * with their binary arrays decoded into typed arrays, and frame acknowledgements.
 */
import { io } from "/vendor/socket.io.esm.min.js";
import { ACK_TIMEOUT_MS, READ_ONLY_MESSAGE } from "./constants.js";

const TYPED_ARRAYS = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  int32: Int32Array, uint32: Uint32Array, float32: Float32Array, float64: Float64Array,
};

/** Events about no session of ours: the only ones a page showing a session it does not own
 * (a saved experiment, a room's) may send, and the ones sent without our session_id. */
const SESSIONLESS_EVENTS = new Set(["open", "room_join", "room_leave", "room_fork"]);

/** {shape, dtype, data: ArrayBuffer | view | list} → {shape, dtype, data: TypedArray}. */
export function decodeArray(entry) {
  const Typed = TYPED_ARRAYS[entry.dtype];
  if (!Typed) throw new Error(`frame array has unknown dtype ${entry.dtype}`);
  let { data } = entry;
  if (Array.isArray(data)) return { ...entry, data: Typed.from(data) };
  if (ArrayBuffer.isView(data)) {
    // A view may start at an offset that is not aligned for the element size: copy it out.
    data = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  }
  return { ...entry, data: new Typed(data) };
}

/** A frame's arrays: each a view of the one binary `blob` at its offset (docs/protocol.md). */
export function decodeFrame(raw) {
  const arrays = {};
  const blob = raw.blob;
  const base = blob == null ? null : ArrayBuffer.isView(blob) ? blob.buffer : blob;
  const start = ArrayBuffer.isView(blob) ? blob.byteOffset : 0;
  for (const [name, entry] of Object.entries(raw.arrays || {})) {
    if (!entry) continue;
    if (entry.data != null) {
      arrays[name] = decodeArray(entry);
    } else if (base && entry.offset != null) {
      const Typed = TYPED_ARRAYS[entry.dtype];
      if (!Typed) throw new Error(`frame array has unknown dtype ${entry.dtype}`);
      const at = start + entry.offset;
      const data = at % Typed.BYTES_PER_ELEMENT === 0
        ? new Typed(base, at, entry.nbytes / Typed.BYTES_PER_ELEMENT)
        : new Typed(base.slice(at, at + entry.nbytes));
      arrays[name] = { shape: entry.shape, dtype: entry.dtype, data };
    }
  }
  const { blob: _, ...rest } = raw;
  return { ...rest, arrays };
}

export class Connection {
  constructor() {
    this.socket = io({ autoConnect: false });
    this.frameHandlers = [];
    this.linkHandlers = [];
    this.connectedBefore = false;
    this.sessionId = null;      // set by the spec store once `open` answers
    this.readOnly = false;      // a saved experiment on screen: only `open` may be sent
    this.socket.on("frame", (raw) => this.#receive(raw));
    this.socket.on("connect", () => {
      const reconnected = this.connectedBefore;
      this.connectedBefore = true;
      this.linkHandlers.forEach((handler) => handler({ connected: true, reconnected }));
    });
    this.socket.on("disconnect", () => {
      this.linkHandlers.forEach((handler) => handler({ connected: false, reconnected: false }));
    });
    this.socket.connect();
  }

  /** handler(frame) gets every frame, decoded. */
  onFrame(handler) {
    this.frameHandlers.push(handler);
  }

  /** handler(payload) for a server event other than frames (e.g. `room`, `room_push`). */
  on(event, handler) {
    this.socket.on(event, handler);
  }

  /** handler({connected, reconnected}) on connect and disconnect. */
  onLink(handler) {
    this.linkHandlers.push(handler);
  }

  /**
   * Emit an event and resolve with the server's answer ({ok: false, errors} on a timeout).
   * Every event but `open` names the session it is about.
   */
  async request(event, payload = {}) {
    const sessionless = SESSIONLESS_EVENTS.has(event);
    if (this.readOnly && !sessionless) return { ok: false, errors: [{ path: "", message: READ_ONLY_MESSAGE }] };
    const body = sessionless || !this.sessionId ? payload : { session_id: this.sessionId, ...payload };
    try {
      return await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, body);
    } catch (error) {
      return { ok: false, errors: [{ path: "", message: `the server did not answer "${event}": ${error.message}` }] };
    }
  }

  ack(frame) {
    this.socket.emit("frame_ack", { session_id: frame.session_id, seq: frame.seq });
  }

  #receive(raw) {
    const frame = decodeFrame(raw);
    this.frameHandlers.forEach((handler) => handler(frame));
  }
}
