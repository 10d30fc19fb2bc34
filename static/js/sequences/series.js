/**
 * Next-step prediction on one test window (plotly): the values the network reads (dots), the
 * next value it should predict at each step and what it predicts; after a dashed line, its
 * free-running forecast (each guess fed back as the next input) against the true continuation.
 * Frame arrays `series_input`, `series_target`, `series_prediction` float32 [T], `forecast`,
 * `forecast_truth` float32 [F]. Steps are counted from 1: input step t is followed by target t + 1.
 */
import { extent } from "../tensors.js";
import { sizeOf, fontOf } from "../dom.js";
import { SEQ } from "../constants.js";
import { PlotlyView } from "../widgets/panelview.js";

const C = SEQ.colors;
/** Head-room above the largest true value, so predictions that overshoot a little still show. */
const Y_ROOM = 1.2;
const LABEL_ROOM = 1.45;

function range(from, n) {
  return Array.from({ length: n }, (_, i) => from + i);
}

/** Plotly height for a width: SEQ.seriesHeight's aspect, within its bounds. */
export function chartHeight(element, { min, max, aspect }) {
  return Math.round(Math.min(max, Math.max(min, sizeOf(element).width * aspect)));
}

export function chartLayout(element, height) {
  const font = fontOf(element);
  return {
    height,
    margin: SEQ.margin,
    font: { size: SEQ.font, family: font, color: C.target },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    showlegend: true,
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: SEQ.font } },
    uirevision: "keep",
  };
}

export class SeriesView extends PlotlyView {
  constructor(panel) {
    super(panel, "series-chart");
  }

  update(frame) {
    const a = frame.arrays;
    if (!a.series_prediction) return;
    this.keep({
      input: a.series_input.data, target: a.series_target.data, prediction: a.series_prediction.data,
      forecast: a.forecast?.data || new Float32Array(0), truth: a.forecast_truth?.data || new Float32Array(0),
    });
  }

  #traces({ input, target, prediction, forecast, truth }) {
    const T = input.length;
    const line = (color, dash = "solid", width = SEQ.lineWidth) => ({ color, width, dash });
    // Drawn bottom to top; the legend reads in legendrank order (input first).
    return [
      // The target is drawn wide under the prediction: where they agree, black edges frame the blue.
      { meta: "target", name: "Next value", legendrank: 2, x: range(2, T), y: [...target], mode: "lines",
        line: line(C.target, "solid", SEQ.underWidth) },
      { meta: "prediction", name: "Prediction", legendrank: 3, x: range(2, T), y: [...prediction], mode: "lines",
        line: line(C.prediction) },
      { meta: "truth", name: "Truth", legendrank: 5, x: range(T + 1, truth.length), y: [...truth], mode: "lines",
        line: line(C.truth, "dot") },
      { meta: "forecast", name: "Forecast", legendrank: 4, x: range(T + 1, forecast.length), y: [...forecast],
        mode: "lines", line: line(C.forecast) },
      { meta: "input", name: "Input", legendrank: 1, x: range(1, T), y: [...input], mode: "markers",
        marker: { color: C.input, size: SEQ.markerSize, line: { color: "#ffffff", width: 1 } } },
    ].map((trace) => ({ type: "scatter", hovertemplate: "step %{x}: %{y:.3f}", ...trace }));
  }

  #layout(T, bound) {
    const layout = chartLayout(this.plot, chartHeight(this.plot, SEQ.seriesHeight));
    const split = T + 0.5;
    return {
      ...layout,
      xaxis: { title: { text: "time step" }, zeroline: false, range: [0.5, T + 1 + (this.last.truth.length || 0)] },
      // Head-room at the top keeps the two labels of the dashed line off the curves.
      yaxis: { title: { text: "value" }, zeroline: true, zerolinecolor: "#d5d9df", range: [-bound, bound * LABEL_ROOM] },
      shapes: [{
        type: "line", xref: "x", yref: "paper", x0: split, x1: split, y0: 0, y1: 1,
        line: { color: C.divider, width: 2, dash: "dash" },
      }],
      annotations: [{
        xref: "x", yref: "paper", x: split, y: 1, xanchor: "left", yanchor: "top", showarrow: false,
        text: " runs on its own guesses →", font: { size: SEQ.font, color: C.forecast },
      }, {
        xref: "x", yref: "paper", x: split, y: 1, xanchor: "right", yanchor: "top", showarrow: false,
        text: "reads the input ", font: { size: SEQ.font, color: C.input },
      }],
    };
  }

  draw() {
    if (!this.last) return;
    const { input, target, truth } = this.last;
    const [low, high] = extent(Float32Array.from([...input, ...target, ...truth]));
    const bound = Math.max(Math.abs(low), Math.abs(high), 1) * Y_ROOM;
    this.react(this.#traces(this.last), this.#layout(input.length, bound));
  }
}
