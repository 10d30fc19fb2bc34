/**
 * The gallery of test examples the network gets most confidently wrong and those it is least
 * sure about (frame arrays `gallery_wrong` / `gallery_unsure` uint8 [n, H, W] with scalars of
 * the same names: [{index, label, pred, prob}]). Clicking one picks it for the feature maps.
 */
import { part } from "../dom.js";
import { PanelView } from "../widgets/panelview.js";
import { renderTiles, classNames } from "./tiles.js";

const SETS = ["wrong", "unsure"];

export class GalleryView extends PanelView {
  constructor(panel, store, onPick) {
    super(panel);
    this.store = store;
    this.onPick = onPick;
    this.boxes = Object.fromEntries(SETS.map((set) => [set, panel.querySelector(`[data-testid="gallery-${set}"]`)]));
    this.wrongEmpty = part(panel, "wrong-empty");
  }

  update(frame) {
    if (!frame.gallery_wrong && !frame.gallery_unsure) return;
    this.keep(Object.fromEntries(SETS.map((set) => [set, {
      examples: frame[`gallery_${set}`] || [], images: frame.arrays[`gallery_${set}`] || null,
    }])));
  }

  /** Redrawn only when the examples or what the network says about them changed. */
  same(kept, incoming) {
    return SETS.every((set) => JSON.stringify(kept[set].examples) === JSON.stringify(incoming[set].examples));
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
