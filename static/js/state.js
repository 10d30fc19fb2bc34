/**
 * The spec store: holds the server's current spec, applies control changes by sending the full
 * spec with `configure`, and mirrors the server's hash into location.hash. The server owns the
 * URL codec; this module never encodes or decodes a hash itself.
 */
import { getPath, setPath } from "./dom.js";
import { RESET_WITH, POINT_FAMILY, OWN_SESSION_KEY } from "./constants.js";

export class SpecStore {
  constructor(connection, schema) {
    this.connection = connection;
    this.schema = schema;
    this.spec = null;
    this.hash = "";
    this.sessionId = null;
    this.plan = [];          // per layer (and the output head): shapes, params, MACs
    this.schedule = null;    // the learning-rate schedule's curve and marks (null: constant)
    this.upload = null;      // what the server says of the spec's upload (shape, classes, counts)
    this.changeListeners = [];
    this.errorListeners = [];
    this.queue = Promise.resolve();
    window.addEventListener("hashchange", () => this.#hashChanged());
  }

  /** listener(spec, {reset, rejected}) after every answer. */
  onChange(listener) {
    this.changeListeners.push(listener);
  }

  /** listener(errors) with the server's [{path, message}] ([] clears). */
  onErrors(listener) {
    this.errorListeners.push(listener);
  }

  get(path) {
    return getPath(this.spec, path);
  }

  /** The schema entry of the spec's dataset (or of any dataset by name); an uploaded set's
   * carries its upload's shape and class names. */
  dataset(name = this.spec?.data.dataset) {
    const entry = this.schema.datasets.find((d) => d.name === name) || null;
    if (!entry?.upload || !this.upload || name !== this.spec?.data.dataset) return entry;
    const { shape, class_names: names } = this.upload;
    return { ...entry, shape, class_names: names, max_classes: names.length };
  }

  /** The family of the spec's dataset: points, images or tabular. */
  get family() {
    return this.dataset()?.family || POINT_FAMILY;
  }

  /** Open a session from the page's URL hash; a hash the server rejects falls back to defaults.
   * A tab that forked a session (a saved run continued, a room's copy) reopens that session
   * after a reload, where it left off, while the address still shows its hash. */
  async open() {
    if (await this.#reopenOwn()) return;
    const answer = await this.connection.request("open", { hash: location.hash });
    if (answer.ok) {
      this.#accept(answer, { reset: true });
      return;
    }
    this.#emitErrors(answer.errors);
    const fallback = await this.connection.request("open", { spec: this.schema.defaults });
    if (fallback.ok) this.#accept(fallback, { reset: true, keepErrors: true, keepUrl: true });
    else this.#emitErrors([...answer.errors, ...fallback.errors]);
  }

  /** A spec shown without a session of ours (a saved experiment's summary, a room's answer):
   * spec and plan; the URL stays as it is (/e/<id>, /r/<code>). */
  showSaved(summary) {
    this.#accept({ spec: summary.spec, plan: summary.plan, upload: summary.upload }, { reset: true });
  }

  /** Continue a saved experiment: a new session from its weights; the URL becomes /#<hash>. */
  async fork(experimentId) {
    const answer = await this.connection.request("open", { experiment: experimentId });
    if (!answer.ok) {
      this.#emitErrors(answer.errors);
      return false;
    }
    this.adoptOwn(answer);
    return true;
  }

  /** A new session of ours from a saved run or a room (an `open`-like answer): the URL becomes
   * /#<hash> of it. */
  adoptOwn(answer) {
    history.replaceState(null, "", "/");
    this.#accept(answer, { reset: true });
    sessionStorage.setItem(OWN_SESSION_KEY, JSON.stringify({ sessionId: this.sessionId, hash: this.hash }));
  }

  /** Keep this tab on its session through a reload (its spec holds what the address cannot:
   * a text too long for a link). */
  rememberSession() {
    sessionStorage.setItem(OWN_SESSION_KEY, JSON.stringify({ sessionId: this.sessionId, hash: this.hash }));
  }

  /** The forked session's hash follows its spec, so a reload still finds it. */
  #rememberOwn() {
    const own = JSON.parse(sessionStorage.getItem(OWN_SESSION_KEY) || "null");
    if (own && own.sessionId === this.sessionId) {
      sessionStorage.setItem(OWN_SESSION_KEY, JSON.stringify({ ...own, hash: this.hash }));
    }
  }

  async #reopenOwn() {
    const own = JSON.parse(sessionStorage.getItem(OWN_SESSION_KEY) || "null");
    if (!own || location.hash.replace(/^#/, "") !== own.hash) return false;
    const answer = await this.connection.request("open", { session_id: own.sessionId });
    if (!answer.ok) {
      sessionStorage.removeItem(OWN_SESSION_KEY);
      return false;
    }
    this.#accept({ ...answer, session_id: own.sessionId }, { reset: true });
    return true;
  }

  /** After a reconnect: re-attach to our session, or start a new one from the spec we hold. */
  async reattach() {
    if (!this.sessionId) return;
    const answer = await this.connection.request("open", { session_id: this.sessionId });
    if (answer.ok) this.#accept(answer, { reset: false });
    else await this.reopen();
  }

  /** Our session is gone (the server lost it, or restarted): a new one from the spec we hold;
   * resolves true when it opened. */
  async reopen() {
    const answer = await this.connection.request("open", { spec: this.spec });
    if (answer.ok) this.#accept(answer, { reset: true });
    else this.#emitErrors(answer.errors);
    return answer.ok;
  }

  /** An answer to another event (e.g. `regenerate`) that carries a new spec and hash. */
  adopt(answer) {
    if (answer.ok && answer.spec) this.#accept(answer, { reset: false });
  }

  /** Set one path; paths that depend on it (RESET_WITH) go back to the server's defaults. */
  set(path, value) {
    const apply = (spec) => {
      setPath(spec, path, value);
      for (const dependent of RESET_WITH[path] || []) setPath(spec, dependent, null);
    };
    return this.update(apply);
  }

  /** mutate(copyOfSpec) edits a copy; changes are sent one at a time, each on the latest spec. */
  update(mutate) {
    this.queue = this.queue.then(() => this.#configure(mutate));
    return this.queue;
  }

  async #configure(mutate) {
    if (!this.spec) return false;
    const next = structuredClone(this.spec);
    mutate(next);
    const answer = await this.connection.request("configure", { spec: next });
    if (!answer.ok) {
      this.#emitErrors(answer.errors);
      this.#notify({ reset: false, rejected: true });
      return false;
    }
    this.#accept(answer, { reset: Boolean(answer.reset) });
    return true;
  }

  #accept(answer, { reset, keepErrors = false, keepUrl = false }) {
    this.spec = answer.spec;
    this.upload = answer.upload || null;
    if (answer.plan) this.plan = answer.plan;
    if (answer.schedule !== undefined) this.schedule = answer.schedule;
    if (answer.session_id) {
      this.sessionId = answer.session_id;
      this.connection.sessionId = answer.session_id;
    }
    if (answer.hash != null) {
      this.hash = String(answer.hash).replace(/^#/, "");
      if (!keepUrl) history.replaceState(history.state, "", `#${this.hash}`);
      this.#rememberOwn();
    }
    if (!keepErrors) this.#emitErrors([]);
    this.#notify({ reset, rejected: false });
  }

  #notify(info) {
    this.changeListeners.forEach((listener) => listener(this.spec, info));
  }

  #emitErrors(errors) {
    this.errorListeners.forEach((listener) => listener(errors || []));
  }

  /** A link pasted into the address bar: ask the server to decode it, then configure. */
  async #hashChanged() {
    const hash = location.hash.replace(/^#/, "");
    if (hash === this.hash) return;
    const response = await fetch("/api/spec", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ hash }),
    });
    const body = await response.json();
    if (!response.ok) {
      this.#emitErrors(body.errors);
      return;
    }
    await this.update((spec) => Object.assign(spec, body.spec));
  }
}
