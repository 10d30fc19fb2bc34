/**
 * Histograms of weights and gradients per weight tensor over time (frame arrays `hist_w.<i>`,
 * `hist_g.<i>` int32 [bins] with scalar `histograms: [{name, weight_range, grad_range}]`).
 * One column per epoch (the newest frame of each), kept for the last IMAGE_VIEWS.histColumns
 * epochs; each column is re-binned onto the strip's common ± range and drawn as ink.
 */
import { cloneTemplate, part, formatNumber } from "../dom.js";
import { LUTS } from "../colors.js";
import { rebin, parameterPlace, layerNamer } from "../tensors.js";
import { IMAGE_VIEWS, UINT8_MAX, RGBA, OPAQUE, WEIGHT_DIGITS } from "../constants.js";

const ROWS = IMAGE_VIEWS.histRows;

export class HistogramsView {
  constructor(panel, schema, store) {
    this.panel = panel;
    this.store = store;
    this.layerName = layerNamer(schema.layer_kinds);
    this.list = part(panel, "list");
    this.series = [];        // per tensor: [{epoch, w, wr, g, gr}]
    this.names = [];
    this.rows = [];
    this.lastEpoch = -1;
  }

  update(frame) {
    const info = frame.histograms;
    if (!info) return;
    const epoch = frame.epoch ?? 0;
    if (epoch < this.lastEpoch || info.length !== this.series.length
        || info.some((entry, i) => entry.name !== this.names[i])) this.#restart(info);
    this.lastEpoch = epoch;
    info.forEach((entry, i) => {
      const column = {
        epoch, w: frame.arrays[`hist_w.${i}`]?.data, wr: entry.weight_range,
        g: frame.arrays[`hist_g.${i}`]?.data, gr: entry.grad_range,
      };
      const series = this.series[i];
      if (series.length && series[series.length - 1].epoch === epoch) series[series.length - 1] = column;
      else series.push(column);
      if (series.length > IMAGE_VIEWS.histColumns) series.shift();
    });
    if (!this.panel.hidden) this.draw();
  }

  render(spec, info = {}) {
    if (info.reset) this.#restart([]);
  }

  show() {
    this.draw();
  }

  #restart(info) {
    this.series = info.map(() => []);
    this.names = info.map((entry) => entry.name);
    this.lastEpoch = -1;
    this.rows = info.map((entry) => this.#buildRow(entry.name));
    this.list.replaceChildren(...this.rows.map((row) => row.element));
  }

  #label(name) {
    const place = parameterPlace(name);
    const layers = this.store.spec?.model.layers || [];
    if (place.head) return place.encoder ? "Bottleneck" : "Output layer";
    if (place.decoder != null) return "Decoder";
    if (place.layer == null) return name;
    const kind = layers[place.layer]?.kind;
    const extra = place.detail ? ` (${place.detail})` : (kind === "residual" ? ` (${place.part})` : "");
    return `${this.layerName(place.layer, kind)}${extra}`;
  }

  #buildRow(name) {
    const element = cloneTemplate("tpl-hist-row");
    const label = this.#label(name);
    part(element, "name").textContent = label;
    const w = part(element, "w");
    const g = part(element, "g");
    w.setAttribute("aria-label", `Weights of ${label} over time`);
    g.setAttribute("aria-label", `Gradients of ${label} over time`);
    return { element, w, g, wRange: part(element, "w-range"), gRange: part(element, "g-range") };
  }

  draw() {
    this.series.forEach((series, i) => {
      const row = this.rows[i];
      row.wRange.textContent = this.#strip(row.w, series, "w", "wr");
      row.gRange.textContent = this.#strip(row.g, series, "g", "gr");
    });
  }

  /** Draw one strip; returns its range text. */
  #strip(canvas, series, key, rangeKey) {
    const columns = series.filter((column) => column[key]);
    if (!columns.length) return "no gradients yet";
    const common = Math.max(...columns.map((column) => column[rangeKey] || 0)) || 1;
    const width = columns.length;
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== ROWS) canvas.height = ROWS;
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(width, ROWS);
    columns.forEach((column, x) => {
      const shade = rebin(column[key], column[rangeKey], common, ROWS);
      for (let y = 0; y < ROWS; y += 1) {
        const at = Math.round(shade[y] * UINT8_MAX) * RGBA;
        const o = (y * width + x) * RGBA;
        image.data[o] = LUTS.ink[at];
        image.data[o + 1] = LUTS.ink[at + 1];
        image.data[o + 2] = LUTS.ink[at + 2];
        image.data[o + 3] = OPAQUE;
      }
    });
    ctx.putImageData(image, 0, 0);
    const first = columns[0].epoch;
    const last = columns[width - 1].epoch;
    return `±${formatNumber(common, WEIGHT_DIGITS)} · epochs ${first}–${last}`;
  }
}
