/**
 * Shows the server's errors [{path, message}] next to the control whose spec path they name:
 * the element marked data-error-for with the longest matching path prefix (the page-wide area
 * data-error-for="" takes the rest). Each message has role="alert" and data-testid="error-<path>";
 * the control inside is marked aria-invalid until the next good answer clears everything.
 */
import { cloneTemplate } from "../dom.js";

function covers(prefix, path) {
  if (prefix === "") return true;
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

export class ErrorsView {
  constructor(root) {
    this.root = root;
    this.shown = [];
  }

  show(errors) {
    this.#clear();
    for (const error of errors) {
      const path = error.path || "";
      const target = this.#targetFor(path);
      const message = cloneTemplate("tpl-error");
      message.textContent = error.message;
      message.dataset.testid = `error-${path || "general"}`;
      message.id = `error-${this.shown.length}`;
      target.append(message);
      this.shown.push(message);
      for (const input of target.querySelectorAll("input, select")) {
        if (input.closest("[data-error-for]") !== target) continue;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-errormessage", message.id);
      }
    }
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
