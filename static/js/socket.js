/**
 * The only module that calls io(): requests with acknowledgements as promises, incoming frames
 * with their binary arrays decoded into typed arrays, and frame acknowledgements.
 */
import { io } from "/vendor/socket.io.esm.min.js";
import { decodeFrame } from "./frames.js";
import { ACK_TIMEOUT_MS, READ_ONLY_MESSAGE } from "./constants.js";

/** Events about no session of ours: the only ones a page showing a session it does not own
 * (a saved experiment, a room's) may send, and the ones sent without our session_id. */
const SESSIONLESS_EVENTS = new Set(["open", "room_join", "room_leave", "room_fork"]);

export class Connection {
  constructor() {
    this.socket = io({ autoConnect: false });
    this.frameHandlers = [];
    this.linkHandlers = [];
    this.refusedHandlers = [];
    this.connectedBefore = false;
    this.sessionId = null;      // set by the spec store once `open` answers
    this.opening = null;        // the last `open` sent: its answer (a promise)
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
    // Refused by the server (not a network failure): socket.io will not retry by itself.
    this.socket.on("connect_error", (error) => {
      if (!this.socket.active) this.refusedHandlers.forEach((handler) => handler(error));
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

  /** handler(error) when the server refused the connection (it will not retry by itself). */
  onRefused(handler) {
    this.refusedHandlers.push(handler);
  }

  reconnect() {
    this.socket.connect();
  }

  /**
   * Emit an event and resolve with the server's answer ({ok: false, errors} on a timeout).
   * Every event but `open` names the session it is about.
   */
  async request(event, payload = {}) {
    const sessionless = SESSIONLESS_EVENTS.has(event);
    if (this.readOnly && !sessionless) return { ok: false, errors: [{ path: "", message: READ_ONLY_MESSAGE }] };
    if (event === "open") {
      const answer = this.#emit(event, payload);
      this.opening = answer;
      return answer;
    }
    // Play pressed while the first session is still being built (a CNN takes seconds): it
    // waits for that `open`, whose answer names the session, rather than going out without one.
    // (After its answer, one macrotask: the spec store takes the session id in a microtask.)
    if (!sessionless && !this.sessionId && this.opening) {
      await this.opening;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return this.#emit(event, sessionless || !this.sessionId ? payload : { session_id: this.sessionId, ...payload });
  }

  async #emit(event, body) {
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
