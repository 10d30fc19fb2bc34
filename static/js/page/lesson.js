/**
 * The lesson panel of /lessons/<slug> (server/lessons.py renders its text): it puts the lesson's
 * share hash in the address bar before the page opens its session, so the playground starts from
 * the lesson's spec (a reload keeps what the student changed since: the hash follows every change);
 * "Hide lesson" folds it to its title bar; the variant link matching the spec on screen is marked.
 */
import { part } from "../dom.js";

export class LessonView {
  /** The page's lesson panel, or null on a page without one. */
  static fromPage(root, store) {
    const box = root.querySelector('[data-testid="lesson"]');
    return box ? new LessonView(box, store) : null;
  }

  constructor(box, store) {
    this.box = box;
    this.store = store;
    this.body = part(box, "body");
    this.toggle = part(box, "toggle");
    this.variants = [...box.querySelectorAll('[data-testid^="lesson-variant-"]')];
    this.toggle.addEventListener("click", () => this.#show(this.body.hidden));
  }

  /** Before the session opens: a lesson URL without a hash starts from the lesson's spec. */
  prepareUrl() {
    if (!location.hash.replace(/^#/, "")) history.replaceState(history.state, "", `#${this.box.dataset.hash}`);
  }

  #show(open) {
    this.body.hidden = !open;
    this.box.dataset.open = String(open);
    this.toggle.setAttribute("aria-expanded", String(open));
    this.toggle.textContent = open ? "Hide lesson" : "Show lesson";
  }

  render() {
    for (const link of this.variants) {
      const current = link.hash.replace(/^#/, "") === this.store.hash;
      if (current) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
  }
}
