/**
 * Presenter mode and the keyboard shortcuts.
 *
 * Presenter mode is the spec's view.presenter (the link key `presenter=true`, so a classroom link
 * carries it, beside TF Playground's hide keys): larger type, heavier lines and stronger contrast
 * (app.css, `.presenter` on <html> and <body>), the presenter palette (colors.js) and thicker
 * weight links and chart lines. Its button, the classroom checklist and P toggle it. The views
 * read constants.js's LINK_WIDTH and CHART when they draw, so presenter mode sets those in place
 * (and puts NORMAL back) rather than teaching every view a second size.
 *
 * The shortcuts are one table, KEYS, which also fills the "?" list. Each presses one of the
 * page's own buttons, so it does exactly what a click does (and nothing while that button is
 * disabled). They keep out of the way of typing and of keys a focused control uses itself.
 */
import { cloneTemplate, part } from "../dom.js";
import { cssColor, setPalette } from "../colors.js";
import { CHART, LINK_WIDTH, SCALE_COLORS } from "../constants.js";

/** What presenter mode draws differently (CSS pixels); NORMAL is the page's own look. */
const PRESENTER = {
  palette: "presenter",
  links: { min: 1.5, max: 13 },
  chart: { lineWidth: 4.5, bestWidth: 3, font: 19 },
};
const NORMAL = {
  palette: "tf",
  links: { min: LINK_WIDTH.min, max: LINK_WIDTH.max },
  chart: { lineWidth: CHART.lineWidth, bestWidth: CHART.bestWidth, font: CHART.font },
};
const CHARTS = '[data-testid="loss-chart"], [data-testid="accuracy-chart"]';
/** The CSS colours that follow the palette (the stylesheet's defaults are TF's). */
const CSS_COLORS = { "--negative": "negative", "--positive": "positive" };

const KEYS = [
  { keys: [" "], shown: ["Space"], action: "Play / pause", press: '[data-action="toggle"]' },
  { keys: ["ArrowRight", "s", "S"], shown: ["→", "S"], action: "Step one epoch", press: '[data-action="step"]' },
  { keys: ["r", "R"], shown: ["R"], action: "Reset the network", press: '[data-action="reset"]' },
  { keys: ["p", "P"], shown: ["P"], action: "Presenter mode on / off", press: '[data-testid="presenter-toggle"]' },
  { keys: ["?"], shown: ["?"], action: "This list", press: '[data-testid="shortcuts-open"]' },
];
/** Where typing goes: every shortcut is off there. */
const TYPING = 'input:not([type="checkbox"]):not([type="radio"]):not([type="range"]):not([type="button"]),'
  + ' textarea, select, [contenteditable=""], [contenteditable="true"]';
/** Controls that use a key themselves when focused (space presses a button, arrows move a slider). */
const OWN_KEYS = {
  " ": 'button, a[href], summary, input, [role="button"], [role="tab"], [tabindex]',
  ArrowRight: 'input, [role="tab"], [role="slider"]',
};

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
    for (const chart of document.querySelectorAll(CHARTS)) {
      if (!chart.data) continue;
      window.Plotly.restyle(chart, { "line.width": look.chart.lineWidth });
      window.Plotly.relayout(chart, { "font.size": look.chart.font, "legend.font.size": look.chart.font });
    }
  }
}

export class Shortcuts {
  constructor(root) {
    this.root = root;
    this.dialog = root.querySelector('[data-testid="shortcuts"]');
    root.querySelector('[data-testid="shortcuts-open"]').addEventListener("click", () => this.dialog.showModal());
    this.#fillList(part(this.dialog, "list"));
    document.addEventListener("keydown", (event) => this.#key(event));
  }

  #fillList(list) {
    for (const { shown, action } of KEYS) {
      const row = cloneTemplate("tpl-shortcut");
      const keys = part(row, "keys");
      shown.forEach((name, i) => {
        if (i) keys.append(" or ");
        const key = cloneTemplate("tpl-key");
        key.textContent = name;
        keys.append(key);
      });
      part(row, "action").textContent = action;
      list.append(row);
    }
  }

  #key(event) {
    if (this.dialog.open || ignored(event)) return;
    const entry = KEYS.find(({ keys }) => keys.includes(event.key));
    const button = entry && this.root.querySelector(entry.press);
    if (!button) return;
    event.preventDefault();          // space would scroll the page
    button.click();
  }
}

function ignored(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return true;
  const target = event.target instanceof Element ? event.target : null;
  if (!target) return false;
  return Boolean(target.closest(TYPING) || (OWN_KEYS[event.key] && target.closest(OWN_KEYS[event.key])));
}
