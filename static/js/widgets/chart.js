/**
 * A per-epoch chart (plotly.js) fed by each frame's `history`. The loss chart: training, test
 * and — when the spec holds data out — validation loss, with a log-scale button and early
 * stopping's best epoch marked by a vertical line. The accuracy chart (image and table models):
 * training and test accuracy in percent. Hover shows values; a reset clears the chart.
 *
 * Frame budget: every plotly update redraws the whole chart (~20 ms), so the chart keeps the
 * history in its own arrays and hands plotly what is new at most every CHART.redrawMs, with the
 * axis ranges it computed itself (plotly would measure every point again), and never while the
 * chart is hidden. Long runs are drawn from at most CHART.drawPoints points per line.
 */
import { CHART } from "../constants.js";
import { Throttle } from "../throttle.js";
import { niceCeil } from "../tensors.js";

const LOSS_TRACES = [
  { key: "train_loss", name: "Training", color: CHART.colors.train, dash: "solid" },
  { key: "test_loss", name: "Test", color: CHART.colors.test, dash: "solid" },
  { key: "val_loss", name: "Validation", color: CHART.colors.val, dash: "dot", optional: true },
];
export const ACCURACY_CHART = {
  testid: "accuracy-chart",
  traces: [
    { key: "train_accuracy", name: "Training", color: CHART.colors.train, dash: "solid" },
    { key: "test_accuracy", name: "Test", color: CHART.colors.test, dash: "solid" },
  ],
  yaxis: { tickformat: ".0%", range: [0, 1.02], hoverformat: ".1%" },
};

/** Every `stride`-th entry of `values`, and always the last one. */
function strided(values, stride) {
  if (stride <= 1) return values.slice();
  const out = [];
  for (let i = 0; i < values.length; i += stride) out.push(values[i]);
  if ((values.length - 1) % stride) out.push(values[values.length - 1]);
  return out;
}

export class ChartView {
  constructor(root, { testid = "loss-chart", traces = LOSS_TRACES, logTestid = "loss-log", yaxis = null } = {}) {
    this.element = root.querySelector(`[data-testid="${testid}"]`);
    this.traces = traces;
    this.yaxis = yaxis;
    this.logButton = logTestid ? root.querySelector(`[data-testid="${logTestid}"]`) : null;
    this.log = false;
    this.bestEpoch = null;
    this.marks = [];            // [{epoch, label}]: the learning-rate schedule's events
    this.shapesStale = true;
    this.visible = false;
    this.#clear();
    this.throttle = new Throttle(CHART.redrawMs, () => this.#redraw());
    this.logButton?.addEventListener("click", () => this.#toggleLog());
    window.Plotly.newPlot(this.element, this.traces.map((trace) => ({
      x: [], y: [], name: trace.name, mode: "lines", type: "scatter",
      line: { color: trace.color, width: CHART.lineWidth, dash: trace.dash },
      hovertemplate: this.yaxis ? "%{y}" : "%{y:.4f}",
      visible: !trace.optional,
      connectgaps: true,      // the server evaluates the test set on a time budget: some epochs have none
    })), this.#layout(), {
      displayModeBar: "hover", modeBarButtons: [["toImage"]], displaylogo: false, responsive: true,
      toImageButtonOptions: { filename: "nn-playground-loss", scale: 2 },
    });
    new ResizeObserver(([entry]) => this.#resized(entry.contentRect.width)).observe(this.element);
  }

  /** The stylesheet may ask for a taller chart (--chart-height, in px); else CHART.height. */
  #height() {
    return Number(getComputedStyle(this.element).getPropertyValue("--chart-height")) || CHART.height;
  }

  /** At most this many epoch ticks (--chart-x-ticks: a narrow chart asks for few); 0: plotly's choice. */
  #xTicks() {
    return Number(getComputedStyle(this.element).getPropertyValue("--chart-x-ticks")) || 0;
  }

  #resized(width) {
    this.visible = width > 0;
    if (!this.visible) return;
    const height = this.#height();
    if (this.element.layout.height !== height || this.element.layout.width !== width) {
      window.Plotly.relayout(this.element, { height, width });
    }
    if (this.stale) this.throttle.force();
  }

  #layout() {
    const font = getComputedStyle(this.element).fontFamily;
    const layout = {
      height: this.#height(),
      margin: CHART.margin,
      font: { size: CHART.font, family: font, color: "#1a1a1a" },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      showlegend: true,
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: CHART.font } },
      hovermode: "x unified",
      // No zoom: the page sets the ranges on every redraw. Tick labels may overflow the div
      // (they never do): plotly then skips measuring each of them on every redraw.
      xaxis: { zeroline: false, hoverformat: "d", fixedrange: true, ticklabeloverflow: "allow", ...this.#ticks() },
      yaxis: {
        fixedrange: true, ticklabeloverflow: "allow", zeroline: false, nticks: CHART.yTicks,
        ...(this.yaxis || { type: "linear", rangemode: "tozero", exponentformat: "power" }),
      },
    };
    const empty = this.#emptyLook(true);
    return { ...layout, xaxis: { ...layout.xaxis, ...empty.xaxis }, yaxis: { ...layout.yaxis, ...empty.yaxis },
      annotations: empty.annotations };
  }

  /** An empty chart (before the first epoch, after a reset) has no numbers on its axes, which
   *  would be plotly's guess (−1 … 6), but a line saying what will appear. */
  #emptyLook(empty) {
    this.empty = empty;
    const note = { text: CHART.emptyNote, showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5,
      font: { size: CHART.font, color: CHART.colors.train } };
    const axis = { showticklabels: !empty, showgrid: !empty, ...(empty ? { range: [0, 1], autorange: false } : {}) };
    const yaxis = !empty && this.yaxis?.range ? { ...axis, range: this.yaxis.range } : { ...axis };
    return { xaxis: axis, yaxis, annotations: empty ? [note] : [] };
  }

  #bestShapes() {
    // Labels alternate between the top and the bottom of the plot, so marks close together
    // (warm-up's end and the schedule's, on a long run) stay readable.
    const marks = this.marks.map((mark, i) => ({
      type: "line", xref: "x", yref: "paper", x0: mark.epoch, x1: mark.epoch, y0: 0, y1: 1,
      line: { color: CHART.markColor, width: CHART.markWidth, dash: "dot" },
      label: {
        text: mark.label, textposition: i % 2 ? "start" : "end", textangle: 0, xanchor: "left",
        yanchor: i % 2 ? "bottom" : "top", font: { size: CHART.font - 3, color: CHART.markColor },
      },
    }));
    if (this.bestEpoch == null) return marks;
    return [...marks, {
      type: "line", xref: "x", yref: "paper", x0: this.bestEpoch, x1: this.bestEpoch, y0: 0, y1: 1,
      line: { color: CHART.colors.best, width: CHART.bestWidth, dash: "dash" },
    }];
  }

  #clear() {
    this.count = 0;              // epochs of history taken in (the next frame's history.start)
    this.x = [];
    this.ys = this.traces.map(() => []);
    this.measured = this.traces.map(() => false);
  }

  /** The learning-rate schedule's marks (dotted lines labelled at the top), drawn with the
   * next redraw. */
  setMarks(marks) {
    this.marks = marks || [];
    this.shapesStale = this.stale = true;
    this.throttle.force();
  }

  update(frame) {
    const history = frame.history;
    let urgent = false;          // a reset or a first point: a person is looking for it now
    if (frame.best_epoch !== undefined && frame.best_epoch !== this.bestEpoch) {
      this.bestEpoch = frame.best_epoch;
      this.shapesStale = this.stale = true;
    }
    if (history && history.start < this.count) {
      this.#clear();
      urgent = this.stale = true;
    }
    const epochs = history?.epoch || [];
    if (epochs.length) {
      urgent ||= this.x.length === 0;
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
      this.stale = true;
    }
    if (!this.stale) return;
    if (urgent) this.throttle.force();
    else this.throttle.request();
  }

  /** Hand plotly the lines, ranges and ticks in one update (one redraw). */
  #redraw() {
    if (!this.visible) return;
    this.stale = false;
    const stride = Math.ceil(this.x.length / CHART.drawPoints);
    const x = strided(this.x, stride);
    const ys = this.ys.map((values) => strided(values, stride));
    const shown = this.traces.map((trace, i) => !trace.optional || this.measured[i]);
    const layout = { "xaxis.range": this.#xRange(), "xaxis.autorange": false };
    if (this.shapesStale) {
      this.shapesStale = false;
      layout.shapes = this.#bestShapes();
    }
    for (const [key, value] of Object.entries(this.#ticks())) layout[`xaxis.${key}`] = value;
    if (!this.yaxis) Object.assign(layout, this.#yAxis(ys, shown));
    const empty = this.x.length === 0;
    if (empty !== this.empty) {
      const look = this.#emptyLook(empty);
      for (const axis of ["xaxis", "yaxis"]) {
        for (const [key, value] of Object.entries(look[axis])) layout[`${axis}.${key}`] = value;
      }
      layout.annotations = look.annotations;
    }
    if (empty) Object.assign(layout, { "yaxis.range": [0, 1], "yaxis.autorange": false });
    window.Plotly.update(this.element, { x: ys.map(() => x), y: ys, visible: shown }, layout);
  }

  /** From the first epoch to a round number at or past the last (a tick per epoch: the last). */
  #xRange() {
    if (!this.x.length) return [0, 1];
    const first = this.x[0];
    const last = this.x[this.x.length - 1];
    const end = this.count <= CHART.wholeTicksUpTo ? last : niceCeil(last, CHART.axisEnds);
    return [first, Math.max(end, first + 1)];
  }

  /** y from 0 (linear) or the smallest loss (log) to the largest, with a margin. */
  #yAxis(ys, shown) {
    let low = Infinity;
    let high = -Infinity;
    ys.forEach((values, i) => {
      if (!shown[i]) return;
      for (const v of values) {
        if (v == null || !(this.log ? v > 0 : Number.isFinite(v))) continue;
        low = Math.min(low, v);
        high = Math.max(high, v);
      }
    });
    const type = this.log ? "log" : "linear";
    if (!Number.isFinite(high)) return { "yaxis.type": type, "yaxis.autorange": true };
    let range = [0, niceCeil((high || 1) * (1 + CHART.yMargin), CHART.axisEnds)];
    if (this.log) {
      const step = CHART.logStep;
      const [a, b] = [Math.log10(low), Math.log10(high)];
      range = [Math.floor(a / step) * step, Math.max(Math.ceil(b / step) * step, Math.floor(a / step) * step + step)];
    }
    return { "yaxis.type": type, "yaxis.range": range, "yaxis.autorange": false };
  }

  /** Whole epochs only: a tick per epoch while there are few, plotly's choice after. */
  #ticks() {
    const nticks = this.#xTicks();
    const whole = this.count <= CHART.wholeTicksUpTo && !nticks;
    return whole ? { tickmode: "linear", tick0: 0, dtick: 1 } : { tickmode: "auto", dtick: null, nticks, tickangle: nticks ? 0 : "auto" };
  }

  #toggleLog() {
    this.log = !this.log;
    this.logButton.setAttribute("aria-pressed", String(this.log));
    this.stale = true;
    this.throttle.force();
  }
}
