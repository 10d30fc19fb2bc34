/**
 * Keeps the page on a live session when the server loses its own: a trainer process that died,
 * or a session closed after long unused or to make room (the server sends `lost`; a hidden page
 * waits until it is shown again), or a server restart (the socket reconnects and
 * SpecStore.reattach opens the session again from its spec when the old one is gone). The new session's first
 * frame arrives before the answer that names it: the newest frame of a session that is not yet
 * the page's is held and drawn once the store adopts that session, so the page shows the new
 * session rather than the old one frozen mid-training. A socket the server refused (its cookie
 * no longer valid, or too many connections) fetches the page's address for a fresh cookie and
 * tries again, waiting longer each time.
 */
import { RECONNECT_DELAYS_MS } from "../constants.js";

const REOPENED = ": a new one was opened with the same settings.";

/** Resolves once the page is visible (at once when it is). */
function shown() {
  return new Promise((resolve) => {
    if (!document.hidden) { resolve(); return; }
    const seen = () => {
      if (document.hidden) return;
      document.removeEventListener("visibilitychange", seen);
      resolve();
    };
    document.addEventListener("visibilitychange", seen);
  });
}

export class Recovery {
  /** draw(frame) shows a frame; showErrors(list) the page-wide notice. */
  constructor(connection, store, { draw, showErrors }) {
    this.connection = connection;
    this.store = store;
    this.draw = draw;
    this.showErrors = showErrors;
    this.held = null;
    this.refusals = 0;
    connection.on("lost", (event) => this.#lost(event));
    connection.on("connect", () => { this.refusals = 0; });
    connection.onRefused(() => this.#retry());
    store.onChange(() => this.#adopted());
  }

  /** True when `frame` is not the page's session's (it is acknowledged, and held in case the
   * page is about to adopt that session). */
  stray(frame) {
    if (!this.store.sessionId || !frame.session_id || frame.session_id === this.store.sessionId) return false;
    this.connection.ack(frame);
    this.held = frame;
    return true;
  }

  #adopted() {
    const frame = this.held;
    if (frame && frame.session_id === this.store.sessionId) {
      this.held = null;
      this.draw(frame);
    }
  }

  async #lost({ session_id: sessionId, message = "the server lost this session" } = {}) {
    const ours = () => sessionId && sessionId === this.store.sessionId && !this.connection.readOnly;
    if (!ours()) return;
    await shown();                 // an unused tab in the background opens nothing
    if (!ours()) return;
    const notice = message.charAt(0).toUpperCase() + message.slice(1) + REOPENED;
    // A trainer that died is restarting: an open it cannot take yet is asked again, a little
    // later each time (the refusal stays on screen meanwhile).
    for (const wait of [0, ...RECONNECT_DELAYS_MS]) {
      if (wait) await new Promise((resolve) => { setTimeout(resolve, wait); });
      if (!ours()) return;
      if (await this.store.reopen()) {
        this.showErrors([{ path: "", message: notice }]);
        return;
      }
    }
  }

  async #retry() {
    const delays = RECONNECT_DELAYS_MS;
    const wait = delays[Math.min(this.refusals, delays.length - 1)];
    this.refusals += 1;
    await new Promise((resolve) => { setTimeout(resolve, wait); });
    await fetch(location.pathname, { credentials: "same-origin" }).catch(() => null);
    this.connection.reconnect();
  }
}
