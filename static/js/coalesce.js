/**
 * The page's frame budget: frames that arrive between two paints coalesce into one, and every
 * view draws that one inside a single animation frame. A frame is a full picture of the session
 * except for two incremental parts (docs/protocol.md), which coalescing merges rather than drops:
 * `history` holds only the epochs not sent before, and the data arrays come only in the frame
 * after the data changed (`data_version_from` says since which version). Pure: the scheduler is
 * injected, so Node's test runner drives it without a browser.
 */

/** Arrays a frame carries only when the data changed (docs/protocol.md, 2-D sets). */
export const DATA_ARRAYS = ["train_x", "train_y", "test_x", "test_y", "inputs"];

/**
 * `older` then `newer` as one history. Contiguous parts are joined; a `newer` that starts again
 * (a reset, or the server compacting its history: start 0) or skips ahead replaces `older`.
 */
export function mergeHistory(older, newer) {
  if (!older) return newer;
  if (!newer) return older;
  const olderLength = older.epoch?.length ?? 0;
  if (newer.start !== older.start + olderLength) return newer;
  const newerLength = newer.epoch?.length ?? 0;
  // A series one part lacks is unmeasured there: nulls keep every series as long as `epoch`.
  const series = (values, length) => (Array.isArray(values) ? values : new Array(length).fill(null));
  const merged = { start: older.start };
  for (const key of new Set([...Object.keys(older), ...Object.keys(newer)])) {
    if (key === "start") continue;
    const [a, b] = [older[key], newer[key]];
    merged[key] = Array.isArray(a) || Array.isArray(b)
      ? series(a, olderLength).concat(series(b, newerLength))
      : (key in newer ? b : a);
  }
  return merged;
}

/**
 * One frame that draws as `older` then `newer` would: `newer`'s scalars and arrays, the two
 * histories joined, and `older`'s data arrays when `newer` brought none. Frames of different
 * sessions do not merge: the newer one wins whole.
 */
export function mergeFrames(older, newer) {
  if (!older) return newer;
  if (older.session_id && newer.session_id && older.session_id !== newer.session_id) return newer;
  const merged = { ...newer, history: mergeHistory(older.history, newer.history) };
  if (merged.history === undefined) delete merged.history;
  const olderArrays = older.arrays || {};
  const newerArrays = newer.arrays || {};
  const carried = DATA_ARRAYS.some((name) => newerArrays[name]) ? []
    : DATA_ARRAYS.filter((name) => olderArrays[name]);
  if (carried.length) {
    merged.arrays = { ...Object.fromEntries(carried.map((name) => [name, olderArrays[name]])), ...newerArrays };
    merged.data_version_from = older.data_version_from;
  }
  return merged;
}

/**
 * Draws the newest frame once per animation frame. `push(frame)` merges it into the one waiting
 * and asks for an animation frame if none is asked for yet; `draw(frame)` runs in it. `stats`
 * counts frames received, drawn and coalesced (merged into a later one before being drawn), and
 * holds the newest received frame's epoch.
 */
export class DrawLoop {
  constructor(draw, schedule = (callback) => globalThis.requestAnimationFrame(callback)) {
    this.draw = draw;
    this.schedule = schedule;
    this.pending = null;
    this.scheduled = false;
    this.stats = { received: 0, drawn: 0, coalesced: 0, epoch: null };
  }

  push(frame) {
    this.stats.received += 1;
    this.stats.epoch = frame.epoch ?? this.stats.epoch;
    if (this.pending) this.stats.coalesced += 1;
    this.pending = mergeFrames(this.pending, frame);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.#tick());
  }

  /** Draw what is waiting now (a frame the page must show before it goes on, e.g. the first). */
  flush() {
    const frame = this.pending;
    this.pending = null;
    if (!frame) return;
    this.draw(frame);
    this.stats.drawn += 1;
  }

  #tick() {
    this.scheduled = false;
    this.flush();
  }
}
