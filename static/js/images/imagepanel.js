/**
 * The output column of image and table models: tabs over the views (filters, feature maps,
 * confusion, gallery, embedding, histograms), which of them the model has, and what the server
 * is asked to send: only the open tab's arrays (plus the tiny histograms), with `view
 * {views, sample}`. Owns the picked test example: next / previous, or a click on any example,
 * or a drawing on the pad (images/drawpad.js): while one is read, the frames bring no feature
 * maps and the feature maps show the drawing's.
 */
import { POINT_FAMILY, IMAGE_FAMILY, TABLE_FAMILY, AUTOENCODER, IMAGE_VIEWS } from "../constants.js";
import { FiltersView } from "./filters.js";
import { FeatureMapsView } from "./featuremaps.js";
import { ConfusionView } from "./confusion.js";
import { GalleryView } from "./gallery.js";
import { HistogramsView } from "../widgets/histograms.js";
import { EmbeddingView } from "./embedding.js";
import { DrawPad } from "./drawpad.js";
import { tabsAndPanels, wireTabs, showAvailable, selectTab } from "../widgets/tabs.js";

const FAMILIES = [IMAGE_FAMILY, TABLE_FAMILY];
const TABS_BY_MODEL = {
  [`${IMAGE_FAMILY}|predict`]: ["filters", "feature_maps", "confusion", "gallery", "histograms"],
  predict: ["feature_maps", "confusion", "gallery", "histograms"],
  [AUTOENCODER]: ["embedding", "feature_maps", "histograms"],
};

export class ImagePanel {
  constructor(root, schema, store, connection, showErrors) {
    this.store = store;
    this.connection = connection;
    this.box = root.querySelector('[data-testid="image-panel"]');
    Object.assign(this, tabsAndPanels(this.box));
    const pick = (index) => this.pick(index);
    const panel = (name) => this.panels.get(name);
    this.views = {
      filters: new FiltersView(panel("filters"), schema, store),
      feature_maps: new FeatureMapsView(panel("feature_maps"), schema, store, (step) => this.#step(step)),
      confusion: new ConfusionView(panel("confusion"), store, connection, showErrors, pick),
      gallery: new GalleryView(panel("gallery"), store, pick),
      histograms: new HistogramsView(panel("histograms"), schema, store),
      embedding: new EmbeddingView(panel("embedding"), store),
    };
    this.available = [];
    this.active = null;
    this.sample = 0;
    this.drawing = false;       // the feature maps show a drawing, not a test example
    this.sent = "";
    this.pad = new DrawPad(panel("feature_maps"), schema, store, connection, {
      onActive: (drawing) => {
        this.drawing = drawing;
        this.#request([this.active, ...IMAGE_VIEWS.always], true);
      },
      onResult: (answer) => this.views.feature_maps.update(answer),
    });
    wireTabs(this);
  }

  render(spec, info = {}) {
    const family = this.store.family;
    if (!FAMILIES.includes(family)) {
      this.available = [];
      // Only the 2-D page asks for nothing; the sequence panel sends its own views.
      if (family === POINT_FAMILY) this.#request([]);
      else this.sent = "";
      return;
    }
    const task = spec.model.task === AUTOENCODER ? AUTOENCODER : "predict";
    this.available = TABS_BY_MODEL[`${family}|${task}`] || TABS_BY_MODEL[task];
    showAvailable(this.tabs, this.available);
    Object.values(this.views).forEach((view) => view.render(spec, info));
    this.pad.render(spec);
    this.open(this.available.includes(this.active) ? this.active : this.available[0], { force: info.reset });
  }

  /** Show tab `name` and ask the server for what it draws. */
  open(name, { force = false } = {}) {
    const changed = name !== this.active;
    this.active = name;
    selectTab(this.tabs, this.panels, name);
    if (changed) this.views[name].show();
    this.#request([name, ...IMAGE_VIEWS.always], force);
  }

  /** Look at test example `index` in the feature maps. */
  pick(index) {
    this.pad.stop();
    this.sample = index;
    this.open("feature_maps");
    this.#request([this.active, ...IMAGE_VIEWS.always], true);
  }

  async #step(step) {
    this.pad.stop();
    this.sample = Math.max(0, this.sample + step);
    const answer = await this.#request([this.active, ...IMAGE_VIEWS.always], true);
    if (answer && !answer.ok) {
      this.sample = 0;              // past the last test example: back to the first
      await this.#request([this.active, ...IMAGE_VIEWS.always], true);
    }
  }

  /** Send `view` when what is on screen changed (or `force`); resolves with the answer. */
  #request(views, force = false) {
    if (!this.store.sessionId) return null;
    const wanted = [...new Set(views)].filter((view) => this.available.includes(view)
      && !(this.drawing && view === "feature_maps"));       // the drawing's come from the pad
    const key = `${this.store.sessionId}|${wanted.join()}|${this.sample}`;
    if (!force && key === this.sent) return null;
    if (wanted.length === 0 && this.sent === "") return null;    // nothing was asked for
    this.sent = wanted.length ? key : "";
    const payload = wanted.length ? { views: wanted, sample: this.sample } : { views: [] };
    return this.connection.request("view", payload);
  }

  update(frame) {
    if (!FAMILIES.includes(this.store.family)) return;
    Object.values(this.views).forEach((view) => view.update(frame));
    this.pad.update(frame);
  }
}
