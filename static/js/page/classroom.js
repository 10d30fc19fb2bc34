/**
 * What the URL's `view` part hides, and the classroom-link checklist that edits it. Every element
 * with data-hide-key="<TF name>" is hidden while view.hidden names it; view.hide_text hides the
 * header and explanatory text ([data-hide-text]). The checklist (presenter mode, "hide text",
 * then one box per schema `hideable` name) writes the view through the store, so the server's
 * hash — and the link shown — follow.
 */
import { cloneTemplate, part } from "../dom.js";

export class ClassroomView {
  constructor(root, schema, store) {
    this.root = root;
    this.schema = schema;
    this.store = store;
    const panel = root.querySelector('[data-testid="classroom"]');
    this.options = part(panel, "options");
    this.url = panel.querySelector('[data-testid="classroom-url"]');
    this.copy = panel.querySelector('[data-testid="copy-link"]');
    this.copy.addEventListener("click", () => this.#copyLink());
    this.boxes = new Map();
    this.presenterBox = this.#option("presenter", "Presenter mode (large type, colour-blind-safe colours)",
      (spec, on) => { spec.view.presenter = on; }, "classroom-presenter");
    this.textBox = this.#option("hideText", "Header and explanations", (spec, on) => { spec.view.hide_text = on; });
    for (const name of schema.hideable || []) {
      this.boxes.set(name, this.#option(name, name, (spec, on) => {
        const hidden = new Set(spec.view.hidden);
        if (on) hidden.add(name);
        else hidden.delete(name);
        spec.view.hidden = (schema.hideable || []).filter((n) => hidden.has(n));
      }));
    }
  }

  #option(name, text, apply, id = `hide-${name}`) {
    const option = cloneTemplate("tpl-hide-option");
    const input = part(option, "input");
    const label = part(option, "label");
    input.id = id;
    input.dataset.testid = id;
    label.htmlFor = input.id;
    label.textContent = text;
    input.addEventListener("change", () => this.store.update((spec) => apply(spec, input.checked)));
    this.options.append(option);
    return { input, label };
  }

  render(spec) {
    const hidden = new Set(spec.view.hidden || []);
    for (const element of this.root.querySelectorAll("[data-hide-key]")) {
      element.hidden = hidden.has(element.dataset.hideKey);
    }
    document.body.classList.toggle("hide-text", Boolean(spec.view.hide_text));
    this.textBox.input.checked = Boolean(spec.view.hide_text);
    this.presenterBox.input.checked = Boolean(spec.view.presenter);
    for (const [name, { input, label }] of this.boxes) {
      input.checked = hidden.has(name);
      const target = this.root.querySelector(`[data-hide-key="${name}"]`);
      label.textContent = target?.dataset.hideLabel || target?.getAttribute("aria-label") || name;
    }
    this.url.value = location.href;
  }

  async #copyLink() {
    this.url.select();
    await navigator.clipboard?.writeText(this.url.value).catch(() => undefined);
  }
}
