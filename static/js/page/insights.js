/**
 * What a researcher reads beside the loss: how the data is held out (the frame's `split`), the
 * test report's headline figures (macro F1 and top-k for classifiers, R² for regression), the
 * per-class precision, recall and F1 table (image, table and sequence classifiers), and gentle
 * warnings (overfitting, mistakes made with near certainty). All text comes from the frame.
 */
import { cloneTemplate, part } from "../dom.js";
import { PERCENT, ACCURACY_DIGITS, REPORT_DIGITS } from "../constants.js";

const percent = (v) => `${(v * PERCENT).toFixed(ACCURACY_DIGITS)}%`;
const figure = (v) => (v == null ? "–" : Number(v).toFixed(REPORT_DIGITS));

export class InsightsView {
  constructor(root, store) {
    this.store = store;
    const find = (id) => root.querySelector(`[data-testid="${id}"]`);
    this.split = find("split-text");
    this.datasetName = find("dataset-name");      // keeps the split as its title (a projector hides it)
    this.summary = find("report-summary");
    this.warnings = find("warnings");
    this.table = find("class-report");
    this.rows = this.table ? part(this.table, "rows") : null;
    this.shown = { warnings: "", table: "" };
  }

  update(frame) {
    if (frame.split) {
      this.split.textContent = frame.split.text;
      if (this.datasetName) this.datasetName.title = frame.split.text;
    }
    if (frame.report !== undefined) this.#report(frame.report);
    if (frame.warnings !== undefined) this.#warnings(frame.warnings || []);
  }

  #report(report) {
    this.summary.hidden = !report;
    if (!report) return;
    if (report.kind === "regression") {
      this.summary.textContent = `Test R² ${figure(report.r2)} · mean absolute error ${figure(report.mae)}`;
    } else {
      const parts = [`Test macro F1 ${figure(report.macro_f1)}`];
      for (const [key, value] of Object.entries(report)) {
        const k = /^top(\d+)$/.exec(key)?.[1];          // top-k accuracies the server measured
        if (k && value != null) parts.push(`top-${k} ${percent(value)}`);
      }
      parts.push(`${report.wrong} wrong`);
      this.summary.textContent = parts.join(" · ");
    }
    this.#table(report.kind === "classification" ? report.per_class : null);
  }

  #table(perClass) {
    if (!this.table) return;
    const names = this.store.dataset()?.class_names || [];
    const show = Boolean(perClass) && names.length > 0 && names.length === perClass.length;
    this.table.hidden = !show;
    if (!show) return;
    const key = JSON.stringify(perClass);
    if (key === this.shown.table) return;
    this.shown.table = key;
    this.rows.replaceChildren(...perClass.map((row, i) => {
      const tr = cloneTemplate("tpl-class-row");
      part(tr, "name").textContent = names[i];
      for (const name of ["precision", "recall", "f1"]) part(tr, name).textContent = figure(row[name]);
      part(tr, "support").textContent = String(row.support);
      return tr;
    }));
  }

  #warnings(list) {
    const key = list.map((w) => w.message).join("\n");
    if (key === this.shown.warnings) return;
    this.shown.warnings = key;
    this.warnings.hidden = list.length === 0;
    this.warnings.replaceChildren(...list.map((w) => {
      const item = cloneTemplate("tpl-warning");
      item.dataset.kind = w.kind;
      item.textContent = w.message;
      return item;
    }));
  }
}
