/**
 * Take the trained model away: Export downloads the session's zip (script, weights, ONNX, spec,
 * history, and the int8 model once quantised); Quantise asks the server for an int8 copy and
 * shows its size and test figures beside the float model's. The server drops the int8 copy on
 * a reset or a rebuild, so the card goes too: on a reset click, a rebuilding spec change, a new
 * session, or a step counter that went backwards. On a saved experiment's page (no live
 * session) both act on the saved model, which the server restores for the purpose.
 */
import { part, cloneTemplate } from "../dom.js";
import {
  EXPORT_URL, QUANTIZE_URL, SAVED_EXPORT_URL, SAVED_QUANTIZE_URL, EXPORT_FALLBACK_NAME, DOWNLOAD_REVOKE_MS, BYTE_STEP, BYTE_UNITS,
  BYTE_DIGITS, QUANTIZE_METHODS, PERCENT, ACCURACY_DIGITS, LOSS_DIGITS,
} from "../constants.js";

/** 3029 → "3.0 KB"; below one step the exact count ("812 B"). */
export function formatBytes(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= BYTE_STEP && unit < BYTE_UNITS.length - 1) {
    value /= BYTE_STEP;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(BYTE_DIGITS)} ${BYTE_UNITS[unit]}`;
}

const percent = (fraction) => `${(fraction * PERCENT).toFixed(ACCURACY_DIGITS)}%`;

/** The file name in a Content-Disposition header (RFC 6266: filename*= wins over filename=). */
function fileName(disposition) {
  const extended = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(disposition || "");
  if (extended) return decodeURIComponent(extended[1].trim().replace(/^"|"$/g, ""));
  const plain = /filename=("?)([^";]+)\1/i.exec(disposition || "");
  return plain ? plain[2].trim() : EXPORT_FALLBACK_NAME;
}

/** The messages of an error answer ({errors: [{message}]}), or what went wrong with HTTP. */
async function errorMessages(response, action) {
  try {
    const body = await response.json();
    const messages = (body.errors || []).map((error) => error.message).filter(Boolean);
    if (messages.length) return messages;
  } catch {
    // not JSON: fall through to the status line
  }
  return [`${action} failed: the server answered HTTP ${response.status}`];
}

export class ModelActions {
  constructor(root, store) {
    this.store = store;
    const panel = root.querySelector('[data-testid="model-actions"]');
    this.el = Object.fromEntries(
      ["export", "quantize", "busy", "status", "errors", "card", "int8-files", "method", "how",
        "float-bytes", "int8-bytes", "ratio", "quality-label", "float-quality", "int8-quality",
        "verdict", "bigger", "stale"].map((name) => [name, part(panel, name)]));
    this.result = null;          // the last quantise answer while the server still holds it
    this.sessionId = null;
    this.experimentId = root.dataset.experimentId || null;   // a saved page: its own model
    this.lastStep = 0;
    this.busy = false;
    this.generation = 0;         // counts clears: an answer to an older model is dropped
    this.el.export.addEventListener("click", () => this.#run("Building the zip…", () => this.#export()));
    this.el.quantize.addEventListener("click", () => this.#run("Quantising to int8…", () => this.#quantize()));
    for (const button of root.querySelectorAll('[data-action="reset"]')) {
      button.addEventListener("click", () => this.#clear());
    }
  }

  render(spec, info = {}) {
    const changed = this.store.sessionId !== this.sessionId;
    this.sessionId = this.store.sessionId;
    if (info.reset || changed) this.#clear();
    this.#setBusy(this.busy);
  }

  update(frame) {
    const step = frame.step ?? 0;
    if (step < this.lastStep) this.#clear();     // a reset or a rebuild started the count again
    this.lastStep = step;
    if (this.result) this.#showStale(frame.epoch ?? 0);
  }

  /** One action at a time: both buttons wait, the status line says what is happening. */
  async #run(label, action) {
    if (this.busy || !this.#target()) return;
    this.#setBusy(true, label);
    this.el.errors.replaceChildren();
    try {
      this.el.status.textContent = await action();
    } catch (error) {
      this.el.status.textContent = "";
      this.#showErrors(error.messages || [`Could not reach the server: ${error.message}`]);
    } finally {
      this.#setBusy(false);
    }
  }

  #setBusy(busy, label = "") {
    this.busy = busy;
    const ready = !busy && Boolean(this.#target());
    for (const button of [this.el.export, this.el.quantize]) {
      button.disabled = !ready;
      button.setAttribute("aria-busy", String(busy));
    }
    this.el.busy.hidden = !busy;
    if (busy) this.el.status.textContent = label;
  }

  /** Where Export and Quantise go: this tab's live session, else the saved experiment shown. */
  #target() {
    if (this.store.sessionId) return { export: EXPORT_URL(this.store.sessionId), quantize: QUANTIZE_URL(this.store.sessionId) };
    if (this.experimentId) return { export: SAVED_EXPORT_URL(this.experimentId), quantize: SAVED_QUANTIZE_URL(this.experimentId) };
    return null;
  }

  async #export() {
    const response = await fetch(this.#target().export);
    if (!response.ok) throw Object.assign(new Error("export"), { messages: await errorMessages(response, "Export") });
    const name = fileName(response.headers.get("Content-Disposition"));
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), DOWNLOAD_REVOKE_MS);
    return `Saved ${name} (${formatBytes(blob.size)}).`;
  }

  async #quantize() {
    const generation = this.generation;
    const response = await fetch(this.#target().quantize, { method: "POST" });
    if (!response.ok) throw Object.assign(new Error("quantize"), { messages: await errorMessages(response, "Quantise") });
    const result = await response.json();
    if (generation !== this.generation) return "The network was reset meanwhile: quantise it again.";
    this.result = result;
    this.#showCard(result);
    return "";                   // the card says it all
  }

  #showCard(r) {
    const e = this.el;
    e.method.textContent = `int8, ${r.method}, epoch ${r.epoch}`;
    e.how.textContent = `${QUANTIZE_METHODS[r.method] || r.method} (${r.engine} kernels)`;
    e["float-bytes"].textContent = formatBytes(r.float_bytes);
    e["int8-bytes"].textContent = formatBytes(r.int8_bytes);
    e.ratio.textContent = `(${Math.round(r.size_ratio * PERCENT)}% of the float size)`;
    e.card.dataset.bigger = String(r.size_ratio > 1);
    e.bigger.hidden = !(r.size_ratio > 1);
    const accuracy = r.float_accuracy != null && r.int8_accuracy != null;
    const tolerance = `±${Math.round(r.tolerance * PERCENT)}%`;
    e["quality-label"].textContent = accuracy ? "Test accuracy" : "Test loss";
    e["float-quality"].textContent = accuracy ? percent(r.float_accuracy) : r.float_loss.toFixed(LOSS_DIGITS);
    e["int8-quality"].textContent = accuracy ? percent(r.int8_accuracy) : r.int8_loss.toFixed(LOSS_DIGITS);
    if (accuracy) {
      e.verdict.textContent = r.within_tolerance ? `(within ${tolerance})` : `(moved by more than ${tolerance})`;
    } else {
      const change = r.float_loss ? (r.int8_loss - r.float_loss) / r.float_loss : 0;
      e.verdict.textContent = `(${change >= 0 ? "+" : "−"}${percent(Math.abs(change))})`;
    }
    e.card.dataset.within = String(r.within_tolerance !== false);
    e["int8-files"].hidden = false;
    e.stale.hidden = true;
    e.card.hidden = false;
  }

  /** Training went on after quantising: the zip's int8 model is the older one. */
  #showStale(epoch) {
    const stale = epoch > this.result.epoch;
    this.el.stale.hidden = !stale;
    if (stale) {
      this.el.stale.textContent = `The network has trained on to epoch ${epoch}; the int8 model is still the one `
        + `of epoch ${this.result.epoch}. Quantise again to update it.`;
    }
  }

  #showErrors(messages) {
    const items = messages.map((message) => {
      const item = cloneTemplate("tpl-error");
      item.textContent = message.charAt(0).toUpperCase() + message.slice(1);
      item.dataset.testid = "model-error";
      return item;
    });
    this.el.errors.replaceChildren(...items);
  }

  #clear() {
    this.generation += 1;
    this.result = null;
    this.lastStep = 0;
    this.el.card.hidden = true;
    this.el["int8-files"].hidden = true;
    this.el.errors.replaceChildren();
    if (!this.busy) this.el.status.textContent = "";
  }
}
