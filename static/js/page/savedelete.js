/**
 * The Delete button of a saved experiment (the page at /e/<id>), shown only to the browser that
 * saved it (body[data-experiment-owned], set by the server): it asks, then sends
 * DELETE /api/experiments/<id>, and says the link no longer opens (or why it could not delete).
 */
import { part } from "../dom.js";
import { EXPERIMENT_URL } from "../constants.js";

const CONFIRM = "Delete this saved experiment for good? Its link will stop working.";
const DELETED = "Deleted: this link no longer opens.";

export class SavedDelete {
  constructor(root, experimentId) {
    const box = root.querySelector('[data-testid="saved"]');
    this.button = part(box, "delete");
    this.status = part(box, "delete-status");
    this.fork = part(box, "fork");
    if (root.dataset.experimentOwned !== "true") return;
    this.button.hidden = false;
    this.button.addEventListener("click", () => this.#delete(experimentId));
  }

  async #delete(id) {
    if (!window.confirm(CONFIRM)) return;
    this.button.disabled = true;
    const response = await fetch(EXPERIMENT_URL(id), { method: "DELETE" });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      this.#say(DELETED, "deleted");
      this.fork.disabled = true;          // nothing left to continue from
      return;
    }
    this.#say((body.errors || []).map((e) => e.message).join("; ") || `HTTP ${response.status}`, "error");
    this.button.disabled = false;
  }

  #say(text, state) {
    this.status.textContent = text;
    this.status.dataset.state = state;
    this.status.hidden = false;
  }
}
