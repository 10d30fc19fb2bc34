/**
 * The gradient reaching each time step (plotly bars on a log axis): frame array
 * `step_gradients` float32 [T], ‖∂L/∂h_t‖ for the chosen recurrent layer and test sequence.
 * A many-to-one task measures its loss after the last step only, so the bars show how the
 * signal fades on its way back to the first step: the vanishing gradient.
 *
 * The log axis is fixed (SEQ.gradRange, 10⁻¹⁶ … 10¹) and only ever widens, never rescaled to
 * each model's bars: an RNN's and an LSTM's pictures can be compared by switching between them.
 * A gradient below the axis (or one that underflowed to 0) draws no bar; hovering says so.
 */
import { SEQ } from "../constants.js";
import { chartHeight, chartLayout } from "./series.js";
import { PlotlyView } from "../widgets/panelview.js";

const SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹";
const SUPERSCRIPT_MINUS = "⁻";

/** 10 to the power n, as a person writes it: 10⁻¹⁶. */
function power(n) {
  const digits = [...String(Math.abs(n))].map((d) => SUPERSCRIPT_DIGITS[Number(d)]).join("");
  return `10${n < 0 ? SUPERSCRIPT_MINUS : ""}${digits}`;
}

export class StepGradientsView extends PlotlyView {
  constructor(panel, store) {
    super(panel, "gradient-chart");
    this.store = store;
  }

  update(frame) {
    const norms = frame.arrays.step_gradients;
    if (!norms) return;
    this.keep(norms.data);
  }

  draw() {
    if (!this.last) return;
    const T = this.last.length;
    const x = Array.from({ length: T }, (_, i) => i + 1);
    this.#widen();
    const floor = 10 ** this.range[0];
    const trace = {
      type: "bar", meta: "gradients", name: "gradient size", x, y: [...this.last].map((v) => Math.max(v, floor)),
      customdata: [...this.last], marker: { color: SEQ.colors.bars },
      hovertemplate: "step %{x}: %{customdata:.2e}<extra></extra>",
    };
    const annotations = this.#lossNote(T);
    const layout = {
      ...chartLayout(this.plot, chartHeight(this.plot, SEQ.gradHeight)),
      margin: { ...SEQ.margin, t: annotations.length ? SEQ.noteTop : SEQ.margin.t },
      showlegend: false,
      bargap: 0.15,
      xaxis: { title: { text: "time step t (the order the network reads)" }, range: [0.5, T + 0.5] },
      yaxis: {
        title: { text: `gradient reaching step t (log, fixed ${power(this.range[0])}–${power(this.range[1])})` },
        type: "log", exponentformat: "power", range: this.range, dtick: this.#decades(),
      },
      annotations,
    };
    this.react([trace], layout);
  }

  /** The axis (log10 ends) takes in every bar seen, never shrinks. */
  #widen() {
    this.range ??= [...SEQ.gradRange];
    const positive = [...this.last].filter((v) => v > 0);
    if (!positive.length) return;
    this.range = [Math.min(this.range[0], Math.floor(Math.log10(Math.min(...positive)))),
      Math.max(this.range[1], Math.ceil(Math.log10(Math.max(...positive))))];
  }

  /** Log-axis tick spacing in decades: powers of ten only, about SEQ.gradTicks of them. */
  #decades() {
    return Math.max(1, Math.ceil((this.range[1] - this.range[0]) / SEQ.gradTicks));
  }

  /** Many-to-one: point at the step where the loss is measured. */
  #lossNote(T) {
    if (this.store.dataset()?.sequence !== "many_to_one") return [];
    return [{
      xref: "x", yref: "paper", x: T, y: 1, xanchor: "right", yanchor: "bottom", showarrow: false,
      text: "the answer (and the loss) comes after the last step", font: { size: SEQ.font, color: SEQ.colors.input },
    }];
  }
}
