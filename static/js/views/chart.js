/**
 * The loss chart (plotly.js): training, test and — when the spec holds data out — validation
 * loss per epoch, extended with each frame's `history` (Plotly.extendTraces). Hover shows the
 * values, a button switches the y axis to log scale, a reset clears it, and early stopping's
 * best epoch is marked with a vertical line.
 */
import { CHART } from "../constants.js";

const TRACES = [
  { key: "train_loss", name: "Training", color: CHART.colors.train, dash: "solid" },
  { key: "test_loss", name: "Test", color: CHART.colors.test, dash: "solid" },
  { key: "val_loss", name: "Validation", color: CHART.colors.val, dash: "dot" },
];

export class ChartView {
  constructor(root) {
    this.element = root.querySelector('[data-testid="loss-chart"]');
    this.logButton = root.querySelector('[data-testid="loss-log"]');
    this.count = 0;
    this.bestEpoch = null;
    this.log = false;
    this.logButton.addEventListener("click", () => this.#toggleLog());
    this.#create();
    new ResizeObserver(() => window.Plotly.Plots.resize(this.element)).observe(this.element);
  }

  #layout() {
    const font = getComputedStyle(this.element).fontFamily;
    return {
      height: CHART.height,
      margin: CHART.margin,
      font: { size: CHART.font, family: font, color: "#1a1a1a" },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      showlegend: true,
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: CHART.font } },
      hovermode: "x unified",
      xaxis: { zeroline: false, hoverformat: "d" },
      yaxis: { type: this.log ? "log" : "linear", rangemode: "tozero", zeroline: false, exponentformat: "power", nticks: CHART.yTicks },
      shapes: this.#bestShapes(),
    };
  }

  #create() {
    const data = TRACES.map((trace) => ({
      x: [], y: [], name: trace.name, mode: "lines", type: "scatter",
      line: { color: trace.color, width: CHART.lineWidth, dash: trace.dash },
      hovertemplate: "%{y:.4f}",
      visible: trace.key === "val_loss" ? false : true,
    }));
    window.Plotly.newPlot(this.element, data, this.#layout(), { displayModeBar: false, responsive: true });
    this.count = 0;
  }

  #bestShapes() {
    if (this.bestEpoch == null) return [];
    return [{
      type: "line", xref: "x", yref: "paper", x0: this.bestEpoch, x1: this.bestEpoch, y0: 0, y1: 1,
      line: { color: CHART.colors.best, width: CHART.bestWidth, dash: "dash" },
    }];
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
    const hasVal = Array.isArray(history.val_loss) && history.val_loss.length > 0;
    const xs = TRACES.map((trace) => (trace.key === "val_loss" && !hasVal ? [] : epochs));
    const ys = TRACES.map((trace) => (trace.key === "val_loss" && !hasVal ? [] : history[trace.key] || []));
    window.Plotly.extendTraces(this.element, { x: xs, y: ys }, [0, 1, 2], CHART.maxPoints);
    if (hasVal && this.element.data[2].visible === false) window.Plotly.restyle(this.element, { visible: true }, [2]);
    this.count = history.start + epochs.length;
  }

  #toggleLog() {
    this.log = !this.log;
    this.logButton.setAttribute("aria-pressed", String(this.log));
    window.Plotly.relayout(this.element, { "yaxis.type": this.log ? "log" : "linear", "yaxis.autorange": true });
  }
}
