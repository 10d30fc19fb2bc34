/**
 * Renders every scalar spec control from the schema: selects for enums and for numbers with a
 * list of choices, a slider plus a number box for bounded numbers, a checkbox for booleans. A
 * field lands in the template's slot [data-field="path"] or, when the page has none, in the
 * "extra" area. Bounds, steps, choices and labels all come from the schema; a slot in a tight
 * place (the run bar) may show a shorter label (data-short-label, with the schema's as the
 * control's title) and a unit after its numeric choices (data-unit).
 */
import { cloneTemplate, part, testIdFor, getPath, formatNumber } from "../dom.js";
import {
  OWNED_PATHS, OWNED_PATH_MARK, SLIDER_DIGITS, SLIDER_MAX_STEPS, POINT_FAMILY,
} from "../constants.js";

function isOwnedElsewhere(path) {
  return OWNED_PATHS.includes(path) || path.includes(OWNED_PATH_MARK);
}

function optionElement(value, text) {
  const option = cloneTemplate("tpl-option");
  option.value = String(value);
  option.textContent = text;
  return option;
}

export class ControlsView {
  constructor(root, schema, store) {
    this.root = root;
    this.schema = schema;
    this.store = store;
    this.controls = new Map();   // path → {field, input, range, kind}
    this.#build();
  }

  #build() {
    const paths = Object.keys(this.schema.fields).filter((path) => !isOwnedElsewhere(path));
    const lastNames = paths.map((path) => path.split(".").pop());
    const extra = part(this.root, "extra");
    for (const path of paths) {
      const field = this.schema.fields[path];
      const duplicate = lastNames.filter((name) => name === path.split(".").pop()).length > 1;
      let slot = this.root.querySelector(`.slot[data-field="${path}"]`);
      if (!slot) {
        slot = document.createElement("div");
        slot.className = "slot";
        slot.dataset.field = path;
        extra.append(slot);
      }
      slot.dataset.errorFor = path;
      const control = this.#makeControl(path, field, testIdFor(path, duplicate), slot.dataset);
      if (control) {
        slot.append(control.element);
        slot.dataset.hideLabel = field.label || path;
      }
    }
    // Template slots for fields this server's schema does not have stay out of sight.
    for (const slot of this.root.querySelectorAll(".slot[data-field]")) {
      const path = slot.dataset.field;
      if (path.includes(".") && !isOwnedElsewhere(path) && !this.schema.fields[path]) slot.hidden = true;
    }
  }

  #makeControl(path, field, testId, { shortLabel = "", unit = "" } = {}) {
    let kind;
    const numeric = field.type === "integer" || field.type === "number";
    const bounded = field.min != null && field.max != null;
    if (field.type === "bool" || field.type === "boolean") kind = "checkbox";
    else if (field.type === "enum" || Array.isArray(field.choices)) kind = "select";
    else if (numeric && bounded && (field.max - field.min) / (field.step ?? 1) <= SLIDER_MAX_STEPS) kind = "slider";
    else if (numeric) kind = "number";
    else return null;

    const element = cloneTemplate(`tpl-${kind}`);
    const input = part(element, "input");
    const label = part(element, "label");
    const id = `control-${testId}`;
    input.id = id;
    input.dataset.testid = testId;
    input.dataset.path = path;
    label.htmlFor = id;
    label.textContent = shortLabel || field.label || path;
    if (shortLabel) input.title = [field.label, field.help].filter(Boolean).join(": ");
    if (field.live === false) element.title = "Changing this restarts training";
    const control = { field, kind, input, range: part(element, "range"), element };

    if (kind === "select") {
      for (const choice of field.choices) {
        const text = field.labels?.[choice] ?? (typeof choice === "number" ? `${formatNumber(choice, SLIDER_DIGITS)}${unit}` : choice);
        input.append(optionElement(choice, text));
      }
      input.addEventListener("change", () => this.store.set(path, this.#parse(field, input.value)));
    } else if (kind === "checkbox") {
      input.addEventListener("change", () => this.store.set(path, input.checked));
    } else {
      this.#bindNumber(path, field, control, label.textContent);
    }
    this.controls.set(path, control);
    return control;
  }

  #bindNumber(path, field, control, labelText) {
    const { input, range } = control;
    const step = field.step ?? (field.type === "integer" ? 1 : "any");
    for (const box of [input, range].filter(Boolean)) {
      box.min = String(field.min ?? "");
      box.max = String(field.max ?? "");
      box.step = String(step);
    }
    // The number box accepts any typing: out-of-range values go to the server, which explains them.
    input.removeAttribute("min");
    input.removeAttribute("max");
    if (range) {
      range.setAttribute("aria-label", `${labelText} slider`);
      range.dataset.testid = `${input.dataset.testid}-slider`;
      range.addEventListener("input", () => { input.value = range.value; });
      range.addEventListener("change", () => this.store.set(path, Number(range.value)));
    }
    input.addEventListener("change", () => {
      if (input.value.trim() === "") return;
      this.store.set(path, Number(input.value));
    });
  }

  #parse(field, raw) {
    if (field.type === "enum") {
      const match = field.choices.find((choice) => String(choice) === raw);
      return match === undefined ? raw : match;
    }
    return Number(raw);
  }

  /** Whether a field means anything for the dataset: its family (the schema field's
   * `families`), how it is held out (`splits`: MNIST keeps its files' own split) and what the
   * dataset ignores (`ignores`: no noise on real data, no sample count for your own points). */
  #applies(path, field, spec) {
    const dataset = this.schema.datasets.find((d) => d.name === spec.data.dataset);
    const family = dataset?.family || POINT_FAMILY;
    const split = !field.splits || !dataset || field.splits.includes(dataset.split);
    const ignored = path.startsWith("data.") && (dataset?.ignores || []).includes(path.slice(5));
    return split && !ignored && (!field.families || field.families.includes(family));
  }

  /** Show the spec's values; a box the user is correcting (aria-invalid) keeps what they typed. */
  render(spec) {
    for (const [path, control] of this.controls) {
      control.element.closest(".slot").classList.toggle("not-applicable", !this.#applies(path, control.field, spec));
      const value = getPath(spec, path);
      if (value === undefined) continue;
      const { input, range, kind } = control;
      if (kind === "checkbox") {
        input.checked = Boolean(value);
      } else if (kind === "select") {
        if (![...input.options].some((option) => option.value === String(value))) {
          input.append(optionElement(value, formatNumber(value, SLIDER_DIGITS)));
        }
        input.value = String(value);
      } else {
        if (input.getAttribute("aria-invalid") !== "true") input.value = String(value);
        if (range) range.value = String(value);
      }
    }
  }
}
