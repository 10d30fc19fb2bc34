/**
 * The drawing pad of image classifiers: draw with a mouse, a finger or a pen (pointer events),
 * clear, brush size. What is drawn goes to the server as `probe_image {pixels}` (the pad's
 * limits.draw.size² grey levels, row by row), at most every DRAW_PAD.sendMs while drawing and
 * again when the weights move on (a frame of a later epoch), the newest drawing only; the
 * answer carries the arrays a picked test example's frame does (fmap.*, sample, sample_probs),
 * handed to `onResult` for the feature maps, and the pad lists every class's probability.
 */
import { cloneTemplate, part } from "../dom.js";
import { DRAW_PAD, IMAGE_FAMILY, AUTOENCODER } from "../constants.js";
import { decodeFrame } from "../frames.js";
import { Throttle } from "../throttle.js";
import { classNames, percent } from "./tiles.js";

export class DrawPad {
  /** onActive(true) when a drawing is being read, false when a person goes back to the test
   *  examples; onResult(frame-like answer) with its arrays decoded. */
  constructor(panel, schema, store, connection, { onActive, onResult }) {
    this.store = store;
    this.connection = connection;
    this.onActive = onActive;
    this.onResult = onResult;
    this.size = schema.limits.draw.size;
    this.box = panel.querySelector('[data-testid="drawpad"]');
    this.canvas = this.box.querySelector('[data-testid="drawpad-canvas"]');
    this.canvas.width = this.canvas.height = this.size * DRAW_PAD.scale;
    this.ctx = this.canvas.getContext("2d", { willReadFrequently: true });
    this.small = document.createElement("canvas");      // the pad at the size that is sent
    this.small.width = this.small.height = this.size;
    this.brush = this.box.querySelector('[data-testid="drawpad-brush"]');
    Object.assign(this.brush, { min: DRAW_PAD.brush.min, max: DRAW_PAD.brush.max, value: DRAW_PAD.brush.value });
    this.verdict = this.box.querySelector('[data-testid="drawpad-verdict"]');
    this.list = this.box.querySelector('[data-testid="drawpad-probs"]');
    this.active = false;
    this.inked = false;
    this.busy = false;          // a probe is on its way: the newest drawing goes after it
    this.again = false;
    this.epoch = null;
    this.dataset = null;
    this.throttle = new Throttle(DRAW_PAD.sendMs, () => this.#send());
    this.#wipe();
    this.#wirePointer();
    this.box.querySelector('[data-testid="drawpad-clear"]').addEventListener("click", () => this.#wipe());
    this.box.querySelector('[data-testid="drawpad-back"]').addEventListener("click", () => this.stop());
  }

  render(spec) {
    const drawable = this.store.family === IMAGE_FAMILY && spec.model.task !== AUTOENCODER;
    this.box.hidden = !drawable || !this.store.sessionId;   // a saved run or a room: no session of ours
    if (spec.data.dataset !== this.dataset) {      // another set: another size and classes
      this.dataset = spec.data.dataset;
      this.stop();
      this.#wipe();
    }
  }

  /** A frame of a later epoch: the same drawing through the new weights. */
  update(frame) {
    if (!this.active || !this.inked || frame.epoch == null || frame.epoch === this.epoch) return;
    this.epoch = frame.epoch;
    this.throttle.request();
  }

  /** Back to the test examples (also when a person picks one). */
  stop() {
    if (!this.active) return;
    this.active = false;
    this.onActive(false);
  }

  #wirePointer() {
    let last = null;
    const at = (event) => {
      const rect = this.canvas.getBoundingClientRect();     // an input event, not the draw path
      return [(event.clientX - rect.left) * (this.canvas.width / rect.width),
        (event.clientY - rect.top) * (this.canvas.height / rect.height)];
    };
    this.canvas.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      this.canvas.setPointerCapture(event.pointerId);
      last = at(event);
      this.#stroke(last, last);
    });
    this.canvas.addEventListener("pointermove", (event) => {
      if (!last) return;
      const next = at(event);
      this.#stroke(last, next);
      last = next;
    });
    const end = () => {
      if (!last) return;
      last = null;
      this.throttle.force();            // the finished stroke, whatever the interval
    };
    this.canvas.addEventListener("pointerup", end);
    this.canvas.addEventListener("pointercancel", end);
  }

  #stroke([x0, y0], [x1, y1]) {
    const { ctx } = this;
    ctx.strokeStyle = DRAW_PAD.ink;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.lineWidth = Number(this.brush.value) * DRAW_PAD.scale;
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1 + 0.01, y1);            // a dot when the pointer has not moved
    ctx.stroke();
    this.inked = true;
    if (!this.active) {
      this.active = true;
      this.onActive(true);
    }
    this.throttle.request();
  }

  #wipe() {
    this.ctx.fillStyle = DRAW_PAD.paper;
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.inked = false;
    this.verdict.textContent = "";
    this.list.replaceChildren();
  }

  /** The pad at the size that is sent: grey levels in [0, 1], row by row. */
  #pixels() {
    const ctx = this.small.getContext("2d", { willReadFrequently: true });
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(this.canvas, 0, 0, this.size, this.size);
    const rgba = ctx.getImageData(0, 0, this.size, this.size).data;
    const scale = 10 ** DRAW_PAD.digits;
    const out = new Array(this.size * this.size);
    for (let i = 0; i < out.length; i += 1) out[i] = Math.round((rgba[4 * i] / 255) * scale) / scale;
    return out;
  }

  async #send() {
    if (!this.active || !this.store.sessionId) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    const answer = await this.connection.request("probe_image", { pixels: this.#pixels() });
    this.busy = false;
    if (answer.ok && this.active) {
      const result = decodeFrame(answer);
      this.#show(result);
      this.onResult(result);
    } else if (!answer.ok) {
      this.verdict.textContent = answer.errors.map((e) => e.message).join("; ");
    }
    if (this.again) {
      this.again = false;
      this.throttle.request();
    }
  }

  /** Every class with its probability, in class order; the network's choice stands out. */
  #show(result) {
    const probs = result.arrays.sample_probs.data;
    const nameOf = classNames(this.store.dataset());
    this.verdict.textContent = `The network says: ${nameOf(result.prediction)} `
      + `(${percent(probs[result.prediction])})`;
    this.verdict.dataset.prediction = String(result.prediction);
    this.list.replaceChildren(...[...probs].map((p, k) => {
      const item = cloneTemplate("tpl-prob");
      part(item, "name").textContent = nameOf(k);
      part(item, "value").textContent = percent(p);
      part(item, "fill").style.width = percent(p);
      item.classList.toggle("top", k === result.prediction);
      return item;
    }));
  }
}
