/**
 * Presenter mode is the spec's view.presenter (the link key `presenter=true`, so a classroom link
 * carries it, beside TF Playground's hide keys): larger type, heavier lines and stronger contrast
 * (app.css, `.presenter` on <html> and <body>), the presenter palette (colors.js) and thicker
 * weight links and chart lines. Its button, the classroom checklist and P (shortcuts.js) toggle
 * it. The views read constants.js's LINK_WIDTH and CHART when they draw, so presenter mode sets
 * those in place (and puts NORMAL back) rather than teaching every view a second size.
 */
import { cssColor, setPalette } from "../colors.js";
import { CHART, LINK_WIDTH, SCALE_COLORS } from "../constants.js";

/** What presenter mode draws differently (CSS pixels); NORMAL is the page's own look. */
const PRESENTER = {
  palette: "presenter",
  links: { min: 1.5, max: 13 },
  chart: { lineWidth: 4.5, bestWidth: 3, font: 16 },
};
const NORMAL = {
  palette: "tf",
  links: { min: LINK_WIDTH.min, max: LINK_WIDTH.max },
  chart: { lineWidth: CHART.lineWidth, bestWidth: CHART.bestWidth, font: CHART.font },
};
const CHARTS = '[data-testid="loss-chart"], [data-testid="accuracy-chart"]';
/** The CSS colours that follow the palette (the stylesheet's defaults are TF's). */
const CSS_COLORS = { "--negative": "negative", "--positive": "positive" };

export class PresenterView {
  /** onLook(on) after the look changed; readOnly() is true while the spec cannot change (a saved
   *  experiment), where the button switches the look of this page only. */
  constructor(root, store, { onLook = () => {}, readOnly = () => false } = {}) {
    this.store = store;
    this.onLook = onLook;
    this.on = false;
    this.button = root.querySelector('[data-testid="presenter-toggle"]');
    this.button.addEventListener("click", () => {
      if (readOnly()) this.#show(!this.on);
      else this.store.update((spec) => { spec.view.presenter = !spec.view.presenter; });
    });
  }

  render(spec) {
    this.#show(Boolean(spec.view.presenter));
  }

  #show(on) {
    this.button.setAttribute("aria-pressed", String(on));
    if (on === this.on) return;
    this.on = on;
    this.#apply(on ? PRESENTER : NORMAL);
    this.onLook(on);
  }

  #apply(look) {
    for (const element of [document.documentElement, document.body]) element.classList.toggle("presenter", this.on);
    setPalette(look.palette);
    for (const [name, key] of Object.entries(CSS_COLORS)) {
      if (this.on) document.documentElement.style.setProperty(name, cssColor(SCALE_COLORS[key]));
      else document.documentElement.style.removeProperty(name);
    }
    Object.assign(LINK_WIDTH, look.links);
    Object.assign(CHART, look.chart);
    for (const chart of document.querySelectorAll(CHARTS)) chart.dispatchEvent(new Event("chart-restyle"));
  }
}
