/**
 * Dataset chooser: the problem-type select (classification / regression of the 2-D sets), one
 * thumbnail button per 2-D set drawn from the preview endpoint, a second group for image and
 * table sets (a mosaic of sample images; iris as a small scatter), a third for sequence sets
 * (seqthumbs.js), and a classes selector for 2-D sets that allow more than two classes.
 *
 * Switching to a dataset of another family (or between image and table sets) remembers the
 * dataset-bound settings of the one left (DATASET_PATHS: its net, samples, loss, ...) and
 * restores those of the one chosen, or sends null so the server fills that dataset's defaults.
 * All 2-D sets share one memory: coming back restores the playground as it was.
 */
import { cloneTemplate, part, fitCanvas, getPath, setPath } from "../dom.js";
import { labelColor, cssColor, imageClassColor, LUTS } from "../colors.js";
import { drawImage } from "../widgets/pixels.js";
import { drawSeriesThumb, drawBitsThumb, drawTextThumb } from "./seqthumbs.js";
import {
  THUMB_POINT_RADIUS, THUMB_FILL, THUMB_BACKGROUND, LOSS, PREVIEW_URL, POINT_FAMILY, BINARY_CLASSES,
  DATASET_PATHS, PAGE_FAMILIES, IMAGE_VIEWS, SEQUENCE_FAMILY,
} from "../constants.js";

const TWO_PI = 2 * Math.PI;
const MOSAIC = IMAGE_VIEWS.thumbMosaic;
const UNAVAILABLE = "?";

function capitalise(word) {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Indexes of the two columns of `rows` with the largest variance (for a table's scatter). */
function widestColumns(rows) {
  const n = rows.length;
  const variance = rows[0].map((_, j) => {
    const mean = rows.reduce((sum, row) => sum + row[j], 0) / n;
    return rows.reduce((sum, row) => sum + (row[j] - mean) ** 2, 0);
  });
  return variance.map((v, j) => [v, j]).sort((a, b) => b[0] - a[0]).slice(0, 2).map(([, j]) => j);
}

export class DatasetsView {
  constructor(root, schema, store) {
    this.schema = schema;
    this.store = store;
    // Only the families this page has views for; the others wait for theirs.
    this.datasets = schema.datasets.filter((d) => PAGE_FAMILIES.includes(d.family || POINT_FAMILY));
    this.points = schema.datasets.filter((d) => (d.family || POINT_FAMILY) === POINT_FAMILY);
    this.extent = schema.grid.extent;
    this.container = root.querySelector('[data-testid="datasets"]');
    this.others = root.querySelector('[data-testid="datasets-other"]');
    this.sequences = root.querySelector('[data-testid="datasets-sequences"]');
    this.problemSelect = root.querySelector('[data-testid="problem"]');
    this.classesSlot = root.querySelector(".classes-slot");
    this.classesSelect = root.querySelector('[data-testid="classes"]');
    this.name = root.querySelector('[data-testid="dataset-name"]');
    this.description = root.querySelector('[data-testid="dataset-description"]');
    this.buttons = new Map();
    this.previews = new Map();
    this.lastByProblem = {};
    this.memory = new Map();      // memory key → {path: value} of DATASET_PATHS
    this.drawn = new Map();
    this.#build();
  }

  #build() {
    const problems = [...new Set(this.points.map((d) => d.problem))];
    for (const problem of problems) {
      const option = cloneTemplate("tpl-option");
      option.value = problem;
      option.textContent = capitalise(problem);
      this.problemSelect.append(option);
    }
    this.problemSelect.addEventListener("change", () => this.#chooseProblem(this.problemSelect.value));
    for (const dataset of this.datasets) {
      const point = (dataset.family || POINT_FAMILY) === POINT_FAMILY;
      const button = cloneTemplate(point ? "tpl-dataset" : "tpl-dataset-named");
      button.dataset.testid = `dataset-${dataset.name}`;
      button.setAttribute("aria-label", `Dataset: ${dataset.label}`);
      button.title = dataset.description ? `${dataset.label}: ${dataset.description}` : dataset.label;
      if (!point) part(button, "label").textContent = dataset.label;
      button.addEventListener("click", () => this.choose(dataset.name));
      const group = dataset.family === SEQUENCE_FAMILY ? this.sequences : this.others;
      (point ? this.container : group).append(button);
      this.buttons.set(dataset.name, { button, canvas: part(button, "thumb"), dataset, point });
    }
    this.classesSelect.addEventListener("change", () => {
      const k = Number(this.classesSelect.value);
      this.store.update((spec) => {
        spec.data.classes = k;
        if (k > BINARY_CLASSES && spec.training.loss === LOSS.mse) spec.training.loss = LOSS.crossEntropy;
      });
    });
  }

  #info(name) {
    return this.datasets.find((d) => d.name === name);
  }

  #chooseProblem(problem) {
    const first = this.points.find((d) => d.problem === problem);
    this.choose(this.lastByProblem[problem] || first.name);
  }

  /** All 2-D sets share one memory; every image or table set has its own. */
  #memoryKey(info) {
    return (info.family || POINT_FAMILY) === POINT_FAMILY ? POINT_FAMILY : info.name;
  }

  choose(name) {
    const info = this.#info(name);
    this.store.update((spec) => {
      const before = this.#info(spec.data.dataset);
      spec.data.dataset = name;
      if (before && this.#memoryKey(before) !== this.#memoryKey(info)) this.#swapSettings(spec, before, info);
      if (info.problem === "classification" && spec.data.classes > info.max_classes) {
        spec.data.classes = info.max_classes;
      }
    });
  }

  /** Remember the dataset-bound settings of `before`; restore or reset those of `after`. */
  #swapSettings(spec, before, after) {
    const kept = {};
    for (const path of DATASET_PATHS) kept[path] = structuredClone(getPath(spec, path));
    this.memory.set(this.#memoryKey(before), kept);
    const restore = this.memory.get(this.#memoryKey(after)) || {};
    for (const path of DATASET_PATHS) setPath(spec, path, restore[path] ?? null);
    // Fields that do not apply to the new family go back to their defaults too.
    const family = after.family || POINT_FAMILY;
    for (const [path, field] of Object.entries(this.schema.fields)) {
      if (field.families && !field.families.includes(family) && getPath(spec, path) !== undefined) {
        setPath(spec, path, null);
      }
    }
  }

  render(spec) {
    const current = this.#info(spec.data.dataset) || this.datasets[0];
    const point = (current.family || POINT_FAMILY) === POINT_FAMILY;
    const problem = point ? current.problem : this.problemSelect.value || current.problem;
    if (point) this.lastByProblem[current.problem] = current.name;
    this.problemSelect.value = problem;
    this.name.textContent = current.label;
    this.description.textContent = current.description ? `: ${current.description}` : "";
    const multi = point && current.problem === "classification"
      && (current.max_classes || BINARY_CLASSES) > BINARY_CLASSES;
    this.classesSlot.hidden = !multi;
    if (multi) this.#renderClasses(current, spec.data.classes);
    for (const { button, canvas, dataset, point: isPoint } of this.buttons.values()) {
      button.hidden = isPoint && dataset.problem !== problem;
      const selected = dataset.name === current.name;
      button.setAttribute("aria-pressed", String(selected));
      const k = selected && multi ? spec.data.classes : BINARY_CLASSES;
      if (!button.hidden) this.#drawThumb(canvas, dataset, k);
    }
  }

  #renderClasses(dataset, k) {
    if (this.classesSelect.dataset.max !== String(dataset.max_classes)) {
      this.classesSelect.replaceChildren();
      for (let n = BINARY_CLASSES; n <= dataset.max_classes; n += 1) {
        const option = cloneTemplate("tpl-option");
        option.value = String(n);
        option.textContent = String(n);
        this.classesSelect.append(option);
      }
      this.classesSelect.dataset.max = String(dataset.max_classes);
    }
    this.classesSelect.value = String(k);
  }

  /** The preview body, or null when the server cannot show this dataset (e.g. no MNIST files). */
  #preview(name, k) {
    const key = `${name}|${k}`;
    if (!this.previews.has(key)) {
      this.previews.set(key, fetch(PREVIEW_URL(name, k)).then((response) => (response.ok ? response.json() : null)));
    }
    return this.previews.get(key);
  }

  async #drawThumb(canvas, dataset, k) {
    const key = `${dataset.name}|${k}|${canvas.clientWidth}`;
    if (this.drawn.get(canvas) === key) return;
    this.drawn.set(canvas, key);
    const preview = await this.#preview(dataset.name, k);
    if (!preview) this.#drawUnavailable(canvas);
    else if (preview.images) this.#drawImages(canvas, preview);
    else if (preview.rows) this.#drawTable(canvas, preview);
    else if (preview.series) drawSeriesThumb(canvas, preview);
    else if (preview.bits) drawBitsThumb(canvas, preview);
    else if (preview.text) drawTextThumb(canvas, preview);
    else this.#drawPoints(canvas, dataset, k, preview);
  }

  #drawPoints(canvas, dataset, k, preview) {
    const { ctx, width, height } = fitCanvas(canvas);
    ctx.fillStyle = THUMB_BACKGROUND;
    ctx.fillRect(0, 0, width, height);
    const style = { problem: dataset.problem, classes: k };
    const e = this.extent;
    // 1-D sets: the preview's points are (x, 0) and the labels are the targets y.
    const oneD = dataset.dims === 1;
    const ys = oneD ? preview.labels : preview.points.map((p) => p[1]);
    const [yLow, yHigh] = oneD ? [Math.min(...ys), Math.max(...ys)] : [-e, e];
    const span = (v, low, high, size) => size * ((1 - THUMB_FILL) / 2 + THUMB_FILL * ((v - low) / ((high - low) || 1)));
    preview.points.forEach((point, i) => {
      ctx.fillStyle = cssColor(labelColor(preview.labels[i], style));
      ctx.beginPath();
      ctx.arc(span(point[0], -e, e, width), height - span(ys[i], yLow, yHigh, height), THUMB_POINT_RADIUS, 0, TWO_PI);
      ctx.fill();
    });
  }

  /** A 2 × 2 mosaic of sample images, each drawn crisp on a small canvas, then composed. */
  #drawImages(canvas, preview) {
    const { ctx, width, height } = fitCanvas(canvas);
    ctx.fillStyle = THUMB_BACKGROUND;
    ctx.fillRect(0, 0, width, height);
    ctx.imageSmoothingEnabled = false;
    const cell = width / MOSAIC;
    const tile = document.createElement("canvas");
    // Different classes where the preview has them, so the mosaic shows the set's variety.
    const seen = new Set();
    const picks = [];
    preview.labels.forEach((label, i) => { if (!seen.has(label)) { seen.add(label); picks.push(i); } });
    for (let n = 0; n < MOSAIC * MOSAIC && n < preview.images.length; n += 1) {
      const rows = preview.images[picks[n] ?? n];
      const h = rows.length;
      const w = rows[0].length;
      drawImage(tile, Uint8Array.from(rows.flat()), h, w, LUTS.ink, w);
      const x = (n % MOSAIC) * cell;
      const y = Math.floor(n / MOSAIC) * cell;
      ctx.drawImage(tile, x + 1, y + 1, cell - 2, cell - 2);
    }
  }

  /** A table: its two widest columns as a scatter, coloured by class. */
  #drawTable(canvas, preview) {
    const { ctx, width, height } = fitCanvas(canvas);
    ctx.fillStyle = THUMB_BACKGROUND;
    ctx.fillRect(0, 0, width, height);
    const [a, b] = widestColumns(preview.rows);
    const xs = preview.rows.map((row) => row[a]);
    const ys = preview.rows.map((row) => row[b]);
    const fit = (v, values, size) => {
      const low = Math.min(...values);
      const high = Math.max(...values);
      return size * ((1 - THUMB_FILL) / 2 + THUMB_FILL * ((v - low) / ((high - low) || 1)));
    };
    const radius = THUMB_POINT_RADIUS * 2;
    preview.rows.forEach((_, i) => {
      ctx.fillStyle = cssColor(imageClassColor(preview.labels[i]));
      ctx.beginPath();
      ctx.arc(fit(xs[i], xs, width), height - fit(ys[i], ys, height), radius, 0, TWO_PI);
      ctx.fill();
    });
  }

  #drawUnavailable(canvas) {
    const { ctx, width, height } = fitCanvas(canvas);
    ctx.fillStyle = THUMB_BACKGROUND;
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = getComputedStyle(canvas).color;
    ctx.font = `700 ${Math.round(height / 2)}px ${getComputedStyle(canvas).fontFamily}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(UNAVAILABLE, width / 2, height / 2);
  }
}

