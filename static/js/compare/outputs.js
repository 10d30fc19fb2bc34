/**
 * Every run's output side by side, one card each, drawn by the playground's own views so they
 * look exactly as they do there: a 2-D net's output map with its data points (OutputView), an
 * image or table classifier's confusion matrix (ConfusionView, read-only here), a series
 * model's prediction and forecast (SeriesView), a text model's sample. Cards are kept while
 * their run keeps its kind of output, so a live run redraws in place every second.
 */
import { cloneTemplate, part, formatNumber } from "../dom.js";
import { OutputView } from "../points/output.js";
import { ConfusionView } from "../images/confusion.js";
import { SeriesView } from "../sequences/series.js";
import { PERCENT } from "../constants.js";
import { runBadge } from "./picker.js";
import { LOSS_DIGITS, PERCENT_DIGITS, RUN_COLORS, STATUS_TEXT } from "./constants.js";

const KINDS = ["map", "confusion", "series", "text", "none"];
/** The confusion cells are not buttons here: there is no session to ask for their examples. */
const NO_EXAMPLES = { request: async () => ({ ok: false, errors: [] }) };

/** What the run reached, large; and how far it trained and how big it is. */
function resultText(run) {
  const m = run.metrics || {};
  const parts = [`test loss ${m.test_loss == null ? "–" : formatNumber(m.test_loss, LOSS_DIGITS)}`];
  if (m.test_accuracy != null) parts.push(`accuracy ${(m.test_accuracy * PERCENT).toFixed(PERCENT_DIGITS)}%`);
  return parts.join(" · ");
}

function subText(run) {
  const params = run.params == null ? "" : ` · ${run.params.toLocaleString("en")} parameters`;
  return `epoch ${run.epoch}${params}`;
}

/** The runs with the lowest test loss among those whose losses compare: the same loss
 * function (squared error and cross-entropy are not on one scale) on the same dataset; a
 * group of one has no winner. */
function bestRuns(runs) {
  const groups = new Map();
  for (const run of runs) {
    const loss = run.metrics?.test_loss;
    if (loss == null) continue;
    const key = `${run.spec.training?.loss}|${run.spec.data?.dataset}`;
    groups.set(key, [...(groups.get(key) || []), run]);
  }
  const best = new Set();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const low = Math.min(...group.map((run) => run.metrics.test_loss));
    best.add(group.find((run) => run.metrics.test_loss === low).run);
  }
  return best;
}

class RunCard {
  constructor(schema, run) {
    this.schema = schema;
    this.kind = run.output.kind;
    this.element = cloneTemplate("tpl-output-card");
    for (const kind of KINDS) part(this.element, kind).hidden = kind !== this.kind;
    const body = part(this.element, this.kind);
    this.store = { spec: run.spec, dataset: () => this.#dataset() };
    this.view = {
      map: () => new OutputView(body, schema),
      confusion: () => new ConfusionView(body, this.store, NO_EXAMPLES, () => {}, () => {}),
      series: () => new SeriesView(body),
    }[this.kind]?.() || null;
  }

  #dataset() {
    return this.schema.datasets.find((d) => d.name === this.store.spec.data.dataset);
  }

  update(run, i, best) {
    const card = this.element;
    card.dataset.testid = `compare-output-${i}`;
    card.dataset.run = run.run;
    card.dataset.kind = this.kind;
    card.style.setProperty("--run-color", RUN_COLORS[i]);
    part(card, "badge").replaceChildren(runBadge(i));
    part(card, "label").textContent = run.label;
    part(card, "meta").textContent = resultText(run);
    part(card, "sub").textContent = subText(run);
    part(card, "best").hidden = !best.has(run.run);
    const status = part(card, "status");
    status.textContent = STATUS_TEXT[run.status] || run.status;
    status.dataset.state = run.status;
    status.hidden = run.kind === "saved";           // its Open link and chip say so; the title gets the room
    const link = part(card, "open");
    link.hidden = !run.url;
    if (run.url) link.href = run.url;
    this.store.spec = run.spec;
    const frame = { arrays: run.output.arrays, epoch: run.epoch, text: run.output.text };
    if (this.kind === "map") this.view.render(run.spec);
    if (this.kind === "text" && run.output.text) {
      const prompt = part(card, "prompt");
      prompt.textContent = run.output.text.prompt;
      prompt.hidden = !run.output.text.prompt.trim();     // a saved run's sample starts from no prompt
      part(card, "sample").textContent = run.output.text.sample;
    }
    this.view?.update(frame);
  }
}

export class OutputsView {
  constructor(root, schema) {
    this.schema = schema;
    this.grid = root.querySelector('[data-testid="output-cards"]');
    this.cards = new Map();          // run name → RunCard
  }

  update(answer) {
    const keep = new Map();
    for (const run of answer.runs) {
      const card = this.cards.get(run.run);
      keep.set(run.run, card && card.kind === run.output.kind ? card : new RunCard(this.schema, run));
    }
    this.cards = keep;
    this.grid.replaceChildren(...answer.runs.map((run) => this.cards.get(run.run).element));
    const best = bestRuns(answer.runs);
    answer.runs.forEach((run, i) => this.cards.get(run.run).update(run, i, best));
  }
}
