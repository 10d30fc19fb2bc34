/**
 * The only module that calls io(): requests with acknowledgements as promises, incoming frames
 * with their binary arrays decoded into typed arrays, and frame acknowledgements.
 */
import { io } from "/vendor/socket.io.esm.min.js";
import { ACK_TIMEOUT_MS } from "./constants.js";

const TYPED_ARRAYS = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  int32: Int32Array, uint32: Uint32Array, float32: Float32Array, float64: Float64Array,
};

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

export function decodeFrame(raw) {
  const arrays = {};
  for (const [name, entry] of Object.entries(raw.arrays || {})) {
    if (entry && entry.data != null) arrays[name] = decodeArray(entry);
  }
  return { ...raw, arrays };
}

export class Connection {
  constructor() {
    this.socket = io();
    this.frameHandlers = [];
    this.linkHandlers = [];
    this.connectedBefore = false;
    this.socket.on("frame", (raw) => this.#receive(raw));
    this.socket.on("connect", () => {
      const reconnected = this.connectedBefore;
      this.connectedBefore = true;
      this.linkHandlers.forEach((handler) => handler({ connected: true, reconnected }));
    });
    this.socket.on("disconnect", () => {
      this.linkHandlers.forEach((handler) => handler({ connected: false, reconnected: false }));
    });
  }

  /** handler(frame) gets every frame, decoded. */
  onFrame(handler) {
    this.frameHandlers.push(handler);
  }

  /** handler({connected, reconnected}) on connect and disconnect. */
  onLink(handler) {
    this.linkHandlers.push(handler);
  }

  /** Emit an event and resolve with the server's answer ({ok: false, errors} on a timeout). */
  async request(event, payload = {}) {
    try {
      return await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
    } catch (error) {
      return { ok: false, errors: [{ path: "", message: `the server did not answer "${event}": ${error.message}` }] };
    }
  }

  ack(seq) {
    this.socket.emit("frame_ack", { seq });
  }

  #receive(raw) {
    const frame = decodeFrame(raw);
    this.frameHandlers.forEach((handler) => handler(frame));
  }
}
