/**
 * What sits around the layer builder's cards: the input card (the data's shape, and what it is
 * in words), the output card (what the head gives: classes, the next value, characters; an
 * autoencoder's bottleneck) and the totals of parameters and MACs (multiply–accumulates), all from the server's
 * `plan`. Marked stale while the cards show a draft the server has not accepted.
 */
import { part } from "../dom.js";
import { shapeText, compact, whole } from "../tensors.js";
import { SEQUENCE_FAMILY, AUTOENCODER } from "../constants.js";

export class LayerSummary {
  constructor(box, store) {
    this.box = box;
    this.store = store;
    this.found = (id) => box.querySelector(`[data-testid="${id}"]`);
  }

  /** Input and output cards and the totals; `stale` while they describe the accepted net. */
  render(spec, stale) {
    const plan = this.store.plan || [];
    this.found("output-card").classList.toggle("stale", stale);
    this.box.querySelector(".builder-totals").classList.toggle("stale", stale);
    const head = plan[plan.length - 1];
    const dataset = this.store.dataset();
    const inShape = plan[0]?.in_shape || dataset?.shape;
    this.found("input-shape").textContent = shapeText(inShape);
    part(this.box, "input-note").textContent = this.#inputNote(inShape);
    const autoencoder = spec.model.task === AUTOENCODER;
    part(this.box, "output-name").textContent = autoencoder ? "Bottleneck" : "Output";
    this.found("output-shape").textContent = head ? shapeText(head.out_shape) : "–";
    part(this.box, "output-note").textContent = autoencoder
      ? `units; a decoder then rebuilds the ${shapeText(inShape)} input`
      : this.#outputNote(head);
    part(this.box, "output-cost").textContent = head ? `${whole(head.params)} params · ${compact(head.flops)} MACs` : "";
    const total = (key) => plan.reduce((sum, entry) => sum + (entry[key] || 0), 0);
    this.found("total-params").textContent = plan.length ? whole(total("params")) : "–";
    this.found("total-flops").textContent = plan.length ? compact(total("flops")) : "–";
  }

  /** What the input is, in words: an image, a row of numbers, or a sequence of steps. */
  #inputNote(shape) {
    if (this.store.family === SEQUENCE_FAMILY) {
      if (shape?.length === 1) return "characters, one a step";
      return `steps, ${shape?.[1] === 1 ? "one value" : `${shape?.[1]} values`} a step`;
    }
    if (shape?.length === 3) return shape[0] === 1 ? "greyscale image" : `image, ${shape[0]} channels`;
    return "numbers a row";
  }

  /** What the output head gives: classes, or for sequences what it predicts and when. */
  #outputNote(head) {
    if (this.store.family !== SEQUENCE_FAMILY) return "classes (softmax)";
    const dataset = this.store.dataset();
    const units = head?.out_shape[head.out_shape.length - 1];
    let what = "the next value";
    if (dataset?.vocab?.length) what = `scores of the ${units} characters (softmax)`;   // the text's own
    else if (dataset?.problem === "classification") what = units === 1 ? "chance of class 1 (sigmoid)" : "classes (softmax)";
    return head?.note ? `${what}, ${head.note}` : what;
  }
}
