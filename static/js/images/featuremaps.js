/**
 * Feature maps of the test example a person picked, through every layer (frame arrays
 * `fmap.<layer>` [C, H, W] or [units], `sample` uint8 [H, W], `sample_probs` [k] and scalar
 * `sample: {index, label}`). The example is drawn large with what the network says about it;
 * each layer's maps on the viridis scale, each layer scaled to its own range.
 */
import { cloneTemplate, part, sizeOf } from "../dom.js";
import { LUTS } from "../colors.js";
import { activationTiles, mosaicLayout, shapeText, layerNamer, sameValues } from "../tensors.js";
import { drawTiles, drawImage, drawLegendBar } from "../widgets/pixels.js";
import { PanelView } from "../widgets/panelview.js";
import { LayerFigures } from "./layerfigures.js";
import { classNames, percent } from "./tiles.js";
import { IMAGE_VIEWS } from "../constants.js";

const PREFIX = "fmap.";

export class FeatureMapsView extends PanelView {
  constructor(panel, schema, store, onStep) {
    super(panel);
    this.store = store;
    this.layerName = layerNamer(schema.layer_kinds);
    this.list = part(panel, "list");
    this.image = panel.querySelector('[data-testid="sample-image"]');
    this.caption = panel.querySelector('[data-testid="sample-caption"]');
    this.probs = panel.querySelector('[data-testid="sample-probs"]');
    this.figures = new LayerFigures(this.list, {
      testid: (index) => `fmap-canvas-${index}`, label: (index) => `What layer ${index + 1} makes of the example`,
    });
    panel.querySelector('[data-testid="sample-next"]').addEventListener("click", () => onStep(1));
    panel.querySelector('[data-testid="sample-prev"]').addEventListener("click", () => onStep(-1));
    drawLegendBar(panel.querySelector('[data-part="bar"]'), LUTS.viridis);
  }

  update(frame) {
    const maps = Object.keys(frame.arrays).filter((name) => name.startsWith(PREFIX));
    if (!maps.length) return;
    this.keep({
      maps: new Map(maps.map((name) => [Number(name.slice(PREFIX.length)), frame.arrays[name]])),
      sample: frame.arrays.sample || null,
      probs: frame.arrays.sample_probs || null,
      info: frame.sample || null,
    });
  }

  /** The same example through the same weights: nothing to draw again. */
  same(kept, incoming) {
    return kept.info?.index === incoming.info?.index && kept.maps.size === incoming.maps.size
      && [...incoming.maps].every(([index, array]) => sameValues(kept.maps.get(index)?.data, array.data));
  }

  render() {
    this.last = null;     // the layers changed: old maps would be drawn under new titles
  }

  draw() {
    if (!this.last) return;
    const { maps, sample, probs, info } = this.last;
    const nameOf = classNames(this.store.dataset());
    this.image.hidden = !sample;
    if (sample) {
      const [h, w] = sample.shape;
      drawImage(this.image, sample.data, h, w, LUTS.ink, IMAGE_VIEWS.sampleSize);
    }
    this.caption.textContent = info?.drawn ? "Your drawing, as the network reads it"
      : info ? `Test example #${info.index} · true class: ${nameOf(info.label)}` : "";
    this.#drawProbs(probs, nameOf);
    const indexes = [...maps.keys()].sort((a, b) => a - b);
    const figures = this.figures.of(indexes);
    const available = sizeOf(this.list).width;
    for (const [n, index] of indexes.entries()) {
      const array = maps.get(index);
      const { canvas, title } = figures[n];
      const tiles = activationTiles(array, IMAGE_VIEWS.denseColumns);
      const layout = mosaicLayout(tiles.count, tiles.h, tiles.w, available, {
        gap: IMAGE_VIEWS.tileGap, minTile: IMAGE_VIEWS.minTile, maxScale: IMAGE_VIEWS.maxScale,
      });
      drawTiles(canvas, tiles, LUTS.viridis, { ...layout, gap: IMAGE_VIEWS.tileGap });
      const kind = this.store.spec?.model.layers[index]?.kind;
      const units = array.shape.length === 1 ? " units" : "";
      title.textContent = `${this.layerName(index, kind, "Bottleneck")} · ${shapeText(array.shape)}${units}`;
    }
  }

  #drawProbs(probs, nameOf) {
    if (!probs) {
      this.probs.replaceChildren();
      return;
    }
    const order = [...probs.data.keys()].sort((a, b) => probs.data[b] - probs.data[a]).slice(0, IMAGE_VIEWS.topProbs);
    this.probs.replaceChildren(...order.map((k, rank) => {
      const item = cloneTemplate("tpl-prob");
      part(item, "name").textContent = nameOf(k);
      part(item, "value").textContent = percent(probs.data[k]);
      part(item, "fill").style.width = percent(probs.data[k]);
      item.classList.toggle("top", rank === 0);
      return item;
    }));
  }
}
