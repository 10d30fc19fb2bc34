/**
 * The output column of sequence models: tabs over the views (prediction and forecast of a
 * series, generated text, hidden state, gates, gradient over time, histograms), which of them
 * the dataset and the net have, the test sequence looked at (previous / next) and the recurrent
 * layer (a picker when there are several). Only the open tab is asked for, with `view {views,
 * sample, layer, prompt, temperature}`; histograms ride along (tiny) so they have no gaps.
 */
import { cloneTemplate, part } from "../dom.js";
import { layerNamer } from "../tensors.js";
import {
  POINT_FAMILY, SEQUENCE_FAMILY, SEQUENCE_TABS, LAYER_TABS, SAMPLE_TABS, RECURRENT_KINDS, GATES,
  IMAGE_VIEWS,
} from "../constants.js";
import { SeriesView } from "./series.js";
import { HiddenStateView, GatesView } from "./hiddenstate.js";
import { StepGradientsView } from "./stepgrads.js";
import { TextGenView } from "./textgen.js";
import { HistogramsView } from "../widgets/histograms.js";
import { tabsAndPanels, wireTabs, showAvailable, selectTab } from "../widgets/tabs.js";

/** Which tab set a sequence dataset gets: series (regression), text (a vocabulary), labels. */
function datasetKind(dataset) {
  if (dataset?.problem === "regression") return "series";
  return dataset?.vocab?.length ? "text" : "labels";
}

export class SequencePanel {
  constructor(root, schema, store, connection, showErrors) {
    this.store = store;
    this.connection = connection;
    this.showErrors = showErrors;
    this.layerName = layerNamer(schema.layer_kinds);
    this.box = root.querySelector('[data-testid="sequence-panel"]');
    Object.assign(this, tabsAndPanels(this.box));
    const panel = (name) => this.panels.get(name);
    this.views = {
      series: new SeriesView(panel("series")),
      text: new TextGenView(panel("text"), () => this.#request(true)),
      hidden: new HiddenStateView(panel("hidden"), schema, store),
      gates: new GatesView(panel("gates"), schema, store),
      gradients: new StepGradientsView(panel("gradients"), store),
      histograms: new HistogramsView(panel("histograms"), schema, store),
    };
    this.samplePicker = part(this.box, "sample-picker");
    this.layerPicker = part(this.box, "layer-picker");
    this.layerSelect = this.box.querySelector('[data-testid="seq-layer"]');
    this.sampleName = this.box.querySelector('[data-testid="seq-sample"]');
    this.available = [];
    this.active = null;
    this.sample = 0;
    this.count = null;          // test sequences, from the frames
    this.layer = null;          // index into model.layers of the recurrent layer shown
    this.recurrent = [];
    this.sent = "";
    this.box.querySelector('[data-testid="seq-prev"]').addEventListener("click", () => this.#step(-1));
    this.box.querySelector('[data-testid="seq-next"]').addEventListener("click", () => this.#step(1));
    this.layerSelect.addEventListener("change", () => {
      this.layer = Number(this.layerSelect.value);
      this.#request(true);
    });
    wireTabs(this);
  }

  render(spec, info = {}) {
    const family = this.store.family;
    if (family !== SEQUENCE_FAMILY) {
      this.available = [];
      // Only the 2-D page asks for nothing; the image panel sends its own views.
      if (family === POINT_FAMILY) this.#request(false, []);
      else this.sent = "";
      return;
    }
    const layers = spec.model.layers;
    this.recurrent = layers.map((layer, i) => (RECURRENT_KINDS.includes(layer.kind) ? i : -1)).filter((i) => i >= 0);
    if (!this.recurrent.includes(this.layer)) this.layer = this.recurrent[0] ?? null;
    const gated = this.recurrent.some((i) => GATES[layers[i].kind]);
    this.available = SEQUENCE_TABS[datasetKind(this.store.dataset())].filter((tab) => {
      if (LAYER_TABS.includes(tab) && !this.recurrent.length) return false;
      return tab !== "gates" || gated;
    });
    showAvailable(this.tabs, this.available);
    this.#fillLayers(layers);
    Object.values(this.views).forEach((view) => view.render(spec, info));
    this.open(this.available.includes(this.active) ? this.active : this.available[0], { force: info.reset });
  }

  #fillLayers(layers) {
    const options = this.recurrent.map((i) => {
      const option = cloneTemplate("tpl-option");
      option.value = String(i);
      option.textContent = this.layerName(i, layers[i].kind);
      return option;
    });
    this.layerSelect.replaceChildren(...options);
    if (this.layer != null) this.layerSelect.value = String(this.layer);
  }

  /** Show tab `name` and ask the server for what it draws. */
  open(name, { force = false } = {}) {
    const changed = name !== this.active;
    this.active = name;
    selectTab(this.tabs, this.panels, name);
    this.samplePicker.hidden = !SAMPLE_TABS.includes(name);
    this.layerPicker.hidden = !LAYER_TABS.includes(name) || this.recurrent.length < 2;
    if (changed) this.views[name].show();
    this.#request(force);
  }

  async #step(step) {
    const count = this.count ?? Infinity;
    this.sample = (this.sample + step + (Number.isFinite(count) ? count : 0)) % count;
    if (this.sample < 0) this.sample = 0;
    this.#showSample();
    await this.#request(true);
  }

  #showSample() {
    const of = this.count ? ` of ${this.count}` : "";
    this.sampleName.textContent = `Test sequence ${this.sample + 1}${of}`;
  }

  /** Send `view` when what is on screen changed (or `force`); resolves with the answer. */
  async #request(force = false, views = null) {
    if (!this.store.sessionId) return null;
    const wanted = views ?? (this.active ? [this.active, ...IMAGE_VIEWS.always] : []);
    const unique = [...new Set(wanted)].filter((view) => this.available.includes(view));
    const payload = { views: unique };
    if (unique.length) {
      payload.sample = this.sample;
      if (this.layer != null) payload.layer = this.layer;
      if (unique.includes("text")) Object.assign(payload, this.views.text.options());
    }
    const key = `${this.store.sessionId}|${JSON.stringify(payload)}`;
    if (!force && key === this.sent) return null;
    if (!unique.length && this.sent === "") return null;     // nothing was asked for
    this.sent = unique.length ? key : "";
    const answer = await this.connection.request("view", payload);
    if (answer && !answer.ok) {
      if (answer.errors?.some((error) => error.path === "sample") && this.sample) {
        this.sample = 0;           // fewer test sequences than before: back to the first
        this.#showSample();
        return this.#request(true);
      }
      this.showErrors(answer.errors);
    }
    return answer;
  }

  update(frame) {
    if (this.store.family !== SEQUENCE_FAMILY) return;
    if (frame.sequence) {
      this.count = frame.sequence.count ?? this.count;
      this.#showSample();
    }
    Object.values(this.views).forEach((view) => view.update(frame));
  }
}
