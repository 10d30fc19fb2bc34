/**
 * What a recurrent layer holds while it reads one test sequence: the hidden state as a
 * time × unit heatmap on the diverging scale (frame array `hidden` [T, H]), and the gates of an
 * LSTM (input, forget, output, plus the cell state) or a GRU (reset, update) as smaller
 * heatmaps on a fixed 0…1 scale (`gate.<name>` [T, H]). The layer and sequence come from the
 * frame's scalar `sequence: {sample, count, layer, recurrent_layers}`.
 */
import { cloneTemplate, part, formatNumber } from "../dom.js";
import { LUTS } from "../colors.js";
import { maxAbs, timeUnitCodes, layerNamer } from "../tensors.js";
import { drawHeatmap } from "./heatmap.js";
import { drawLegendBar } from "../widgets/pixels.js";
import { GATES, SEQ, WEIGHT_DIGITS } from "../constants.js";
import { PanelView } from "../widgets/panelview.js";

/** Tanh-bounded states share the fixed ±1 scale (colours comparable frame to frame); larger
 *  ones (a ReLU RNN, an LSTM's cell) are scaled by their own largest |value|. */
function signedBound(array) {
  return Math.max(1, maxAbs(array.data));
}

function legendText(bound) {
  return [`−${formatNumber(bound, WEIGHT_DIGITS)}`, `+${formatNumber(bound, WEIGHT_DIGITS)}`];
}

export class HiddenStateView extends PanelView {
  constructor(panel, schema, store) {
    super(panel);
    this.store = store;
    this.layerName = layerNamer(schema.layer_kinds);
    this.canvas = panel.querySelector('[data-testid="hidden-canvas"]');
    this.title = panel.querySelector('[data-testid="hidden-title"]');
    this.low = part(panel, "low");
    this.high = part(panel, "high");
    drawLegendBar(part(panel, "bar"), LUTS.diverging);
  }

  update(frame) {
    if (!frame.arrays.hidden) return;
    this.keep({ hidden: frame.arrays.hidden, layer: frame.sequence?.layer ?? 0 });
  }

  draw() {
    if (!this.last) return;
    const { hidden, layer } = this.last;
    const [steps, units] = hidden.shape;
    const bound = signedBound(hidden);
    drawHeatmap(this.canvas, timeUnitCodes(hidden, { signed: true, bound }), LUTS.diverging);
    [this.low.textContent, this.high.textContent] = legendText(bound);
    const kind = this.store.spec?.model.layers[layer]?.kind;
    this.title.textContent = `${this.layerName(layer, kind)} · ${steps} steps × ${units} units`;
  }
}

export class GatesView extends PanelView {
  constructor(panel, schema, store) {
    super(panel);
    this.store = store;
    this.list = part(panel, "list");
    this.empty = part(panel, "empty");
    drawLegendBar(part(panel, "bar"), LUTS.viridis);
    this.figures = new Map();
    this.built = "";
  }

  update(frame) {
    if (!frame.arrays.hidden || !frame.sequence) return;
    const kind = this.store.spec?.model.layers[frame.sequence.layer]?.kind || "";
    this.keep({ kind, arrays: frame.arrays });
  }

  draw() {
    if (!this.last) return;
    const { kind, arrays } = this.last;
    const gates = (GATES[kind] || []).filter((gate) => arrays[`gate.${gate.name}`]);
    this.empty.hidden = gates.length > 0;
    const key = `${kind}|${gates.map((gate) => gate.name).join()}`;
    if (key !== this.built) this.#build(key, gates);
    for (const gate of gates) {
      const array = arrays[`gate.${gate.name}`];
      const { canvas, legend, low, high } = this.figures.get(gate.name);
      const options = { maxHeight: SEQ.heat.gateMaxHeight };
      if (gate.signed) {
        const bound = signedBound(array);
        drawHeatmap(canvas, timeUnitCodes(array, { signed: true, bound }), LUTS.diverging, options);
        [low.textContent, high.textContent] = legendText(bound);
        legend.hidden = false;
      } else {
        drawHeatmap(canvas, timeUnitCodes(array, { signed: false }), LUTS.viridis, options);
      }
    }
  }

  #build(key, gates) {
    this.built = key;
    this.figures.clear();
    const figures = gates.map((gate) => {
      const figure = cloneTemplate("tpl-gate");
      part(figure, "title").textContent = gate.label;
      part(figure, "hint").textContent = gate.hint;
      const canvas = part(figure, "canvas");
      canvas.dataset.testid = `gate-canvas-${gate.name}`;
      canvas.setAttribute("aria-label", `${gate.label}: time steps across, units down`);
      if (gate.signed) drawLegendBar(part(figure, "bar"), LUTS.diverging);
      this.figures.set(gate.name, {
        canvas, legend: part(figure, "legend"), low: part(figure, "low"), high: part(figure, "high"),
      });
      return figure;
    });
    this.list.replaceChildren(...figures);
  }
}
