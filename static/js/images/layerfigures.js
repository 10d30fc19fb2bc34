/**
 * One titled canvas per layer (<template id="tpl-view-layer">) in a panel's list, for the views
 * that draw every layer of a net (filters, feature maps). The figures are rebuilt only when the
 * set of layers changes, so drawing a frame reuses them.
 */
import { cloneTemplate, part } from "../dom.js";

export class LayerFigures {
  /** testid(index) and label(index) name each layer's canvas. */
  constructor(list, { testid, label }) {
    this.list = list;
    this.testid = testid;
    this.label = label;
    this.byIndex = new Map();     // layer index → {figure, canvas, title}
  }

  /** The figure of each of `indexes` (ascending), built when the layers changed. */
  of(indexes) {
    if (indexes.join() !== [...this.byIndex.keys()].join()) this.#build(indexes);
    return indexes.map((index) => this.byIndex.get(index));
  }

  clear() {
    this.byIndex.clear();
    this.list.replaceChildren();
  }

  #build(indexes) {
    this.byIndex.clear();
    const figures = indexes.map((index) => {
      const figure = cloneTemplate("tpl-view-layer");
      const canvas = part(figure, "canvas");
      canvas.dataset.testid = this.testid(index);
      canvas.setAttribute("aria-label", this.label(index));
      this.byIndex.set(index, { figure, canvas, title: part(figure, "title") });
      return figure;
    });
    this.list.replaceChildren(...figures);
  }
}
