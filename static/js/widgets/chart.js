/**
 * A live per-epoch chart fed by each frame's `history`, drawn as SVG by the page itself. The
 * loss chart: training, test and — when the spec holds data out — validation loss, with a
 * log-scale button, early stopping's best epoch marked by a dashed line and the learning-rate
 * schedule's events by dotted ones. The accuracy chart (image, table and sequence models):
 * training and test accuracy in percent. Hovering shows the epoch's values; "PNG" downloads
 * the chart as a picture; a reset clears it.
 *
 * Frame budget: a plotly redraw cost 10–45 ms of main thread (it measures every label and
 * rebuilds the plot), so the live charts moved off plotly. Here a frame's new points cost a
 * path string per line (at most CHART.drawPoints points; a longer history is drawn strided);
 * ticks, gridlines and marks are rebuilt only when the axis ranges or marks change, and nothing
 * in the draw path reads layout (the width comes from a ResizeObserver). Ranges and ticks come
 * from widgets/lineaxes.js.
 */
import { CHART } from "../constants.js";
import { hoverValue, linePath, nearestIndex, stridedIndices, tickLabel, xRange, xTicks, yRange, yTicks } from "./lineaxes.js";

const SVG_NS = "http://www.w3.org/2000/svg";
let clipCount = 0;                // each chart's clip path has its own id
const CHAR_WIDTH = 0.6;         // a label's width per character, in font sizes (an upper estimate)
const LOSS_TRACES = [
  { key: "train_loss", name: "Training", color: CHART.colors.train, dash: "" },
  { key: "test_loss", name: "Test", color: CHART.colors.test, dash: "" },
  { key: "val_loss", name: "Validation", color: CHART.colors.val, dash: "2 4", optional: true },
];
export const ACCURACY_CHART = {
  testid: "accuracy-chart",
  traces: [
    { key: "train_accuracy", name: "Training", color: CHART.colors.train, dash: "" },
    { key: "test_accuracy", name: "Test", color: CHART.colors.test, dash: "" },
  ],
  yaxis: { percent: true, range: [0, 1.02] },
  filename: "nn-playground-accuracy",
  logTestid: null,
};

function svg(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

export class ChartView {
  constructor(root, { testid = "loss-chart", traces = LOSS_TRACES, logTestid = "loss-log", yaxis = null,
    filename = "nn-playground-loss" } = {}) {
    this.element = root.querySelector(`[data-testid="${testid}"]`);
    this.traces = traces;
    this.percent = Boolean(yaxis?.percent);
    this.fixedRange = yaxis?.range || null;
    this.filename = filename;
    this.logButton = logTestid ? root.querySelector(`[data-testid="${logTestid}"]`) : null;
    this.log = false;
    this.bestEpoch = null;
    this.marks = [];            // [{epoch, label}]: the learning-rate schedule's events
    this.width = 0;
    this.axesKey = null;        // what the ticks, gridlines and marks were drawn for
    this.hoverX = null;         // the epoch under the pointer, while it is over the plot
    this.#clear();
    this.#build();
    this.logButton?.addEventListener("click", () => this.#toggleLog());
    this.element.addEventListener("chart-restyle", () => this.#restyle());
    new ResizeObserver(([entry]) => this.#resized(entry.contentRect.width)).observe(this.element);
    // What the last redraw drew, for scripts and tests reading the page: the epochs of the
    // points, each series' values at them, and the epochs of the marks.
    Object.defineProperty(this.element, "drawn", { get: () => this.#drawn(), configurable: true });
  }

  #drawn() {
    const indices = this.drawnIndices || [];
    const series = {};
    this.traces.forEach((trace, i) => { if (this.#shown(i)) series[trace.key] = indices.map((j) => this.ys[i][j]); });
    return { epochs: indices.map((j) => this.x[j]), series, marks: this.marks.map((m) => m.epoch), best: this.bestEpoch };
  }

  #build() {
    this.element.replaceChildren();
    this.svg = svg("svg", { class: "line-chart", role: "presentation" }, this.element);
    this.legend = svg("g", { class: "chart-legend" }, this.svg);
    this.grid = svg("g", { class: "chart-grid" }, this.svg);
    this.axes = svg("g", { class: "chart-axes" }, this.svg);
    this.markLayer = svg("g", { class: "chart-marks" }, this.svg);
    // The lines stay inside the plot, whatever a value (a fixed 0–100 % axis, say).
    clipCount += 1;
    const clip = svg("clipPath", { id: `line-chart-clip-${clipCount}` }, svg("defs", {}, this.svg));
    this.clipRect = svg("rect", {}, clip);
    const plot = svg("g", { "clip-path": `url(#${clip.id})` }, this.svg);
    this.lines = this.traces.map((trace) => svg("path", {
      "data-trace": trace.key, fill: "none", stroke: trace.color, "stroke-linejoin": "round",
      "stroke-linecap": "round", ...(trace.dash ? { "stroke-dasharray": trace.dash } : {}),
    }, plot));
    this.emptyNote = svg("text", { class: "chart-empty", "text-anchor": "middle", fill: CHART.colors.train }, this.svg);
    this.emptyNote.textContent = CHART.emptyNote;
    this.rule = svg("line", { class: "chart-rule", stroke: "#1a1a1a", "stroke-width": 1, visibility: "hidden" }, this.svg);
    this.tooltip = document.createElement("div");
    this.tooltip.className = "chart-tooltip";
    this.tooltip.dataset.testid = `${this.element.dataset.testid}-tooltip`;
    this.tooltip.hidden = true;
    this.element.appendChild(this.tooltip);
    this.download = document.createElement("button");
    this.download.type = "button";
    this.download.className = "chart-download";
    this.download.dataset.testid = `${this.element.dataset.testid}-png`;
    this.download.textContent = "PNG";
    this.download.title = "Download this chart as a PNG picture";
    this.download.addEventListener("click", () => this.#downloadPng());
    this.element.appendChild(this.download);
    this.svg.addEventListener("pointermove", (event) => this.#hover(event.offsetX));
    this.svg.addEventListener("pointerleave", () => this.#hover(null));
    this.#restyle();
  }

  /** Fonts and sizes from the stylesheet and CHART (presenter mode changes both). */
  #restyle() {
    const style = getComputedStyle(this.element);
    this.font = CHART.font;
    this.fontFamily = style.fontFamily;
    this.height = Number(style.getPropertyValue("--chart-height")) || CHART.height;
    this.xTickCount = Number(style.getPropertyValue("--chart-x-ticks")) || 5;
    this.svg.setAttribute("font-family", this.fontFamily);
    this.svg.setAttribute("font-size", this.font);
    this.lines.forEach((line) => line.setAttribute("stroke-width", CHART.lineWidth));
    this.#drawLegend();
    this.axesKey = null;
    this.#redraw();
  }

  /** The series' names in a row above the plot, from its left edge (a button may sit at the
   *  right one). */
  #drawLegend() {
    this.legend.replaceChildren();
    const size = this.font - 1;
    let x = 2;
    const y = this.font * 0.9;
    this.traces.forEach((trace, i) => {
      if (!this.#shown(i)) return;
      svg("line", { x1: x, x2: x + 14, y1: y - size * 0.3, y2: y - size * 0.3, stroke: trace.color,
        "stroke-width": CHART.lineWidth, ...(trace.dash ? { "stroke-dasharray": trace.dash } : {}) }, this.legend);
      const label = svg("text", { x: x + 18, y, fill: "#1a1a1a", "font-size": size }, this.legend);
      label.textContent = trace.name;
      x += 18 + trace.name.length * size * CHAR_WIDTH + 10;    // no measuring: an estimate
    });
    this.legendShown = this.traces.map((_, i) => this.#shown(i)).join();
  }

  #shown(i) {
    return !this.traces[i].optional || this.measured[i];
  }

  #resized(width) {
    if (width === this.width) return;
    this.width = width;
    this.axesKey = null;
    this.#redraw();
  }

  #clear() {
    this.count = 0;              // epochs of history taken in (the next frame's history.start)
    this.x = [];
    this.ys = this.traces.map(() => []);
    this.measured = this.traces.map(() => false);
  }

  /** The learning-rate schedule's marks (dotted lines labelled at the top). */
  setMarks(marks) {
    this.marks = marks || [];
    this.axesKey = null;
    this.#redraw();
  }

  update(frame) {
    const history = frame.history;
    let changed = false;
    if (frame.best_epoch !== undefined && frame.best_epoch !== this.bestEpoch) {
      this.bestEpoch = frame.best_epoch;
      this.axesKey = null;
      changed = true;
    }
    if (history && history.start < this.count) {
      this.#clear();
      changed = true;
    }
    const epochs = history?.epoch || [];
    if (epochs.length) {
      for (const epoch of epochs) this.x.push(epoch);
      this.traces.forEach((trace, i) => {
        const values = history[trace.key];
        for (let j = 0; j < epochs.length; j += 1) {
          const value = values?.[j] ?? null;
          this.ys[i].push(value);
          if (value != null) this.measured[i] = true;
        }
      });
      this.count = history.start + epochs.length;
      changed = true;
    }
    if (changed) this.#redraw();
  }

  /** The plot's box inside the SVG. */
  #box() {
    const top = this.font * 1.5;
    return { left: CHART.margin.l, right: this.width - CHART.margin.r, top, bottom: this.height - CHART.margin.b };
  }

  #redraw() {
    if (!this.width) return;          // hidden (another family's chart): drawn when it shows
    this.svg.setAttribute("width", this.width);
    this.svg.setAttribute("height", this.height);
    const shown = this.traces.map((_, i) => this.#shown(i));
    if (shown.join() !== this.legendShown) this.#drawLegend();
    const empty = this.x.length === 0;
    const box = this.#box();
    const xr = xRange(this.x[0], this.x[this.x.length - 1], { wholeUpTo: CHART.wholeTicksUpTo, axisEnds: CHART.axisEnds });
    // At most two points a pixel of plot (and CHART.drawPoints): a stride that only ever
    // doubles, so the points kept stay put as the run grows.
    const most = Math.max(16, Math.min(CHART.drawPoints, Math.round(2 * (box.right - box.left))));
    const stride = 2 ** Math.max(0, Math.ceil(Math.log2(this.x.length / most)));
    const indices = stridedIndices(this.x.length, stride);
    const drawn = this.ys.filter((_, i) => shown[i]).map((values) => indices.map((j) => values[j]));
    const yr = empty ? [0, 1] : yRange(drawn, {
      log: this.log, range: this.fixedRange, margin: CHART.yMargin, axisEnds: CHART.axisEnds, logStep: CHART.logStep,
    }) || [0, 1];
    const toX = (x) => box.left + (x - xr[0]) / (xr[1] - xr[0]) * (box.right - box.left);
    const toY = (v) => {
      const u = this.log ? (v > 0 ? Math.log10(v) : null) : v;
      return u == null ? null : box.bottom - (u - yr[0]) / (yr[1] - yr[0]) * (box.bottom - box.top);
    };
    this.scale = { toX, toY, box, xr };
    const key = [this.width, this.height, this.font, empty, this.log, ...xr, ...yr, this.bestEpoch,
      this.marks.map((m) => m.epoch).join()].join();
    if (key !== this.axesKey) {
      this.axesKey = key;
      this.#drawAxes(empty, box, xr, yr, toX);
    }
    this.drawnIndices = indices;
    this.emptyNote.setAttribute("visibility", empty ? "visible" : "hidden");
    this.lines.forEach((line, i) => {
      line.setAttribute("d", shown[i] ? linePath(this.x, this.ys[i], indices, toX, toY) : "");
    });
    if (this.hoverX != null) this.#showHover();
  }

  /** The lines' clip, gridlines, tick labels, the schedule's marks and the best epoch: only when they move. */
  #drawAxes(empty, box, xr, yr, toX) {
    const pad = CHART.clipPad;          // a line's width: a value on the axis' end draws whole
    Object.entries({ x: box.left - pad, y: box.top - pad, width: box.right - box.left + 2 * pad,
      height: box.bottom - box.top + 2 * pad }).forEach(([k, v]) => this.clipRect.setAttribute(k, v));
    this.grid.replaceChildren();
    this.axes.replaceChildren();
    this.markLayer.replaceChildren();
    this.emptyNote.setAttribute("x", (box.left + box.right) / 2);
    this.emptyNote.setAttribute("y", (box.top + box.bottom) / 2);
    svg("line", { x1: box.left, x2: box.right, y1: box.bottom, y2: box.bottom, stroke: "#9a9a9a" }, this.grid);
    if (empty) return;
    const span = box.bottom - box.top;
    for (const t of yTicks(yr, CHART.yTicks, this.log)) {
      const y = box.bottom - (t - yr[0]) / (yr[1] - yr[0]) * span;
      svg("line", { x1: box.left, x2: box.right, y1: y, y2: y, stroke: "#e4e4e4" }, this.grid);
      const label = svg("text", { x: box.left - 6, y: y + this.font * 0.35, "text-anchor": "end", fill: "#1a1a1a" }, this.axes);
      label.textContent = tickLabel(t, { log: this.log, percent: this.percent });
    }
    const widest = String(Math.round(xr[1])).length * this.font * CHAR_WIDTH;
    const gaps = { width: box.right - box.left, minGap: widest + this.font };
    for (const t of xTicks(xr, this.xTickCount, CHART.wholeTicksUpTo, gaps)) {
      const label = svg("text", { x: toX(t), y: box.bottom + this.font + 4, "text-anchor": "middle", fill: "#1a1a1a" }, this.axes);
      label.textContent = String(t);
    }
    this.marks.forEach((mark, i) => {
      const x = toX(mark.epoch);
      if (x < box.left || x > box.right) return;
      svg("line", { x1: x, x2: x, y1: box.top, y2: box.bottom, stroke: CHART.markColor,
        "stroke-width": CHART.markWidth, "stroke-dasharray": "2 3" }, this.markLayer);
      const label = svg("text", { x: x + 3, y: i % 2 ? box.bottom - 4 : box.top + this.font - 2,
        fill: CHART.markColor, "font-size": this.font - 3 }, this.markLayer);
      label.textContent = mark.label;
    });
    if (this.bestEpoch != null) {
      const x = toX(this.bestEpoch);
      svg("line", { class: "chart-best", x1: x, x2: x, y1: box.top, y2: box.bottom, stroke: CHART.colors.best,
        "stroke-width": CHART.bestWidth, "stroke-dasharray": "6 4" }, this.markLayer);
    }
  }

  #hover(offsetX) {
    if (offsetX == null || !this.scale || !this.x.length) {
      this.hoverX = null;
      this.rule.setAttribute("visibility", "hidden");
      this.tooltip.hidden = true;
      return;
    }
    const { box, xr } = this.scale;
    this.hoverX = xr[0] + (offsetX - box.left) / (box.right - box.left) * (xr[1] - xr[0]);
    this.#showHover();
  }

  /** The rule at the epoch nearest the pointer and its values, one line per series. */
  #showHover() {
    const i = nearestIndex(this.x, this.hoverX);
    if (i < 0) return;
    const { toX, box } = this.scale;
    const x = toX(this.x[i]);
    for (const [name, value] of [["x1", x], ["x2", x], ["y1", box.top], ["y2", box.bottom]]) this.rule.setAttribute(name, value);
    this.rule.setAttribute("visibility", "visible");
    const lines = [`Epoch ${this.x[i]}`];
    this.traces.forEach((trace, t) => {
      if (this.#shown(t)) lines.push(`${trace.name}: ${hoverValue(this.ys[t][i], this.percent)}`);
    });
    this.tooltip.replaceChildren(...lines.map((text) => {
      const row = document.createElement("div");
      row.textContent = text;
      return row;
    }));
    this.tooltip.style.left = `${Math.round(x)}px`;
    this.tooltip.classList.toggle("flip", x > this.width / 2);
    this.tooltip.hidden = false;
  }

  #toggleLog() {
    this.log = !this.log;
    this.logButton.setAttribute("aria-pressed", String(this.log));
    this.axesKey = null;
    this.#redraw();
  }

  /** The chart as drawn, on white, at twice its size, as a PNG download. */
  async #downloadPng() {
    const copy = this.svg.cloneNode(true);
    copy.setAttribute("xmlns", SVG_NS);
    copy.querySelector(".chart-rule")?.remove();
    const background = svg("rect", { width: "100%", height: "100%", fill: "#ffffff" });
    copy.insertBefore(background, copy.firstChild);
    const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(copy)], { type: "image/svg+xml" }));
    try {
      const image = new Image();
      image.src = url;
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = this.width * 2;
      canvas.height = this.height * 2;
      const ctx = canvas.getContext("2d");
      ctx.scale(2, 2);
      ctx.drawImage(image, 0, 0, this.width, this.height);
      const png = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
      const link = document.createElement("a");
      link.href = URL.createObjectURL(png);
      link.download = `${this.filename}.png`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 0);
    } finally {
      URL.revokeObjectURL(url);
    }
  }
}
