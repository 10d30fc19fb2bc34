/**
 * The keyboard shortcuts: one table, KEYS, which also fills the "?" list. Each presses one of
 * the page's own buttons, so it does exactly what a click does (and nothing while that button
 * is disabled). They keep out of the way of typing and of keys a focused control uses itself.
 */
import { cloneTemplate, part } from "../dom.js";

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
