/**
 * The runs being compared: their names (`e:<id>`, `s:<id>`) kept in the page address, the
 * server's answer for them (/api/compare) with arrays decoded, and the polling that keeps live
 * runs fresh. Views subscribe with onChange(answer) and onErrors(errors, refs).
 */
import { decodeBase64 } from "../frames.js";
import { COMPARE_URL, POLL_MS, RUNS_PARAM, RUN_SEPARATOR } from "./constants.js";

function decodeRun(run) {
  const arrays = Object.fromEntries(Object.entries(run.output.arrays).map(([k, v]) => [k, decodeBase64(v)]));
  return { ...run, output: { ...run.output, arrays } };
}

export class RunList {
  constructor(maxRuns) {
    this.maxRuns = maxRuns;
    const param = new URLSearchParams(location.search).get(RUNS_PARAM) || "";
    this.refs = [...new Set(param.split(RUN_SEPARATOR).map((s) => s.trim()).filter(Boolean))];
    this.answer = null;          // the last good answer: {runs, differences, same}
    this.changeHandlers = [];
    this.errorHandlers = [];
    this.timer = null;
    this.loading = null;         // the request in flight
    this.again = false;          // the runs changed while it was: fetch once more
    this.loads = 0;
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && this.#live()) this.load();
    });
  }

  onChange(handler) { this.changeHandlers.push(handler); }

  onErrors(handler) { this.errorHandlers.push(handler); }

  has(ref) { return this.refs.includes(ref); }

  full() { return this.refs.length >= this.maxRuns; }

  add(ref) {
    if (this.has(ref) || this.full()) return false;
    this.refs.push(ref);
    this.#changed();
    return true;
  }

  remove(ref) {
    this.refs = this.refs.filter((r) => r !== ref);
    this.#changed();
  }

  #changed() {
    // Readable and shareable: `?runs=e:<id>,s:<id>` (ids are URL-safe; ":" and "," may stand in a query).
    const names = this.refs.map((ref) => encodeURIComponent(ref).replaceAll("%3A", ":"));
    const query = this.refs.length ? `?${RUNS_PARAM}=${names.join(RUN_SEPARATOR)}` : "";
    history.replaceState(null, "", `${location.pathname}${query}`);
    this.load();
  }

  /** Fetch every run again (one request at a time; a change meanwhile fetches once more). */
  async load() {
    clearTimeout(this.timer);
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.#fetch();
    try {
      await this.loading;
    } finally {
      this.loading = null;
    }
    if (this.again) {
      this.again = false;
      await this.load();
      return;
    }
    this.#schedule();
  }

  async #fetch() {
    const refs = [...this.refs];
    if (!refs.length) {
      this.answer = { runs: [], differences: [], same: [] };
      this.#emit(this.answer, []);
      return;
    }
    let body = {};
    let ok = false;
    try {
      const response = await fetch(COMPARE_URL(refs), { cache: "no-store" });
      body = await response.json().catch(() => ({}));
      ok = response.ok;
      if (!ok && !body.errors) body = { errors: [{ path: "", message: `the server answered HTTP ${response.status}` }] };
    } catch (error) {
      body = { errors: [{ path: "", message: `the server could not be reached: ${error.message}` }] };
    }
    if (!ok) {
      this.errorHandlers.forEach((handler) => handler(body.errors || [], refs));
      return;
    }
    this.answer = { ...body, runs: body.runs.map(decodeRun) };
    this.#emit(this.answer, []);
  }

  #emit(answer, errors) {
    this.loads += 1;
    document.body.dataset.loads = String(this.loads);     // lets tests wait for a drawn answer
    this.errorHandlers.forEach((handler) => handler(errors, this.refs));
    this.changeHandlers.forEach((handler) => handler(answer));
  }

  #live() {
    return this.answer?.runs.some((run) => run.kind === "live");
  }

  /** Live runs come again every second while one trains, now and then while all are paused. */
  #schedule() {
    if (!this.#live() || document.hidden) return;
    const playing = this.answer.runs.some((run) => run.status === "playing");
    this.timer = setTimeout(() => this.load(), playing ? POLL_MS.playing : POLL_MS.paused);
  }
}
