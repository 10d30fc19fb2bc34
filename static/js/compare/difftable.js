/**
 * What differs between the runs: a table with a column per run and a row per setting whose
 * values differ (every value cell highlighted; the setting named by the schema's label and its
 * spec path), and under a disclosure the settings all runs share. Values are shown with the
 * schema's labels, as text. (What each run reached is on its output card.)
 */
import { formatNumber } from "../dom.js";
import { runBadge } from "./picker.js";
import { MISSING, RUN_COLORS } from "./constants.js";

const LAYER_PATH = /^model\.layers\[(\d+)\]\.(\w+)$/;
const NUMBER_DIGITS = 6;

function cell(tag, text, className = "") {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

export class DiffTable {
  constructor(root, schema) {
    this.schema = schema;
    this.table = root.querySelector('[data-testid="diff-table"]');
    this.sameBox = root.querySelector('[data-testid="same-settings"]');
    this.sameTable = root.querySelector('[data-testid="same-table"]');
    this.sameCount = root.querySelector('[data-testid="same-count"]');
    this.key = "";
  }

  /** A field's label: the schema's, with the layer number for a layer's fields. */
  label(path) {
    const layer = LAYER_PATH.exec(path);
    if (layer) {
      const name = layer[2] === "kind" ? "kind" : this.schema.fields[`model.layers[].${layer[2]}`]?.label || layer[2];
      return `Layer ${Number(layer[1]) + 1}: ${name.toLowerCase()}`;
    }
    return this.schema.fields[path]?.label || path;
  }

  /** A value as a person reads it: choices by their label, lists joined, yes / no. */
  value(path, value) {
    if (value == null) return MISSING;
    if (typeof value === "boolean") return value ? "yes" : "no";
    if (Array.isArray(value)) {
      const named = path === "data.features" ? this.schema.features : [];
      return value.map((v) => named.find((f) => f.name === v)?.label ?? String(v)).join(", ") || "none";
    }
    const layer = LAYER_PATH.exec(path);
    if (layer && layer[2] === "kind") return this.schema.layer_kinds.find((k) => k.kind === value)?.label || value;
    const field = this.schema.fields[layer ? `model.layers[].${layer[2]}` : path];
    if (field?.labels?.[value]) return field.labels[value];
    return typeof value === "number" ? formatNumber(value, NUMBER_DIGITS) : String(value);
  }

  update(answer) {
    const { runs, differences, same } = answer;
    const key = JSON.stringify([runs.map((r) => [r.run, r.label]), differences, same.length]);
    if (key === this.key) return;
    this.key = key;
    const head = document.createElement("tr");
    head.append(cell("th", "Setting", "setting-head"), ...runs.map((run, i) => {
      const th = cell("th", "", "run-head");
      th.scope = "col";
      th.style.setProperty("--run-color", RUN_COLORS[i]);
      th.append(runBadge(i), cell("span", run.label, "run-head-label"));
      return th;
    }));
    const rows = differences.length ? differences.map((d) => this.#diffRow(d))
      : [this.#noteRow(runs.length > 1 ? "Every setting is the same." : "Add another run to see what differs.",
        runs.length)];
    this.table.replaceChildren(
      cell("caption", "What differs between the runs", "sr-only"),
      this.#section("thead", [head]),
      this.#section("tbody", rows),
    );
    this.sameCount.textContent = String(same.length);
    this.sameBox.hidden = same.length === 0;
    this.sameTable.replaceChildren(...same.map(({ path, value }) => {
      const tr = document.createElement("tr");
      tr.append(this.#settingCell(path), cell("td", this.value(path, value)));
      return tr;
    }));
  }

  #section(tag, rows) {
    const section = document.createElement(tag);
    section.append(...rows);
    return section;
  }

  #settingCell(path) {
    const th = cell("th", "", "setting");
    th.scope = "row";
    th.append(cell("span", this.label(path), "setting-label"), cell("code", path, "setting-path"));
    return th;
  }

  #diffRow({ path, values }) {
    const tr = document.createElement("tr");
    tr.className = "differs";
    tr.dataset.testid = `diff-${path}`;
    tr.dataset.path = path;
    tr.append(this.#settingCell(path), ...values.map((v) => {
      const td = cell("td", this.value(path, v), "value differs");
      td.dataset.differs = "true";
      return td;
    }));
    return tr;
  }

  #noteRow(text, runCount) {
    const tr = document.createElement("tr");
    const th = cell("th", text, "note");
    th.colSpan = runCount + 1;
    th.scope = "rowgroup";
    tr.append(th);
    return tr;
  }
}
