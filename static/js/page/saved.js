/**
 * A saved experiment (the page at /e/<id>): its title and description as text, what it was
 * trained to, and a replay slider over its recorded frames. The recorded frames are turned into
 * frames shaped like live ones (base64 arrays decoded into typed arrays), so the ordinary views
 * draw them: the output map, the filters, the confusion matrix, the prediction. Everything that
 * would change the experiment is disabled; "Continue training" forks a live session from it.
 */
import { lockControls, part } from "../dom.js";
import { decodeBase64 } from "../frames.js";
import {
  EXPERIMENT_URL, EXPERIMENT_FRAMES_URL, SAVED_STATUS, SAVED_LOCKED, SAVED_KEPT, UNTITLED,
} from "../constants.js";

async function getJson(url) {
  const response = await fetch(url);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = (body.errors || []).map((e) => e.message).join("; ") || `HTTP ${response.status}`;
    throw new Error(`the saved experiment could not be loaded: ${message}`);
  }
  return body;
}

export class SavedView {
  /** onFrame(frame) draws a frame; onFork() starts the live session (resolves true when it did). */
  constructor(root, experimentId, { onFrame, onFork }) {
    this.root = root;
    this.id = experimentId;
    this.onFrame = onFrame;
    this.box = root.querySelector('[data-testid="saved"]');
    this.el = Object.fromEntries(["meta", "title", "description", "epoch", "slider", "fork"]
      .map((name) => [name, part(this.box, name)]));
    this.summary = null;
    this.frames = [];
    this.unlock = () => {};
    this.el.slider.addEventListener("input", () => this.show(Number(this.el.slider.value)));
    this.el.fork.addEventListener("click", async () => {
      this.el.fork.disabled = true;
      this.unlock();
      if (await onFork(this.id)) this.box.hidden = true;
      else {
        this.lock();
        this.el.fork.disabled = false;
      }
    });
  }

  /** Fetch the experiment and its frames; the answer the spec store adopts (spec, plan). */
  async load() {
    const [summary, recorded] = await Promise.all([
      getJson(EXPERIMENT_URL(this.id)), getJson(EXPERIMENT_FRAMES_URL(this.id))]);
    this.summary = summary;
    this.frames = recorded.frames.map((frame) => ({
      ...frame,
      arrays: Object.fromEntries(Object.entries(frame.arrays || {}).map(([k, v]) => [k, decodeBase64(v)])),
    }));
    this.#renderText();
    const last = Math.max(0, this.frames.length - 1);
    this.el.slider.max = String(last);
    this.el.slider.value = String(last);
    this.el.slider.disabled = this.frames.length < 2;
    this.box.hidden = false;
    return summary;
  }

  #renderText() {
    const s = this.summary;
    document.title = `${s.title || UNTITLED} · NN Playground`;
    this.el.title.textContent = s.title || UNTITLED;
    this.el.title.dataset.untitled = String(!s.title);
    this.el.description.textContent = s.description || "";
    this.el.description.hidden = !s.description;
    const when = new Date(s.created * 1000).toLocaleDateString(undefined, { dateStyle: "medium" });
    const epochs = `${s.epoch} epoch${s.epoch === 1 ? "" : "s"}`;
    this.el.meta.textContent = `saved ${when} after ${epochs}`;
  }

  /** The first frame drawn: the whole history and the final state. */
  first() {
    return this.#frame(Math.max(0, this.frames.length - 1), true);
  }

  /** Draw recorded frame k (the charts keep the whole history). */
  show(k) {
    this.onFrame(this.#frame(k, false));
  }

  #frame(k, withHistory) {
    const s = this.summary;
    const recorded = this.frames[k] || { epoch: s.epoch, arrays: {} };
    const last = k >= this.frames.length - 1;
    const { index, arrays, metrics, ...scalars } = recorded;
    const perEpoch = s.epoch ? s.step / s.epoch : 0;
    this.el.epoch.textContent = `epoch ${recorded.epoch} of ${s.epoch}`;
    this.el.slider.setAttribute("aria-valuetext", `epoch ${recorded.epoch}`);
    return {
      ...scalars,
      epoch: recorded.epoch,
      step: last ? s.step : Math.round(recorded.epoch * perEpoch),
      status: SAVED_STATUS,
      message: null,
      device: s.device,
      metrics: last ? s.metrics : (metrics || {}),
      history: withHistory ? s.history : undefined,
      arrays,
    };
  }

  /** Disable every control that would change the experiment (and remember which, to undo). */
  lock() {
    this.unlock = lockControls(this.root, SAVED_LOCKED, SAVED_KEPT);
  }
}
