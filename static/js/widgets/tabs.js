/**
 * Tabs over the views of an output panel (the image panel and the sequence panel): the tabs and
 * panels a panel's markup holds, by name; which tab is selected; click and arrow-key handling;
 * and redrawing a view when its panel is resized while on screen.
 */
import { TAB_KEYS } from "../constants.js";

/** `box`'s tabs (by data-view) and panels (by data-panel), each a Map from name to element. */
export function tabsAndPanels(box) {
  return {
    tabs: new Map([...box.querySelectorAll('[role="tab"]')].map((tab) => [tab.dataset.view, tab])),
    panels: new Map([...box.querySelectorAll("[data-panel]")].map((panel) => [panel.dataset.panel, panel])),
  };
}

/**
 * Wire `owner`'s tabs: a click opens one, arrow keys move among `owner.available` (read when the
 * key is pressed), and a panel resized while shown redraws its view. `owner` has `tabs`, `panels`,
 * `views`, `available` and `open(name)`.
 */
export function wireTabs(owner) {
  for (const [name, tab] of owner.tabs) {
    tab.addEventListener("click", () => owner.open(name));
    tab.addEventListener("keydown", (event) => {
      const step = TAB_KEYS[event.key];
      if (!step) return;
      const visible = owner.available;
      const next = visible[(visible.indexOf(name) + step + visible.length) % visible.length];
      owner.open(next);
      owner.tabs.get(next).focus();
    });
  }
  for (const [name, panelElement] of owner.panels) {
    new ResizeObserver(() => { if (!panelElement.hidden) owner.views[name].show(); }).observe(panelElement);
  }
}

/** Hide the tabs that are not in `available`. */
export function showAvailable(tabs, available) {
  for (const [name, tab] of tabs) tab.hidden = !available.includes(name);
}

/** Mark tab `name` selected (the only one in the tab order) and show only its panel. */
export function selectTab(tabs, panels, name) {
  for (const [view, tab] of tabs) {
    const selected = view === name;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    panels.get(view).hidden = !selected;
  }
}
