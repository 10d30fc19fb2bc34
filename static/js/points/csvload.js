/**
 * "Load points from a CSV file" in the point editor: the file goes to POST /api/uploads/points
 * as it is; the server reads it (header, columns, classes from the labels, scaled onto the
 * plane) and answers points, which become the spec's hand-placed set. Column pickers re-read
 * the same file with other columns. Caps come from /api/schema (limits.csv); refusals name the
 * row, column and limit, and are shown as they come.
 */
import { cloneTemplate, part } from "../dom.js";
import { UPLOAD_POINTS_URL } from "../constants.js";

const ROLES = ["x1", "x2", "label"];

export class CsvLoader {
  constructor(root, schema, store) {
    this.store = store;
    this.box = root.querySelector('[data-testid="points-csv"]');
    this.file = part(this.box, "file");
    this.columns = part(this.box, "columns");
    this.status = part(this.box, "status");
    this.selects = Object.fromEntries(ROLES.map((role) => [role, part(this.box, role)]));
    const caps = schema.limits.csv;
    part(this.box, "caps").textContent = `(at most ${caps.max_rows} rows, ${caps.max_columns} columns, `
      + `${Math.round(caps.max_bytes / 1024)} KB)`;
    this.body = null;
    this.name = "";
    this.file.addEventListener("change", () => this.#chosen());
    for (const select of Object.values(this.selects)) select.addEventListener("change", () => this.#read());
  }

  async #chosen() {
    const file = this.file.files[0];
    if (!file) return;
    this.body = await file.arrayBuffer();
    this.name = file.name;
    this.file.value = "";                // the same file chosen again reloads it
    for (const select of Object.values(this.selects)) select.replaceChildren();
    await this.#read();
  }

  async #read() {
    if (!this.body) return;
    const query = new URLSearchParams();
    for (const role of ROLES) if (this.selects[role].value) query.set(role, this.selects[role].value);
    const response = await fetch(`${UPLOAD_POINTS_URL}?${query}`, {
      method: "POST", headers: { "Content-Type": "text/csv" }, body: this.body,
    });
    const answer = await response.json();
    if (!response.ok) {
      this.#say(`${this.name}: ${answer.errors.map((e) => e.message).join("; ")}`, "error");
      return;
    }
    this.#fillColumns(answer);
    const ok = await this.store.update((spec) => {
      spec.data.dataset = answer.dataset;
      spec.data.classes = answer.classes;
      spec.data.points = answer.points;
      spec.training.loss = null;         // the server picks mse or cross-entropy for the classes
    });
    if (ok === false) return;
    this.#say(this.#summary(answer), "ok");
  }

  #fillColumns(answer) {
    this.columns.hidden = false;
    for (const role of ROLES) {
      const select = this.selects[role];
      if (select.options.length !== answer.columns.length) {
        select.replaceChildren(...answer.columns.map((name) => {
          const option = cloneTemplate("tpl-option");
          option.value = name;
          option.textContent = name;
          return option;
        }));
      }
      select.value = answer.chosen[role];
    }
  }

  #summary(answer) {
    const { x1, x2, label } = answer.chosen;
    const range = (r) => `${r[0]} to ${r[1]}`;
    const scaled = `${x1} (${range(answer.ranges.x1)}) and ${x2} (${range(answer.ranges.x2)}) `
      + `scaled onto −${answer.span} to ${answer.span}`;
    const labels = answer.class_names.length
      ? answer.class_names.map((name, i) => `class ${i + 1} = ${name}`).join(", ")
      : `${label} (${range(answer.ranges.value)}) scaled onto −1 to 1`;
    return `${this.name}: ${answer.points.length} points; ${scaled}; ${labels}.`;
  }

  #say(text, state) {
    this.status.textContent = text;
    this.status.dataset.state = state;
  }
}
