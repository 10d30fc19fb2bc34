/**
 * Choosing the runs: a chip per run (its letter in its colour, its label, a remove button, and
 * the server's error about it), a box to paste a saved experiment's link or id, and this
 * browser's live sessions with an Add button each.
 */
import { cloneTemplate, part, setText } from "../dom.js";
import { RUN_COLORS, RUN_LETTERS, SAVED_ID, SAVED_PREFIX, SESSIONS_URL, STATUS_TEXT } from "./constants.js";

const RUN_ERROR = /^runs\[(\d+)\]$/;

/** The letter badge of run i (shared by the chips, the table and the output cards). */
export function runBadge(i) {
  const badge = cloneTemplate("tpl-run-badge");
  badge.textContent = RUN_LETTERS[i];
  badge.style.setProperty("--run-color", RUN_COLORS[i]);
  return badge;
}

export class RunPicker {
  constructor(root, runs) {
    this.runs = runs;
    this.box = root.querySelector('[data-testid="compare-picker"]');
    this.el = Object.fromEntries(["chips", "empty", "add", "saved-form", "saved-input", "saved-error", "sessions",
      "no-sessions", "refresh", "errors"].map((name) => [name, part(this.box, name)]));
    this.errors = [];
    this.sessions = [];
    this.el["saved-form"].addEventListener("submit", (event) => {
      event.preventDefault();
      this.#addSaved();
    });
    this.el.refresh.addEventListener("click", () => this.loadSessions());
    this.el.add.open = runs.refs.length < 2;        // nothing to compare yet: show where to add
    window.addEventListener("focus", () => this.loadSessions());
    this.el.add.addEventListener("toggle", () => {
      if (this.el.add.open) this.loadSessions();
    });
    // The panel lies over the page: a click elsewhere or Escape closes it.
    document.addEventListener("click", (event) => {
      if (this.el.add.open && !this.el.add.contains(event.target)) this.el.add.open = false;
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.el.add.open) this.el.add.open = false;
    });
    runs.onChange(() => this.render());
    runs.onErrors((errors) => {
      this.errors = errors;
      this.render();
    });
  }

  async loadSessions() {
    try {
      const response = await fetch(SESSIONS_URL, { cache: "no-store" });
      this.sessions = response.ok ? (await response.json()).sessions : [];
    } catch {
      this.sessions = [];
    }
    this.#renderSessions();
  }

  render() {
    this.#renderChips();
    this.#renderSessions();
    const general = this.errors.filter((error) => !RUN_ERROR.test(error.path));
    this.el.errors.replaceChildren(...general.map((error) => this.#errorLine(error.message)));
  }

  #errorLine(text) {
    const line = cloneTemplate("tpl-compare-error");
    line.textContent = text.charAt(0).toUpperCase() + text.slice(1);
    return line;
  }

  /** One chip per run; the chips are rebuilt only when the runs changed, and otherwise
   *  updated in place: the page polls every second, and a button rebuilt under the pointer
   *  every second is hard to click. */
  #renderChips() {
    const byRef = new Map((this.runs.answer?.runs || []).map((run) => [run.run, run]));
    const refs = this.runs.refs;
    this.el.empty.hidden = refs.length > 0;
    if (!refs.length) this.el.add.open = true;     // nothing yet: show how to add a run
    if (refs.join() !== this.chipRefs) {
      this.chipRefs = refs.join();
      this.el.chips.replaceChildren(...refs.map((ref, i) => this.#buildChip(ref, i)));
    }
    refs.forEach((ref, i) => {
      const chip = this.el.chips.children[i];
      const run = byRef.get(ref);
      setText(part(chip, "label"), run ? run.label : ref);
      setText(part(chip, "meta"), run ? `${STATUS_TEXT[run.status] || run.status} · epoch ${run.epoch}` : "");
      const error = this.errors.find((e) => Number(RUN_ERROR.exec(e.path)?.[1]) === i);
      const message = part(chip, "error");
      message.hidden = !error;
      message.textContent = error ? error.message : "";
      chip.classList.toggle("broken", Boolean(error));
      const remove = part(chip, "remove");
      remove.setAttribute("aria-label", `Remove run ${RUN_LETTERS[i]} (${run ? run.label : ref}) from the comparison`);
    });
  }

  #buildChip(ref, i) {
    const chip = cloneTemplate("tpl-run-chip");
    chip.dataset.testid = `run-chip-${i}`;
    chip.dataset.run = ref;
    part(chip, "badge").replaceWith(runBadge(i));
    const remove = part(chip, "remove");
    remove.dataset.testid = `run-remove-${i}`;
    remove.addEventListener("click", () => this.runs.remove(ref));
    return chip;
  }

  #renderSessions() {
    this.el["no-sessions"].hidden = this.sessions.length > 0;
    this.el.sessions.replaceChildren(...this.sessions.map((session, i) => {
      const item = cloneTemplate("tpl-live-session");
      part(item, "label").textContent = session.label;
      part(item, "meta").textContent = `epoch ${session.epoch} · ${STATUS_TEXT[session.status] || session.status}`;
      const add = part(item, "add");
      add.dataset.testid = `add-live-${i}`;
      const added = this.runs.has(session.run);
      add.disabled = added || this.runs.full();
      add.textContent = added ? "Added" : "Add";
      add.setAttribute("aria-label", `Add the live ${session.label} session (epoch ${session.epoch}) to the comparison`);
      add.addEventListener("click", () => this.runs.add(session.run));
      return item;
    }));
  }

  #addSaved() {
    const text = this.el["saved-input"].value.trim();
    const match = SAVED_ID.exec(text);
    let problem = "";
    if (!match) problem = "Paste a saved experiment's link (it ends in /e/ and 22 letters and digits) or its id.";
    else if (this.runs.has(SAVED_PREFIX + match[1])) problem = "That experiment is already being compared.";
    else if (this.runs.full()) problem = `At most ${this.runs.maxRuns} runs can be compared: remove one first.`;
    this.el["saved-error"].textContent = problem;
    this.el["saved-error"].hidden = !problem;
    this.el["saved-input"].setAttribute("aria-invalid", String(Boolean(problem)));
    if (problem) return;
    this.el["saved-input"].value = "";
    this.runs.add(SAVED_PREFIX + match[1]);
  }
}
