/**
 * The lesson panel of /lessons/<slug> (server/pages/lessons.py renders its text): it puts the
 * lesson's share hash in the address bar before the page opens its session, so the playground
 * starts from the lesson's spec (a reload keeps what the student changed since: the hash follows
 * every change); "Hide lesson" folds it to its title bar; the variant link matching the spec on
 * screen is marked. The explanation shows two lines until "Read all"; "What to try" shows one
 * step at a time, ‹ and › move between them: the panel stays short, so the playground under it
 * keeps the screen.
 */
import { part, setText } from "../dom.js";

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
    this.text = part(box, "text");
    this.more = part(box, "more");
    this.count = part(box, "step");
    this.previous = part(box, "previous");
    this.next = part(box, "next");
    this.steps = [...part(box, "tries").children];
    this.step = 0;
    this.variants = [...box.querySelectorAll('[data-testid^="lesson-variant-"]')];
    this.toggle.addEventListener("click", () => this.#show(this.body.hidden));
    this.more.addEventListener("click", () => this.#clamp(this.text.dataset.clamped !== "true"));
    this.previous.addEventListener("click", () => this.#go(this.step - 1));
    this.next.addEventListener("click", () => this.#go(this.step + 1));
    // "Read all" is offered only when the three lines hide something (measured on resize).
    new ResizeObserver(() => this.#offerMore()).observe(this.text);
    this.#go(0);
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

  #clamp(clamped) {
    this.text.dataset.clamped = String(clamped);
    this.more.setAttribute("aria-expanded", String(!clamped));
    this.more.textContent = clamped ? "Read all" : "Show less";
  }

  #offerMore() {
    const clamped = this.text.dataset.clamped === "true";
    if (clamped) this.more.hidden = this.text.scrollHeight <= this.text.clientHeight;
  }

  #go(step) {
    this.step = Math.max(0, Math.min(this.steps.length - 1, step));
    this.steps.forEach((item, i) => { item.hidden = i !== this.step; });
    setText(this.count, `${this.step + 1} of ${this.steps.length}`);
    this.previous.disabled = this.step === 0;
    this.next.disabled = this.step === this.steps.length - 1;
  }

  render() {
    for (const link of this.variants) {
      const current = link.hash.replace(/^#/, "") === this.store.hash;
      if (current) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
  }
}
