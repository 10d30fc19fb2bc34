/**
 * Dataset chooser: the problem-type select (classification / regression, taken from the schema's
 * datasets), one thumbnail button per dataset drawn on a small canvas from the preview endpoint,
 * and a classes selector for datasets that allow more than two classes.
 */
import { cloneTemplate, part, fitCanvas } from "../dom.js";
import { labelColor, cssColor } from "../colors.js";
import {
  THUMB_POINT_RADIUS, THUMB_FILL, THUMB_BACKGROUND, LOSS, PREVIEW_URL, POINT_FAMILY, BINARY_CLASSES,
} from "../constants.js";

const TWO_PI = 2 * Math.PI;

function capitalise(word) {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export class DatasetsView {
  constructor(root, schema, store) {
    // This page draws 2-D point sets; other families (images, tables) need views of their own.
    this.datasets = schema.datasets.filter((d) => (d.family || POINT_FAMILY) === POINT_FAMILY);
    this.schema = schema;
    this.store = store;
    this.extent = schema.grid.extent;
    this.container = root.querySelector('[data-testid="datasets"]');
    this.problemSelect = root.querySelector('[data-testid="problem"]');
    this.classesSlot = root.querySelector(".classes-slot");
    this.classesSelect = root.querySelector('[data-testid="classes"]');
    this.name = root.querySelector('[data-testid="dataset-name"]');
    this.description = root.querySelector('[data-testid="dataset-description"]');
    this.buttons = new Map();
    this.previews = new Map();
    this.lastByProblem = {};
    this.drawn = new Map();
    this.#build();
  }

  #build() {
    const problems = [...new Set(this.datasets.map((d) => d.problem))];
    for (const problem of problems) {
      const option = cloneTemplate("tpl-option");
      option.value = problem;
      option.textContent = capitalise(problem);
      this.problemSelect.append(option);
    }
    this.problemSelect.addEventListener("change", () => this.#chooseProblem(this.problemSelect.value));
    for (const dataset of this.datasets) {
      const button = cloneTemplate("tpl-dataset");
      button.dataset.testid = `dataset-${dataset.name}`;
      button.setAttribute("aria-label", `Dataset: ${dataset.label}`);
      button.title = dataset.label;
      button.addEventListener("click", () => this.choose(dataset.name));
      this.container.append(button);
      this.buttons.set(dataset.name, { button, canvas: part(button, "thumb"), dataset });
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
    const first = this.datasets.find((d) => d.problem === problem);
    this.choose(this.lastByProblem[problem] || first.name);
  }

  choose(name) {
    const info = this.#info(name);
    this.store.update((spec) => {
      spec.data.dataset = name;
      if (info.problem === "classification" && spec.data.classes > info.max_classes) {
        spec.data.classes = info.max_classes;
      }
    });
  }

  render(spec) {
    const current = this.#info(spec.data.dataset) || this.datasets[0];
    this.lastByProblem[current.problem] = current.name;
    this.problemSelect.value = current.problem;
    this.name.textContent = current.label;
    this.description.textContent = current.description ? `: ${current.description}` : "";
    const multi = current.problem === "classification" && (current.max_classes || BINARY_CLASSES) > BINARY_CLASSES;
    this.classesSlot.hidden = !multi;
    if (multi) this.#renderClasses(current, spec.data.classes);
    for (const { button, canvas, dataset } of this.buttons.values()) {
      button.hidden = dataset.problem !== current.problem;
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

  #preview(name, k) {
    const key = `${name}|${k}`;
    if (!this.previews.has(key)) {
      this.previews.set(key, fetch(PREVIEW_URL(name, k)).then((response) => {
        if (!response.ok) throw new Error(`preview of ${name}: HTTP ${response.status}`);
        return response.json();
      }));
    }
    return this.previews.get(key);
  }

  async #drawThumb(canvas, dataset, k) {
    const key = `${dataset.name}|${k}|${canvas.clientWidth}`;
    if (this.drawn.get(canvas) === key) return;
    this.drawn.set(canvas, key);
    const preview = await this.#preview(dataset.name, k);
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
}
