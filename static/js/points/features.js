/**
 * Input features: one toggle per schema feature with its map thumbnail (from frame.arrays.neurons,
 * whose first entries are the active inputs in spec order). Features a 1-D dataset cannot use are
 * disabled. Hovering an active feature focuses it in the output view.
 */
import { cloneTemplate, part, showStill } from "../dom.js";
import { paintScale } from "../colors.js";
import { sameValues } from "../tensors.js";
import { FEATURE_HIDE_KEYS } from "../constants.js";

export class FeaturesView {
  constructor(root, schema, store, onFocus) {
    this.schema = schema;
    this.store = store;
    this.onFocus = onFocus;
    this.container = root.querySelector('[data-part="features"]');
    this.rows = new Map();      // name → {row, button, canvas, feature}
    this.maps = new Map();      // name → last map seen for that feature
    this.active = [];
    for (const feature of schema.features) this.#buildRow(feature);
  }

  #buildRow(feature) {
    const row = cloneTemplate("tpl-feature");
    const button = part(row, "toggle");
    const canvas = part(row, "map");
    canvas.width = this.schema.grid.thumb;
    canvas.height = this.schema.grid.thumb;
    part(row, "label").textContent = feature.label;
    button.dataset.testid = `feature-${feature.name}`;
    button.dataset.node = `input-${feature.name}`;
    button.setAttribute("aria-label", `Input feature ${feature.label}`);
    row.dataset.hideKey = feature.tf || FEATURE_HIDE_KEYS[feature.name] || feature.name;
    row.dataset.hideLabel = `Feature ${feature.label}`;
    button.addEventListener("click", () => this.#toggle(feature.name));
    button.addEventListener("pointerenter", () => this.#hover(feature));
    button.addEventListener("focus", () => this.#hover(feature));
    button.addEventListener("pointerleave", () => this.onFocus(null));
    button.addEventListener("blur", () => this.onFocus(null));
    this.container.append(row);
    this.rows.set(feature.name, { row, button, canvas, feature });
  }

  #toggle(name) {
    this.store.update((spec) => {
      const on = new Set(spec.data.features);
      if (on.has(name)) on.delete(name);
      else on.add(name);
      spec.data.features = this.schema.features.map((f) => f.name).filter((n) => on.has(n));
    });
  }

  #hover(feature) {
    const index = this.active.indexOf(feature.name);
    if (index < 0) return;
    const map = this.maps.get(feature.name);
    this.onFocus(index, `input ${feature.label}`, map || null);
  }

  /** The DOM node links start from, for an active feature. */
  nodeFor(name) {
    return this.rows.get(name)?.button;
  }

  render(spec) {
    this.active = spec.data.features.slice();
    const dataset = this.schema.datasets.find((d) => d.name === spec.data.dataset);
    const dims = dataset ? dataset.dims : 2;
    for (const { button, feature } of this.rows.values()) {
      const on = this.active.includes(feature.name);
      const usable = (feature.dims || [0]).every((d) => d < dims);
      button.setAttribute("aria-pressed", String(on));
      button.classList.toggle("off", !on);
      button.disabled = !usable && !on;
    }
    // The palette is in the spec (presenter mode): maps are drawn again in its colours.
    for (const [name, map] of this.maps) {
      drawThumb(this.rows.get(name).canvas, map);
      showStill(this.rows.get(name).canvas);
    }
  }

  /** The inputs' maps depend on the data alone: a canvas is drawn only when its map changed. */
  update(frame) {
    const neurons = frame.arrays.neurons;
    if (!neurons) return;
    const [, rows, cols] = neurons.shape;
    const size = rows * cols;
    this.active.forEach((name, i) => {
      if (i >= neurons.shape[0]) return;
      const data = neurons.data.subarray(i * size, (i + 1) * size);
      const old = this.maps.get(name);
      if (old && old.shape[0] === rows && old.shape[1] === cols && sameValues(old.data, data)) return;
      const map = { data: data.slice(), shape: [rows, cols] };
      this.maps.set(name, map);
      drawThumb(this.rows.get(name).canvas, map);
      showStill(this.rows.get(name).canvas);
    });
  }
}

const thumbImages = new WeakMap();     // canvas → its ImageData, reused frame after frame

/** Draw a uint8 map ({data, shape: [rows, cols]}) into a thumbnail canvas at its native size. */
export function drawThumb(canvas, map) {
  const [rows, cols] = map.shape;
  if (canvas.width !== cols || canvas.height !== rows) {
    canvas.width = cols;
    canvas.height = rows;
  }
  const ctx = canvas.getContext("2d");
  let image = thumbImages.get(canvas);
  if (!image || image.width !== cols || image.height !== rows) {
    image = ctx.createImageData(cols, rows);
    thumbImages.set(canvas, image);
  }
  paintScale(map.data, image, { thumb: true });
  ctx.putImageData(image, 0, 0);
}
