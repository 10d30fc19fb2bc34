/**
 * Which page the spec needs: the 2-D playground (points), or the layer builder with the image
 * views (images, tabular) or the sequence views (sequences). Every element marked
 * data-families="a b" is shown only for those dataset families; <body> carries data-family,
 * data-task, data-problem and data-sequence (many_to_many | many_to_one) for the stylesheet.
 * An element marked data-moves="name" lives in whichever [data-home="name"] this family shows
 * (the model's actions: under the 2-D network, where the one-screen layout has room; beside the
 * image and sequence views otherwise).
 */
import { POINT_FAMILY } from "../constants.js";

export class FamilyView {
  constructor(root, store) {
    this.root = root;
    this.store = store;
    this.parts = [...root.querySelectorAll("[data-families]")].map((element) => ({
      element, families: element.dataset.families.split(/\s+/),
    }));
    this.movers = [...root.querySelectorAll("[data-moves]")];
    this.homes = [...root.querySelectorAll("[data-home]")];
  }

  render(spec) {
    const family = this.store.family || POINT_FAMILY;
    document.body.dataset.family = family;
    document.body.dataset.task = spec.model.task || "";
    document.body.dataset.problem = this.store.dataset()?.problem || "";
    document.body.dataset.sequence = this.store.dataset()?.sequence || "";
    for (const { element, families } of this.parts) element.hidden = !families.includes(family);
    for (const mover of this.movers) {
      const home = this.homes.find((h) => h.dataset.home === mover.dataset.moves && !h.hidden);
      if (home && mover.parentElement !== home) home.append(mover);
    }
  }
}
