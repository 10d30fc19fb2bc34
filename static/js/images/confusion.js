/**
 * The confusion matrix on the test set (frame array `confusion` int32 [k, k], rows true class,
 * columns predicted) as a grid of buttons, each tinted by its share of the row (blue on the
 * diagonal, orange off it), with every class's accuracy at the end of its row. Clicking a
 * cell asks the server for those test examples (`examples`) and shows them as tiles.
 */
import { cloneTemplate, part } from "../dom.js";
import { mix, cssColor } from "../colors.js";
import { PanelView } from "../widgets/panelview.js";
import { renderTiles, classNames, percent } from "./tiles.js";
import { decodeArray } from "../frames.js";
import { sameValues } from "../tensors.js";
import { IMAGE_VIEWS, SCALE_COLORS } from "../constants.js";

const WHITE = [255, 255, 255];

/** The tint of a cell: its share of the true class's examples. */
function cellStyle(count, rowTotal, diagonal) {
  const share = rowTotal ? count / rowTotal : 0;
  const strength = IMAGE_VIEWS.cellShadeMax * Math.sqrt(share);
  const colour = mix(WHITE, diagonal ? SCALE_COLORS.positive : SCALE_COLORS.negative, strength);
  return { background: cssColor(colour), light: strength > IMAGE_VIEWS.cellInkSwitch };
}

export class ConfusionView extends PanelView {
  constructor(panel, store, connection, showErrors, onPick) {
    super(panel);
    this.store = store;
    this.connection = connection;
    this.showErrors = showErrors;
    this.onPick = onPick;
    this.grid = panel.querySelector('[data-testid="confusion"]');
    this.examples = panel.querySelector('[data-testid="cell-examples"]');
    this.examplesTitle = panel.querySelector('[data-testid="cell-examples-title"]');
    this.tiles = part(this.examples, "tiles");
    this.key = "";           // dataset and class count the grid was built for
    this.k = 0;
    this.cells = [];
    this.accuracy = [];
    this.selected = null;
  }

  update(frame) {
    if (!frame.arrays.confusion) return;
    this.keep(frame.arrays.confusion);
  }

  /** The counts move only when a test example changes class: most frames repeat them. A grid
   *  built for another dataset is drawn again whatever the counts. */
  same(kept, incoming) {
    return this.key === `${this.store.spec?.data.dataset}|${incoming.shape[0]}`
      && sameValues(kept.shape, incoming.shape) && sameValues(kept.data, incoming.data);
  }

  /** A reset closes the examples; the last matrix stays until the next one comes. */
  render(spec, info = {}) {
    if (info.reset) this.#closeExamples();
  }

  draw() {
    if (!this.last) return;
    const k = this.last.shape[0];
    const key = `${this.store.spec?.data.dataset}|${k}`;
    if (key !== this.key) {
      this.key = key;
      this.#build(k);
    }
    const m = this.last.data;
    for (let t = 0; t < k; t += 1) {
      let total = 0;
      for (let p = 0; p < k; p += 1) total += m[t * k + p];
      for (let p = 0; p < k; p += 1) {
        const count = m[t * k + p];
        const cell = this.cells[t * k + p];
        const { background, light } = cellStyle(count, total, t === p);
        cell.textContent = String(count);
        cell.style.background = background;
        cell.classList.toggle("light", light);
        cell.classList.toggle("zero", count === 0);
      }
      const share = total ? m[t * k + t] / total : 0;
      part(this.accuracy[t], "text").textContent = total ? percent(share) : "–";
      part(this.accuracy[t], "fill").style.width = percent(share);
    }
  }

  #build(k) {
    this.k = k;
    const nameOf = classNames(this.store.dataset());
    this.grid.style.setProperty("--classes", String(k));
    // Long class names ("horizontal line") stand upright above their columns.
    const longest = Math.max(...Array.from({ length: k }, (_, i) => String(nameOf(i)).length));
    this.grid.classList.toggle("long-names", longest > IMAGE_VIEWS.shortName);
    const head = (text, className = "") => {
      const cell = cloneTemplate("tpl-cm-head");
      cell.textContent = text;
      if (className) cell.classList.add(className);
      return cell;
    };
    const items = [head("true ↓  said →", "corner")];
    for (let p = 0; p < k; p += 1) items.push(head(nameOf(p), "col-head"));
    items.push(head("right", "acc-head"));
    this.cells = [];
    this.accuracy = [];
    for (let t = 0; t < k; t += 1) {
      items.push(head(nameOf(t), "row-head"));
      for (let p = 0; p < k; p += 1) {
        const cell = cloneTemplate("tpl-cm-cell");
        cell.dataset.testid = `cm-cell-${t}-${p}`;
        cell.setAttribute("aria-label", `True ${nameOf(t)}, said ${nameOf(p)}: show these examples`);
        cell.addEventListener("click", () => this.#openCell(t, p));
        this.cells.push(cell);
        items.push(cell);
      }
      const accuracy = cloneTemplate("tpl-cm-acc");
      accuracy.dataset.testid = `cm-acc-${t}`;
      this.accuracy.push(accuracy);
      items.push(accuracy);
    }
    this.grid.replaceChildren(...items);
    this.#closeExamples();
  }

  async #openCell(t, p) {
    this.cells.forEach((cell) => cell.classList.remove("selected"));
    this.cells[t * this.k + p]?.classList.add("selected");
    const answer = await this.connection.request("examples", { true: t, pred: p });
    if (!answer.ok) {
      this.showErrors(answer.errors);
      return;
    }
    const nameOf = classNames(this.store.dataset());
    const images = answer.images ? decodeArray(answer.images) : null;
    const count = answer.examples.length;
    const what = t === p ? `${nameOf(t)}, and the network said so` : `${nameOf(t)}, but the network said ${nameOf(p)}`;
    this.examplesTitle.textContent = count
      ? `${count} test example${count === 1 ? "" : "s"}: true ${what}`
      : `No test examples are true ${what}`;
    renderTiles(this.tiles, answer.examples, images, nameOf, this.onPick, "cell-example");
    this.examples.hidden = false;
  }

  #closeExamples() {
    this.examples.hidden = true;
    this.tiles.replaceChildren();
  }
}
