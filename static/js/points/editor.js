/**
 * The point editor of the hand-placed 2-D sets ("Your points", "Your values"): click the output
 * plane to add a point of the chosen class (shift-click: the next class, or the opposite value),
 * drag one to move it, right-click it (or use the eraser) to remove it, "Clear" to empty the
 * plane. The points are the spec's `data.points`; each change is sent as a configure, and the
 * server keeps training the same network on them. Fewer than the minimum stay on the page
 * until enough are placed. Limits come from /api/schema (limits.hand_points).
 */
import { cloneTemplate, part } from "../dom.js";
import { cssColor, labelColor } from "../colors.js";
import { HIT_RADIUS_PX, RIGHT_BUTTON, BINARY_CLASSES } from "../constants.js";

export class PointEditor {
  /** `output`: the OutputView (draws the points, maps pixels); `readOnly()`: a saved/room page. */
  constructor(root, schema, store, output, readOnly) {
    this.schema = schema;
    this.store = store;
    this.output = output;
    this.readOnly = readOnly;
    this.limits = schema.limits.hand_points;
    this.panel = root.querySelector('[data-testid="point-editor"]');
    this.canvas = root.querySelector('[data-testid="output-canvas"]');
    this.classes = part(this.panel, "classes");
    this.valueBox = part(this.panel, "value-box");
    this.value = part(this.panel, "value");
    this.eraser = this.panel.querySelector('[data-testid="point-eraser"]');
    this.count = part(this.panel, "count");
    this.split = part(this.panel, "split");
    this.hint = part(this.panel, "hint");
    this.points = [];
    this.active = false;
    this.regression = false;
    this.k = BINARY_CLASSES;
    this.chosen = 0;
    this.erasing = false;
    this.drag = null;            // {index, moved}
    this.pending = false;        // fewer than the minimum: held here, not sent
    this.sending = 0;            // configures in flight: the page's list is ahead of the spec
    this.key = "";
    this.value.min = String(-this.limits.value_max);
    this.value.max = String(this.limits.value_max);
    this.value.value = String(this.limits.value_max);
    this.#listen(root);
  }

  #listen(root) {
    this.canvas.addEventListener("pointerdown", (event) => this.#down(event));
    this.canvas.addEventListener("pointermove", (event) => this.#move(event));
    this.canvas.addEventListener("pointerup", () => this.#up());
    this.canvas.addEventListener("pointercancel", () => this.#up());
    this.canvas.addEventListener("contextmenu", (event) => {
      if (this.active) event.preventDefault();     // right-click removes a point
    });
    this.eraser.addEventListener("click", () => {
      this.erasing = !this.erasing;
      this.eraser.setAttribute("aria-pressed", String(this.erasing));
      this.#cursor();
    });
    root.querySelector('[data-testid="point-clear"]').addEventListener("click", () => {
      this.points = [];
      this.#commit();
    });
  }

  render(spec, info = {}) {
    const dataset = this.store.dataset(spec.data.dataset);
    this.active = Boolean(dataset?.hand);
    this.panel.hidden = !this.active;
    this.#cursor();
    if (!this.active) {
      this.output.setPlaced(null);
      return;
    }
    this.regression = dataset.problem === "regression";
    this.k = this.regression ? 1 : spec.data.classes;
    const key = `${spec.data.dataset}|${this.k}`;
    const switched = key !== this.key;
    if (switched) this.#renderClasses(key);
    // The page's own list is newer while a change is in flight, a point is dragged or too few
    // are placed; a rejected change, another dataset or a new session's spec replace it.
    if (switched || info.rejected || info.reset || !(this.sending || this.drag || this.pending)) {
      this.points = structuredClone(spec.data.points || []);
      this.pending = false;
      this.drag = null;
    }
    const test = 100 - spec.data.train_ratio;
    this.split.textContent = `${test}% of them, picked by the data seed, are held out for testing `
      + "(tick “Show test data” to see which).";
    this.#show();
  }

  #renderClasses(key) {
    this.key = key;
    this.valueBox.hidden = !this.regression;
    this.classes.hidden = this.regression;
    this.classes.replaceChildren();
    this.chosen = Math.min(this.chosen, this.k - 1);
    for (let c = 0; !this.regression && c < this.k; c += 1) {
      const button = cloneTemplate("tpl-point-class");
      button.dataset.testid = `point-class-${c}`;
      part(button, "name").textContent = `Class ${c + 1}`;
      part(button, "swatch").style.background = cssColor(labelColor(c, { problem: "classification", classes: this.k }));
      button.addEventListener("click", () => {
        this.chosen = c;
        this.#markChosen();
      });
      this.classes.append(button);
    }
    this.#markChosen();
  }

  #markChosen() {
    [...this.classes.children].forEach((button, c) => button.setAttribute("aria-checked", String(c === this.chosen)));
  }

  #cursor() {
    const editing = this.active && !this.readOnly();
    this.canvas.dataset.editing = editing ? (this.erasing ? "erase" : "true") : "false";
  }

  /** The label of a new point: the chosen class (shift: the next one), or the value (shift: negated). */
  #label(shift) {
    if (this.regression) {
      const v = Math.max(-this.limits.value_max, Math.min(this.limits.value_max, Number(this.value.value) || 0));
      return this.#round(shift ? -v : v);
    }
    return shift ? (this.chosen + 1) % this.k : this.chosen;
  }

  #round(v) {
    const scale = 10 ** this.limits.decimals;
    return Math.round(v * scale) / scale;
  }

  /** The index of the point under canvas pixel (px, py), the nearest within HIT_RADIUS_PX. */
  #hit(px, py) {
    let best = -1;
    let bestDistance = HIT_RADIUS_PX;
    this.points.forEach(([x, y], i) => {
      const [qx, qy] = this.output.toPixel(x, y);
      const d = Math.hypot(qx - px, qy - py);
      if (d <= bestDistance) {
        best = i;
        bestDistance = d;
      }
    });
    return best;
  }

  #down(event) {
    if (!this.active || this.readOnly()) return;
    const at = this.output.toPlane(event.offsetX, event.offsetY);
    if (!at) return;
    event.preventDefault();
    const hit = this.#hit(event.offsetX, event.offsetY);
    if (event.button === RIGHT_BUTTON || this.erasing) {
      if (hit >= 0) {
        this.points.splice(hit, 1);
        this.#commit();
      }
      return;
    }
    if (event.button !== 0) return;
    if (hit >= 0) {
      this.drag = { index: hit, moved: false };
      this.canvas.setPointerCapture(event.pointerId);
      return;
    }
    if (this.points.length >= this.limits.max) {
      this.#tell(`At most ${this.limits.max} points: remove some to place more.`);
      return;
    }
    this.points.push([this.#round(at[0]), this.#round(at[1]), this.#label(event.shiftKey)]);
    this.#commit();
  }

  #move(event) {
    if (!this.drag) return;
    const [x, y] = this.output.toPlane(event.offsetX, event.offsetY, true);
    const point = this.points[this.drag.index];
    this.points[this.drag.index] = [this.#round(x), this.#round(y), point[2]];
    this.drag.moved = true;
    this.#show();
  }

  #up() {
    if (!this.drag) return;
    const { moved } = this.drag;
    this.drag = null;
    if (moved) this.#commit();
  }

  /** Draw the list; send it when there are enough points, else hold it and say why. */
  #commit() {
    this.#show();
    this.pending = this.points.length < this.limits.min;
    if (this.pending) {
      this.#tell(`Place at least ${this.limits.min} points to train on them.`);
      return;
    }
    this.#tell("");
    const list = structuredClone(this.points);
    this.sending += 1;
    this.store.update((spec) => {
      spec.data.points = list;
    }).finally(() => {
      this.sending -= 1;
    });
  }

  #tell(text) {
    this.hint.textContent = text;
    this.hint.hidden = !text;
  }

  #show() {
    const n = this.points.length;
    this.count.textContent = `${n} ${n === 1 ? "point" : "points"} (at most ${this.limits.max}).`;
    this.output.setPlaced(this.points);
  }
}
