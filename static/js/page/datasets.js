/**
 * Dataset chooser: the problem-type select (classification / regression of the 2-D sets), one
 * thumbnail button per 2-D set drawn from the preview endpoint (datasetthumbs.js), a second group
 * for image and table sets, a third for sequence sets (both folded in "more datasets", open while
 * one of them is chosen), and a classes selector for 2-D sets that allow more than two classes.
 *
 * Switching to a dataset of another family (or between image and table sets) remembers the
 * dataset-bound settings of the one left (DATASET_PATHS: its net, samples, loss, ...) and
 * restores those of the one chosen, or sends null so the server fills that dataset's defaults.
 * All 2-D sets share one memory: coming back restores the playground as it was.
 */
import { cloneTemplate, part, getPath, setPath, showStill, editStill } from "../dom.js";
import { drawDatasetThumb } from "./datasetthumbs.js";
import {
  LOSS, PREVIEW_URL, POINT_FAMILY, BINARY_CLASSES, DATASET_PATHS, PAGE_FAMILIES, SEQUENCE_FAMILY,
} from "../constants.js";

function capitalise(word) {
  return word.charAt(0).toUpperCase() + word.slice(1);
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
    this.more = root.querySelector('[data-testid="more-datasets"]');
    this.pointShown = null;       // whether the chosen set was a 2-D one at the last render
    // Thumbnails in a closed group have no size yet: they are drawn when it opens.
    this.more.addEventListener("toggle", () => { if (this.more.open && this.store.spec) this.render(this.store.spec); });
    this.problemSelect = root.querySelector('[data-testid="problem"]');
    this.classesSlot = root.querySelector(".classes-slot");
    this.classesSelect = root.querySelector('[data-testid="classes"]');
    this.name = root.querySelector('[data-testid="dataset-name"]');
    this.description = root.querySelector('[data-testid="dataset-description"]');
    this.buttons = new Map();
    this.previews = new Map();
    this.lastByProblem = {};
    this.memory = new Map();      // memory key → {path: value} of DATASET_PATHS
    this.placed = new Map();      // hand-placed set → its points when another set was chosen
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
      if (dataset.upload) continue;          // chosen by uploading a file (page/uploads.js)
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
        // Hand-placed points of a class that no longer exists go.
        if (spec.data.points) spec.data.points = spec.data.points.filter((p) => p[2] < k);
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

  /** Choose dataset `name`; an uploaded set's `upload` is its id. Resolves false if refused. */
  choose(name, upload = null) {
    const info = this.#info(name);
    return this.store.update((spec) => {
      const before = this.#info(spec.data.dataset);
      spec.data.dataset = name;
      spec.data.upload = info.upload ? upload : null;
      if (before?.hand && before.name !== name) this.placed.set(before.name, spec.data.points);
      // Only hand-placed sets take points: their own, kept from the last visit, or the starter.
      if (before?.name !== name) spec.data.points = info.hand ? this.placed.get(name) ?? null : null;
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
    if (point !== this.pointShown) this.more.open = !point;     // a person may open it meanwhile
    this.pointShown = point;
    this.problemSelect.value = problem;
    this.name.textContent = current.label;
    this.description.textContent = current.description ? `: ${current.description}` : "";
    if (spec.data.text) {               // the character model on a person's own text
      this.name.textContent = "Your own text";
      this.description.textContent = `: ${spec.data.text.length.toLocaleString("en")} characters of it, `
        + `${spec.data.classes} different ones; predict the next character.`;
    }
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
      const forget = () => { this.previews.delete(key); return null; };   // the server was away: ask again next time
      this.previews.set(key, fetch(PREVIEW_URL(name, k))
        .then((response) => (response.ok ? response.json() : null), forget));
    }
    return this.previews.get(key);
  }

  async #drawThumb(canvas, dataset, k) {
    const key = `${dataset.name}|${k}|${canvas.clientWidth}`;
    if (this.drawn.get(canvas) === key) return;
    this.drawn.set(canvas, key);
    const preview = await this.#preview(dataset.name, k);
    editStill(canvas);
    drawDatasetThumb(canvas, preview, { dataset, classes: k, gridExtent: this.extent });
    showStill(canvas);
  }
}
