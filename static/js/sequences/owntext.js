/**
 * "Your own text" under the character model's dataset: paste text or load a .txt file (UTF-8),
 * optionally lower-cased, and the spec's `data.text` becomes it (the server checks it and names
 * any bad character by its position; the message shows here). The caps come from /api/schema
 * (limits.text). A text longer than a link carries is left out of the address: the page says
 * so, and keeps this tab on its session through a reload.
 */
import { part } from "../dom.js";
import { OWN_TEXT } from "../constants.js";

const count = (n) => n.toLocaleString("en");

export class OwnTextView {
  constructor(root, schema, store) {
    this.store = store;
    this.limits = schema.limits.text;
    this.box = root.querySelector('[data-testid="own-text"]');
    this.input = this.box.querySelector('[data-testid="own-text-box"]');
    this.lower = part(this.box, "lower");
    this.status = part(this.box, "status");
    this.link = part(this.box, "link");
    this.shown = null;               // the spec text the box was last filled with
    const l = this.limits;
    part(this.box, "caps").textContent = `${count(l.min_chars)} to ${count(l.max_chars)} characters `
      + `(${count(l.max_bytes / 1000)} KB in UTF-8), at most ${l.max_vocab} different ones. Line ends and `
      + `tabs become new lines and spaces; other control characters are refused.`;
    part(this.box, "use").addEventListener("click", () => this.#use(this.input.value));
    part(this.box, "rhymes").addEventListener("click", () => this.#use(""));
    const file = part(this.box, "file");
    file.addEventListener("change", async () => {
      const chosen = file.files[0];
      file.value = "";                 // the same file chosen again reloads it
      if (chosen) await this.#load(chosen);
    });
  }

  render(spec) {
    const isText = Boolean(this.store.dataset()?.vocab?.length);
    if (!isText) {
      this.box.hidden = true;
      return;
    }
    const text = spec.data.text || "";
    if (text !== this.shown) {         // a new text from the server (a link, a saved run)
      this.input.value = text;
      this.shown = text;
    }
    const distinct = new Set(text).size;
    this.#say(text
      ? `Training on your text: ${count(text.length)} characters, ${distinct} different ones.`
      : "Training on the built-in nursery rhymes.", "ok");
    const long = text.length > this.limits.url_chars;
    this.link.hidden = !long;
    this.link.textContent = long
      ? `A link carries a text of at most ${count(this.limits.url_chars)} characters: this one is left out of `
        + "the address, so a copied link opens the rhymes. Save the experiment to share it with its text."
      : "";
    if (long) this.store.rememberSession();
  }

  async #use(value) {
    const text = this.lower.checked ? value.toLowerCase() : value;
    await this.store.update((spec) => {
      if (text) spec.data.text = text;
      else delete spec.data.text;
    });
  }

  async #load(file) {
    const bytes = await file.arrayBuffer();
    if (bytes.byteLength > this.limits.max_bytes + OWN_TEXT.bomBytes) {
      this.#say(`${file.name}: ${count(bytes.byteLength)} bytes is above the maximum `
        + `${count(this.limits.max_bytes)}`, "error");
      return;
    }
    let text;
    try {
      text = new TextDecoder(OWN_TEXT.encoding, { fatal: true }).decode(bytes);
    } catch {
      this.#say(`${file.name}: this is not UTF-8 text; save the file as UTF-8`, "error");
      return;
    }
    this.input.value = text;
    await this.#use(text);
  }

  #say(text, state) {
    this.status.textContent = text;
    this.status.dataset.state = state;
  }
}
