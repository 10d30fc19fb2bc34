/**
 * Overlaid per-epoch curves of every run (plotly): test solid and training dashed, one colour
 * per run, the legend naming each run once. The loss chart has a log-axis button; the accuracy
 * chart hides itself when no run measures accuracy (regression, autoencoders). "Download PNG"
 * saves the chart as it is, titled, on white.
 */
import { PLOTLY_CONFIG } from "../constants.js";
import { RUN_COLORS, RUN_LETTERS, CURVES, PNG, X_AXES } from "./constants.js";

export const LOSS_CURVES = {
  testid: "compare-loss",
  title: "Loss per epoch (solid: test, dashed: training)",
  file: "nn-playground-loss",
  keys: [{ key: "test_loss", name: "test", dash: "solid" }, { key: "train_loss", name: "training", dash: "dash" }],
  yaxis: { rangemode: "tozero", exponentformat: "power" },
  hover: "%{y:.4f}",
};
export const ACCURACY_CURVES = {
  testid: "compare-accuracy",
  title: "Accuracy per epoch (solid: test, dashed: training)",
  file: "nn-playground-accuracy",
  keys: [{ key: "test_accuracy", name: "test", dash: "solid" }, { key: "train_accuracy", name: "training", dash: "dash" }],
  yaxis: { tickformat: ".0%", range: [0, 1.02], hoverformat: ".1%" },
  hover: "%{y:.1%}",
};

const measured = (values) => Array.isArray(values) && values.some((v) => v != null);

/** Accuracy means something for classifiers only (the history of a regression may hold zeros). */
export function classifies(schema, run) {
  const dataset = schema.datasets.find((d) => d.name === run.spec.data?.dataset);
  return dataset?.problem === "classification" && run.spec.model?.task !== "autoencoder";
}

export class CurvesChart {
  /** config: LOSS_CURVES or ACCURACY_CURVES, with `accepts(run)` when only some runs belong. */
  constructor(root, config) {
    this.config = { accepts: () => true, ...config };
    this.box = root.querySelector(`[data-testid="${config.testid}-box"]`);
    this.plot = root.querySelector(`[data-testid="${config.testid}-chart"]`);
    this.logButton = root.querySelector(`[data-testid="${config.testid}-log"]`);
    this.download = root.querySelector(`[data-testid="${config.testid}-png"]`);
    this.log = false;
    this.x = X_AXES.epoch;           // what the x axis counts (setAxis)
    this.answer = null;
    this.logButton?.addEventListener("click", () => {
      this.log = !this.log;
      this.logButton.setAttribute("aria-pressed", String(this.log));
      window.Plotly.relayout(this.plot, { "yaxis.type": this.log ? "log" : "linear", "yaxis.autorange": true });
    });
    this.download.addEventListener("click", () => this.#downloadPng());
    const fit = () => {
      if (!this.plot.data || !this.plot.clientWidth) return;
      const size = { height: this.#height(), width: this.plot.clientWidth };
      if (size.height !== this.plot.layout.height || size.width !== this.plot.layout.width) {
        window.Plotly.relayout(this.plot, size);
      }
    };
    new ResizeObserver(fit).observe(this.plot);
    window.addEventListener("resize", fit);
  }

  /** Count the x axis in epochs, examples seen or seconds of training (X_AXES' names). */
  setAxis(name) {
    this.x = X_AXES[name];
    if (this.answer) this.update(this.answer);
  }

  update(answer) {
    this.answer = answer;
    const { keys, accepts } = this.config;
    // Each run keeps its index (its letter and colour) even when the chart leaves it out.
    const runs = answer.runs.map((run, i) => ({ run, i })).filter(({ run }) => accepts(run));
    const shown = runs.some(({ run }) => keys.some(({ key }) => measured(run.history[key])));
    this.box.hidden = !shown;
    if (!shown) return;
    // Polled every second: an answer whose curves are the ones drawn is not drawn again (a
    // plotly redraw costs 10–30 ms of the page's main thread).
    const drawn = JSON.stringify([this.x.key, ...runs.map(({ run, i }) => [i, run.run, run.label, run.history.epoch.length,
      run.history.epoch.at(-1), ...keys.map(({ key }) => run.history[key]?.at(-1))])]);
    if (drawn === this.drawn) return;      // (the x axis chosen is part of what is drawn)
    this.drawn = drawn;
    this.lastEpoch = Math.max(...runs.map(({ run }) => run.history.epoch.at(-1) ?? 0));
    const traces = runs.flatMap(({ run, i }) => keys.map(({ key, name, dash }, k) => ({
      type: "scatter",
      mode: run.history.epoch.length <= CURVES.markersUpTo ? "lines+markers" : "lines",   // one epoch is a dot
      marker: { size: CURVES.markerSize },
      x: run.history[this.x.key] || [],        // a run saved before a column was kept has none
      y: run.history[key],
      name: `${RUN_LETTERS[i]}: ${run.label}`,
      legendgroup: run.run,
      showlegend: k === 0,
      meta: `${run.run} ${key}`,
      line: { color: RUN_COLORS[i], width: CURVES.lineWidth, dash },
      connectgaps: true,      // image runs evaluate the test set on a time budget: some epochs have none
      hovertemplate: `${RUN_LETTERS[i]} ${name}: ${this.config.hover}<extra></extra>`,
    })));
    window.Plotly.react(this.plot, traces, this.#layout(), PLOTLY_CONFIG);
  }

  /** Tall enough to read, short enough that both charts fit the window beside the outputs. */
  #height() {
    const { min, max, chrome } = CURVES.height;
    return Math.round(Math.min(max, Math.max(min, (window.innerHeight - chrome) / 2)));
  }

  #layout() {
    const font = getComputedStyle(this.plot).fontFamily;
    const { yaxis } = this.config;
    return {
      height: this.#height(),
      margin: CURVES.margin,
      font: { size: CURVES.font, family: font, color: CURVES.ink },
      paper_bgcolor: PNG.background,
      plot_bgcolor: PNG.background,
      showlegend: true,
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: CURVES.legendFont } },
      hovermode: "x unified",
      uirevision: "keep",          // a refresh keeps a zoom someone made
      xaxis: { title: { text: this.x.title }, zeroline: false, hoverformat: this.x.format, ...this.#ticks() },
      yaxis: {
        zeroline: false, nticks: CURVES.yTicks, ticks: "outside", ticklen: CURVES.tickGap, tickcolor: CURVES.invisible,
        ...yaxis, ...(this.log ? { type: "log" } : {}),
      },
    };
  }

  /** Whole epochs only: a tick per epoch while there are few, plotly's choice (whole) after. */
  #ticks() {
    if (this.x !== X_AXES.epoch) return { tickmode: "auto", tickformat: this.x.format };
    return this.lastEpoch <= CURVES.wholeTicksUpTo ? { tickmode: "linear", tick0: 0, dtick: 1 }
      : { tickmode: "auto", tickformat: "d" };
  }

  /** The chart at PNG's size with its title, as a download. */
  async #downloadPng() {
    if (!this.plot.data) return;
    const layout = {
      ...this.plot.layout,
      height: PNG.height,
      width: PNG.width,
      margin: { ...this.plot.layout.margin, ...PNG.margin },
      title: { text: this.config.title, font: { size: PNG.titleFont }, x: 0.02, xanchor: "left" },
      legend: { ...this.plot.layout.legend, y: 1.0 },
    };
    const url = await window.Plotly.toImage({ data: this.plot.data, layout }, {
      format: "png", width: PNG.width, height: PNG.height, scale: PNG.scale,
    });
    const link = document.createElement("a");
    link.href = url;
    link.download = `${this.config.file}.png`;
    document.body.append(link);
    link.click();
    link.remove();
  }
}
