/**
 * The gradient reaching each time step (plotly bars on a log axis): frame array
 * `step_gradients` float32 [T], ‖∂L/∂h_t‖ for the chosen recurrent layer and test sequence.
 * A many-to-one task measures its loss after the last step only, so the bars show how the
 * signal fades on its way back to the first step: the vanishing gradient.
 */
import { SEQ } from "../constants.js";
import { chartHeight, chartLayout } from "./series.js";
import { PlotlyView } from "../widgets/panelview.js";

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
    const trace = {
      type: "bar", meta: "gradients", name: "gradient size", x, y: [...this.last],
      marker: { color: SEQ.colors.bars }, hovertemplate: "step %{x}: %{y:.2e}<extra></extra>",
    };
    const annotations = this.#lossNote(T);
    const layout = {
      ...chartLayout(this.plot, chartHeight(this.plot, SEQ.gradHeight)),
      margin: { ...SEQ.margin, t: annotations.length ? SEQ.noteTop : SEQ.margin.t },
      showlegend: false,
      bargap: 0.15,
      xaxis: { title: { text: "time step t (the order the network reads)" }, range: [0.5, T + 0.5] },
      yaxis: { title: { text: "gradient reaching step t" }, type: "log", exponentformat: "power", dtick: this.#decades() },
      annotations,
    };
    this.react([trace], layout);
  }

  /** Log-axis tick spacing in decades: powers of ten only, about SEQ.gradTicks of them. */
  #decades() {
    const positive = [...this.last].filter((v) => v > 0);
    if (!positive.length) return 1;
    const span = Math.log10(Math.max(...positive) / Math.min(...positive));
    return Math.max(1, Math.ceil(span / SEQ.gradTicks));
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
