/**
 * A per-epoch chart (plotly.js), extended with each frame's `history` (Plotly.extendTraces).
 * The loss chart: training, test and — when the spec holds data out — validation loss, with a
 * log-scale button and early stopping's best epoch marked by a vertical line. The accuracy
 * chart (image and table models): training and test accuracy in percent. Hover shows values;
 * a reset clears the chart.
 */
import { CHART } from "../constants.js";

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

export class ChartView {
  constructor(root, { testid = "loss-chart", traces = LOSS_TRACES, logTestid = "loss-log", yaxis = null } = {}) {
    this.element = root.querySelector(`[data-testid="${testid}"]`);
    this.traces = traces;
    this.yaxis = yaxis;
    this.logButton = logTestid ? root.querySelector(`[data-testid="${logTestid}"]`) : null;
    this.count = 0;
    this.bestEpoch = null;
    this.marks = [];            // [{epoch, label}]: the learning-rate schedule's events
    this.log = false;
    this.logButton?.addEventListener("click", () => this.#toggleLog());
    this.#create();
    new ResizeObserver(() => {
      if (!this.element.clientWidth) return;
      const height = this.#height();
      if (this.element.layout && this.element.layout.height !== height) {
        window.Plotly.relayout(this.element, { height, width: this.element.clientWidth });
      } else {
        window.Plotly.Plots.resize(this.element);
      }
    }).observe(this.element);
  }

  /** The stylesheet may ask for a taller chart (--chart-height, in px); else CHART.height. */
  #height() {
    return Number(getComputedStyle(this.element).getPropertyValue("--chart-height")) || CHART.height;
  }

  #layout() {
    const font = getComputedStyle(this.element).fontFamily;
    return {
      height: this.#height(),
      margin: CHART.margin,
      font: { size: CHART.font, family: font, color: "#1a1a1a" },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      showlegend: true,
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: CHART.font } },
      hovermode: "x unified",
      xaxis: { zeroline: false, hoverformat: "d", ...this.#ticks() },
      yaxis: this.yaxis ? { zeroline: false, nticks: CHART.yTicks, ...this.yaxis }
        : { type: this.log ? "log" : "linear", rangemode: "tozero", zeroline: false, exponentformat: "power", nticks: CHART.yTicks },
      shapes: this.#bestShapes(),
    };
  }

  #create() {
    this.count = 0;
    const data = this.traces.map((trace) => ({
      x: [], y: [], name: trace.name, mode: "lines", type: "scatter",
      line: { color: trace.color, width: CHART.lineWidth, dash: trace.dash },
      hovertemplate: this.yaxis ? "%{y}" : "%{y:.4f}",
      visible: !trace.optional,
      connectgaps: true,      // the server evaluates the test set on a time budget: some epochs have none
    }));
    window.Plotly.newPlot(this.element, data, this.#layout(), { displayModeBar: "hover", modeBarButtons: [["toImage"]], displaylogo: false, responsive: true, toImageButtonOptions: { filename: "nn-playground-loss", scale: 2 } });
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

  /** The learning-rate schedule's marks (dotted lines labelled at the top). */
  setMarks(marks) {
    this.marks = marks || [];
    window.Plotly.relayout(this.element, { shapes: this.#bestShapes() });
  }

  update(frame) {
    const history = frame.history;
    if (frame.best_epoch !== undefined && frame.best_epoch !== this.bestEpoch) {
      this.bestEpoch = frame.best_epoch;
      window.Plotly.relayout(this.element, { shapes: this.#bestShapes() });
    }
    if (!history) return;
    if (history.start < this.count) this.#create();
    const epochs = history.epoch || [];
    if (epochs.length === 0) return;
    const has = (trace) => Array.isArray(history[trace.key]) && history[trace.key].some((v) => v != null);
    const xs = this.traces.map((trace) => (trace.optional && !has(trace) ? [] : epochs));
    const ys = this.traces.map((trace) => (trace.optional && !has(trace) ? [] : history[trace.key] || []));
    window.Plotly.extendTraces(this.element, { x: xs, y: ys }, this.traces.map((_, i) => i), CHART.maxPoints);
    this.traces.forEach((trace, i) => {
      if (trace.optional && has(trace) && this.element.data[i].visible === false) {
        window.Plotly.restyle(this.element, { visible: true }, [i]);
      }
    });
    const fewBefore = this.count <= CHART.wholeTicksUpTo;
    this.count = history.start + epochs.length;
    if (fewBefore !== (this.count <= CHART.wholeTicksUpTo)) {
      const ticks = this.#ticks();
      window.Plotly.relayout(this.element, { "xaxis.tickmode": ticks.tickmode, "xaxis.dtick": ticks.dtick ?? null });
    }
  }

  /** Whole epochs only: a tick per epoch while there are few, plotly's choice after. */
  #ticks() {
    return this.count <= CHART.wholeTicksUpTo ? { tickmode: "linear", tick0: 0, dtick: 1 } : { tickmode: "auto" };
  }

  #toggleLog() {
    this.log = !this.log;
    this.logButton.setAttribute("aria-pressed", String(this.log));
    window.Plotly.relayout(this.element, { "yaxis.type": this.log ? "log" : "linear", "yaxis.autorange": true });
  }
}
