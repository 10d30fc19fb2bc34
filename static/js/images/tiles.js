/**
 * Example tiles shared by the confusion examples and the gallery: a test example's image (dark
 * ink on white, upscaled crisp), "true → said" in large type and the probability under it.
 * Clicking a tile picks that example for the feature maps.
 */
import { cloneTemplate, part } from "../dom.js";
import { LUTS } from "../colors.js";
import { drawImage } from "../widgets/pixels.js";
import { IMAGE_VIEWS, PERCENT } from "../constants.js";

export function percent(p) {
  return `${(p * PERCENT).toFixed(IMAGE_VIEWS.probDigits)}%`;
}

/**
 * Show one tile per example in `box`. examples: [{index, label, pred, prob}]; images: uint8
 * {shape: [n, H, W], data} or null (tables); nameOf(class index) → text; onPick(index).
 * Tiles are updated in place while their number stays, so a click during training lands.
 */
export function renderTiles(box, examples, images, nameOf, onPick, testid) {
  if (box.children.length !== examples.length) {
    box.replaceChildren(...examples.map((_, n) => {
      const tile = cloneTemplate("tpl-tile");
      tile.dataset.testid = `${testid}-${n}`;
      tile.addEventListener("click", () => onPick(Number(tile.dataset.index)));
      return tile;
    }));
  }
  const [, h, w] = images?.shape || [];
  const size = h * w;
  examples.forEach((example, n) => {
    const tile = box.children[n];
    const canvas = part(tile, "canvas");
    canvas.hidden = !images;
    if (images) drawImage(canvas, images.data.subarray(n * size, (n + 1) * size), h, w, LUTS.ink, IMAGE_VIEWS.thumbSize);
    const right = example.label === example.pred;
    const said = nameOf(example.pred);
    const truth = nameOf(example.label);
    part(tile, "main").textContent = right ? String(truth) : `${truth} → ${said}`;
    part(tile, "sub").textContent = percent(example.prob);
    tile.classList.toggle("wrong", !right);
    tile.dataset.index = String(example.index);
    tile.setAttribute("aria-label",
      `Test example ${example.index}: true ${truth}, the network said ${said} (${percent(example.prob)}). Look inside.`);
  });
}

/** Names of the dataset's classes (index → text), numbers when the schema has none. */
export function classNames(dataset) {
  const names = dataset?.class_names || [];
  return (i) => names[i] ?? String(i);
}
