/**
 * The filter grid of every conv layer (frame arrays `filters.<layer>` [out, in, k, k]): one
 * canvas per layer, columns are its filters and rows the input channels they read, weights on
 * the diverging orange–grey–blue scale. Each filter scaled to its own largest |w|, or the whole
 * layer to one; the legend bar and each layer's title say what the ends of the scale mean.
 */
import { part, formatNumber, sizeOf } from "../dom.js";
import { LUTS } from "../colors.js";
import { filterTiles, fitScale, layerNamer, sameValues } from "../tensors.js";
import { drawTiles, drawLegendBar } from "../widgets/pixels.js";
import { PanelView } from "../widgets/panelview.js";
import { LayerFigures } from "./layerfigures.js";
import { IMAGE_VIEWS, WEIGHT_DIGITS } from "../constants.js";

const PREFIX = "filters.";

export class FiltersView extends PanelView {
  constructor(panel, schema, store) {
    super(panel);
    this.store = store;
    this.layerName = layerNamer(schema.layer_kinds);
    // Kinds with filters (conv, residual) are the ones with a filters grid.
    this.filtered = new Set(schema.layer_kinds.filter((k) => k.fields.includes("filters")).map((k) => k.kind));
    this.list = part(panel, "list");
    this.empty = part(panel, "empty");
    this.low = panel.querySelector('[data-part="low"]');
    this.high = panel.querySelector('[data-part="high"]');
    this.mode = "filter";
    this.figures = new LayerFigures(this.list, {
      testid: (index) => `filters-canvas-${index}`, label: (index) => `Filters of layer ${index + 1}`,
    });
    for (const radio of panel.querySelectorAll('input[name="filter-norm"]')) {
      radio.addEventListener("change", () => {
        if (radio.checked) this.mode = radio.value;
        this.draw();
      });
    }
    drawLegendBar(panel.querySelector('[data-part="bar"]'), LUTS.diverging);
  }

  update(frame) {
    const found = Object.keys(frame.arrays).filter((name) => name.startsWith(PREFIX));
    if (!found.length) return;
    // layer index → array
    this.keep(new Map(found.map((name) => [Number(name.slice(PREFIX.length)), frame.arrays[name]])));
  }

  /** The same layers with the same weights (a frame sent while nothing trained). */
  same(kept, incoming) {
    return kept.size === incoming.size
      && [...incoming].every(([index, array]) => sameValues(kept.get(index)?.data, array.data));
  }

  /** The spec changed: a layer list without conv layers shows the note at once. */
  render(spec) {
    const convs = spec.model.layers.some((layer) => this.filtered.has(layer.kind));
    this.empty.hidden = convs;
    if (!convs) {
      this.last = null;
      this.figures.clear();
    }
  }

  draw() {
    if (!this.last) return;
    const indexes = [...this.last.keys()].sort((a, b) => a - b);
    const figures = this.figures.of(indexes);
    const available = sizeOf(this.list).width;
    for (const [n, index] of indexes.entries()) {
      const array = this.last.get(index);
      const { figure, canvas, title } = figures[n];
      const tiles = filterTiles(array, this.mode);
      const gap = IMAGE_VIEWS.tileGap;
      const scale = fitScale(tiles.cols * (tiles.w + gap), available, IMAGE_VIEWS.maxScale);
      drawTiles(canvas, tiles, LUTS.diverging, { cols: tiles.cols, rows: tiles.rows, scale, gap });
      const [out, inputs, k] = array.shape;
      const kind = this.store.spec?.model.layers[index]?.kind;
      const name = kind === "residual" ? this.layerName(index, null, "Residual block (first conv)")
        : this.layerName(index, kind, "Convolution");
      title.textContent = `${name} · ${out} filters of ${k}×${k}`
        + `${inputs > 1 ? ` × ${inputs} channels` : ""} · largest |w| ${formatNumber(tiles.bound, WEIGHT_DIGITS)}`;
      figure.dataset.bound = String(tiles.bound);
    }
    // The scale's ends: each filter's own largest |w|, or the layer's (in each title).
    const each = this.mode === "filter";
    this.low.textContent = each ? "−filter max" : "−layer max";
    this.high.textContent = each ? "+filter max" : "+layer max";
  }
}
