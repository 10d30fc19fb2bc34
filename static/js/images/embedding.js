/**
 * The autoencoder's views: the 2-D embedding of test examples as a plotly scatter, one trace
 * per class so the legend names them (frame arrays `embedding` float32 [n, 2] and
 * `embedding_labels` uint8 [n]), and original / reconstruction pairs (`originals`,
 * `reconstructions` uint8 [8, H, W]) drawn crisp on canvases.
 */
import { cloneTemplate, part, sizeOf, fontOf } from "../dom.js";
import { LUTS, imageClassColor, cssColor } from "../colors.js";
import { drawImage } from "../widgets/pixels.js";
import { PlotlyView } from "../widgets/panelview.js";
import { classNames } from "./tiles.js";
import { EMBED, CHART, IMAGE_VIEWS } from "../constants.js";

export class EmbeddingView extends PlotlyView {
  constructor(panel, store) {
    super(panel, "embedding-plot");
    this.store = store;
    this.originals = part(panel, "originals");
    this.reconstructions = part(panel, "reconstructions");
    new ResizeObserver(() => { if (this.created && !this.panel.hidden) window.Plotly.Plots.resize(this.plot); }).observe(this.plot);
  }

  update(frame) {
    const a = frame.arrays;
    if (!a.embedding) return;
    this.keep({ points: a.embedding, labels: a.embedding_labels, originals: a.originals, recon: a.reconstructions });
  }

  #layout() {
    const font = fontOf(this.plot);
    return {
      height: Math.round(Math.min(EMBED.maxHeight, Math.max(EMBED.minHeight, sizeOf(this.plot).width * EMBED.aspect))),
      margin: EMBED.margin,
      font: { size: CHART.font, family: font, color: CHART.colors.test },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: EMBED.background,
      showlegend: true,
      legend: { orientation: "v", x: 1.01, y: 1, font: { size: CHART.font } },
      xaxis: { zeroline: false, title: { text: "unit 1" } },
      yaxis: { zeroline: false, title: { text: "unit 2" } },
      uirevision: "keep",
    };
  }

  draw() {
    if (!this.last) return;
    const { points, labels } = this.last;
    const nameOf = classNames(this.store.dataset());
    const byClass = new Map();
    for (let i = 0; i < labels.data.length; i += 1) {
      const k = labels.data[i];
      if (!byClass.has(k)) byClass.set(k, { x: [], y: [] });
      byClass.get(k).x.push(points.data[2 * i]);
      byClass.get(k).y.push(points.data[2 * i + 1]);
    }
    const traces = [...byClass.keys()].sort((a, b) => a - b).map((k) => ({
      type: "scatter", mode: "markers", name: nameOf(k), x: byClass.get(k).x, y: byClass.get(k).y,
      marker: { size: EMBED.markerSize, color: cssColor(imageClassColor(k)), opacity: EMBED.opacity },
      hovertemplate: `${nameOf(k)}<extra></extra>`,
    }));
    this.react(traces, this.#layout());
    this.#drawPairs();
  }

  #drawPairs() {
    const { originals, recon } = this.last;
    if (!originals || !recon) return;
    this.#row(this.originals, originals, "Original");
    this.#row(this.reconstructions, recon, "Rebuilt");
  }

  #row(box, images, word) {
    const [n, h, w] = images.shape;
    while (box.children.length < n) {
      const canvas = cloneTemplate("tpl-recon");
      canvas.dataset.testid = `${word.toLowerCase()}-${box.children.length}`;
      canvas.setAttribute("aria-label", `${word} test example ${box.children.length + 1}`);
      box.append(canvas);
    }
    for (let i = 0; i < n; i += 1) {
      drawImage(box.children[i], images.data.subarray(i * h * w, (i + 1) * h * w), h, w, LUTS.ink, IMAGE_VIEWS.reconSize);
    }
  }
}
