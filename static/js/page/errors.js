/**
 * Shows the server's errors [{path, message}] next to the control whose spec path they name:
 * the element marked data-error-for with the longest matching path prefix (the page-wide area
 * data-error-for="" takes the rest). Each message has role="alert" and data-testid="error-<path>";
 * the control inside is marked aria-invalid until the next good answer clears everything.
 * A target inside a [data-error-box] (a layer card) shows its message at the end of that box,
 * so a narrow field's error spans the whole card.
 *
 * A student reads the control's name, not the spec path the API speaks: every field path in a
 * message (training.batch_size, model.layers[2].units) is written as its label from the schema
 * ("Batch size", "Layer 3 neurons"); the path stays in data-testid and in the API.
 */
import { cloneTemplate } from "../dom.js";

const LAYER_PATH = /model\.layers\[(\d+)\]\.([a-z_]+)/g;

/** `message` with every schema field path in it replaced by that field's label. */
export function readable(message, fields) {
  let text = message.replace(LAYER_PATH, (path, index, name) => {
    const label = fields[`model.layers[].${name}`]?.label;
    return label ? `Layer ${Number(index) + 1} ${label.toLowerCase()}` : path;
  });
  const paths = Object.keys(fields).filter((path) => !path.includes("[")).sort((a, b) => b.length - a.length);
  for (const path of paths) {
    if (text.includes(path)) text = text.split(path).join(fields[path].label || path);
  }
  return text;
}

function covers(prefix, path) {
  if (prefix === "") return true;
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

export class ErrorsView {
  constructor(root, fields = {}) {
    this.root = root;
    this.fields = fields;
    this.shown = [];
  }

  show(errors) {
    this.#clear();
    for (const error of errors) {
      const path = error.path || "";
      const target = this.#targetFor(path);
      const message = cloneTemplate("tpl-error");
      const box = target.closest("[data-error-box]");
      const text = box ? this.#inBox(error.message, path, target) : error.message;
      message.textContent = readable(text, this.fields);
      message.dataset.testid = `error-${path || "general"}`;
      message.id = `error-${this.shown.length}`;
      (box || target).append(message);
      this.shown.push(message);
      for (const input of target.querySelectorAll("input, select")) {
        if (input.closest("[data-error-for]") !== target) continue;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-errormessage", message.id);
      }
    }
  }

  /** Inside a box (a layer card) the path is known: name the field by its label instead. */
  #inBox(text, path, target) {
    const rest = text.startsWith(`${path}: `) ? text.slice(path.length + 2) : text;
    const label = target.querySelector("label");
    const name = label?.title || label?.textContent;
    return name ? `${name}: ${rest}` : rest;
  }

  #targetFor(path) {
    let best = null;
    for (const candidate of this.root.querySelectorAll("[data-error-for]")) {
      const prefix = candidate.dataset.errorFor;
      if (!covers(prefix, path) || candidate.closest("[hidden]")) continue;
      if (!best || prefix.length > best.dataset.errorFor.length) best = candidate;
    }
    return best;
  }

  #clear() {
    this.shown.forEach((message) => message.remove());
    this.shown = [];
    for (const input of this.root.querySelectorAll("[aria-invalid]")) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-errormessage");
    }
  }
}
