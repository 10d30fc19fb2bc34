/**
 * Save in the "Your model" panel: a small form (title and description, both optional; the
 * server names any limit it has) that sends `save` and then shows the share link: the full
 * /e/<id> address, selectable, with a Copy button.
 */
import { part, cloneTemplate } from "../dom.js";
import { COPY_FEEDBACK_MS } from "../constants.js";

const FIELDS = ["title", "description"];

export class SaveView {
  constructor(root, store) {
    this.store = store;
    const panel = root.querySelector('[data-testid="model-actions"]');
    this.el = Object.fromEntries(
      ["save", "save-form", "save-title", "save-description", "save-submit", "save-cancel", "errors-title",
        "errors-description", "errors-other", "share", "share-url", "share-copy", "share-open", "share-status"]
        .map((name) => [name, part(panel, name)]));
    this.busy = false;
    this.sessionId = null;
    this.el.save.addEventListener("click", () => this.#toggle(this.el["save-form"].hidden));
    this.el["save-cancel"].addEventListener("click", () => this.#toggle(false));
    this.el["save-form"].addEventListener("submit", (event) => {
      event.preventDefault();
      this.#submit();
    });
    this.el["share-copy"].addEventListener("click", () => this.#copy());
    this.el["share-url"].addEventListener("focus", () => this.el["share-url"].select());
  }

  render() {
    if (this.store.sessionId !== this.sessionId) {      // a new session: its link is not this one
      this.sessionId = this.store.sessionId;
      this.el.share.hidden = true;
    }
    this.#setBusy(this.busy);
  }

  update() {}

  #toggle(open) {
    this.el["save-form"].hidden = !open;
    this.el.save.setAttribute("aria-expanded", String(open));
    if (open) {
      this.el.share.hidden = true;
      this.el["save-title"].focus();
    }
  }

  #setBusy(busy) {
    this.busy = busy;
    const ready = !busy && Boolean(this.store.sessionId);
    this.el.save.disabled = !ready;
    this.el["save-submit"].disabled = !ready;
    this.el["save-submit"].setAttribute("aria-busy", String(busy));
  }

  async #submit() {
    if (this.busy) return;
    this.#setBusy(true);
    this.#showErrors([]);
    const answer = await this.store.connection.request("save", {
      title: this.el["save-title"].value.trim(),
      description: this.el["save-description"].value.trim(),
    });
    this.#setBusy(false);
    if (!answer.ok) {
      this.#showErrors(answer.errors || []);
      return;
    }
    const url = new URL(answer.url, location.origin).href;
    this.el["share-url"].value = url;
    this.el["share-open"].href = url;
    this.el["share-status"].textContent = "";
    this.#toggle(false);
    this.el["save-title"].value = "";
    this.el["save-description"].value = "";
    this.el.share.hidden = false;
    this.el["share-url"].focus();
  }

  /** Errors naming title or description go under that field; the rest below both. */
  #showErrors(errors) {
    const byField = { title: [], description: [], other: [] };
    for (const error of errors) (byField[FIELDS.includes(error.path) ? error.path : "other"]).push(error);
    for (const [field, list] of Object.entries(byField)) {
      this.el[`errors-${field}`].replaceChildren(...list.map((error) => {
        const item = cloneTemplate("tpl-error");
        const text = error.message || "";
        item.textContent = text.charAt(0).toUpperCase() + text.slice(1);
        item.dataset.testid = `save-error-${field}`;
        return item;
      }));
      const input = this.el[`save-${field}`];
      if (input) input.setAttribute("aria-invalid", String(list.length > 0));
    }
  }

  async #copy() {
    const input = this.el["share-url"];
    input.select();
    let copied = false;
    try {
      await navigator.clipboard.writeText(input.value);
      copied = true;
    } catch {
      copied = document.execCommand?.("copy") ?? false;     // no clipboard API (http, old browser)
    }
    this.el["share-status"].textContent = copied ? "Link copied." : "Select the link and copy it (Ctrl+C).";
    clearTimeout(this.copyTimer);
    this.copyTimer = setTimeout(() => { this.el["share-status"].textContent = ""; }, COPY_FEEDBACK_MS);
  }
}
