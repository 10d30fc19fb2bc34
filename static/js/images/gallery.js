/**
 * The gallery of test examples the network gets most confidently wrong and those it is least
 * sure about (frame arrays `gallery_wrong` / `gallery_unsure` uint8 [n, H, W] with scalars of
 * the same names: [{index, label, pred, prob}]). Clicking one picks it for the feature maps.
 */
import { part } from "../dom.js";
import { renderTiles, classNames } from "./tiles.js";

const SETS = ["wrong", "unsure"];

export class GalleryView {
  constructor(panel, store, onPick) {
    this.panel = panel;
    this.store = store;
    this.onPick = onPick;
    this.boxes = Object.fromEntries(SETS.map((set) => [set, panel.querySelector(`[data-testid="gallery-${set}"]`)]));
    this.wrongEmpty = part(panel, "wrong-empty");
    this.last = null;
  }

  update(frame) {
    if (!frame.gallery_wrong && !frame.gallery_unsure) return;
    this.last = Object.fromEntries(SETS.map((set) => [set, {
      examples: frame[`gallery_${set}`] || [], images: frame.arrays[`gallery_${set}`] || null,
    }]));
    if (!this.panel.hidden) this.draw();
  }

  render() {}

  show() {
    this.draw();
  }

  draw() {
    if (!this.last) return;
    const nameOf = classNames(this.store.dataset());
    for (const set of SETS) {
      const { examples, images } = this.last[set];
      renderTiles(this.boxes[set], examples, images, nameOf, this.onPick, `gallery-${set}`);
    }
    this.wrongEmpty.hidden = this.last.wrong.examples.length > 0;
  }
}
