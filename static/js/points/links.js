/**
 * The weights and biases layer of the network diagram: one SVG path per weight (width from |w|,
 * colour from its sign: orange negative, blue positive) and one small square per bias. Hovering
 * or focusing one shows its value in a tooltip; clicking it (or Enter) opens an input that sends
 * `set_weight` / `set_bias`.
 */
import { cssColor } from "../colors.js";
import { formatNumber } from "../dom.js";
import {
  SCALE_COLORS, LINK_WIDTH, LINK_OPACITY, LINK_LEVELS, LINK_DIGITS, BIAS_SIZE, BIAS_GAP, WEIGHT_DIGITS,
} from "../constants.js";

const SVG = "http://www.w3.org/2000/svg";

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

export class LinksLayer {
  constructor(area, connection, showErrors) {
    this.area = area;
    this.connection = connection;
    this.showErrors = showErrors;
    this.svg = area.querySelector('[data-part="links"]');
    this.tooltip = area.querySelector('[data-testid="tooltip"]');
    this.editor = area.querySelector('[data-testid="value-editor"]');
    this.editorInput = this.editor.querySelector("input");
    this.editorLabel = this.editor.querySelector('[data-part="editor-label"]');
    this.columns = [];
    this.links = [];     // [layer][to][from] → {path, hit}
    this.biases = [];    // [layer][unit] → rect
    this.values = new Map();   // element → current value
    this.styled = new Map();   // element → the step (signed) it is drawn at
    this.lookKept = null;
    this.editing = null;
    this.#bindEvents();
  }

  #bindEvents() {
    const target = (event) => event.target.closest?.("[data-kind]");
    this.svg.addEventListener("pointerover", (event) => { const t = target(event); if (t) this.#showTip(t, event); });
    this.svg.addEventListener("pointermove", (event) => { const t = target(event); if (t) this.#placeTip(event); });
    this.svg.addEventListener("pointerout", (event) => { if (target(event)) this.#hideTip(); });
    this.svg.addEventListener("focusin", (event) => { const t = target(event); if (t) this.#showTip(t, null); });
    this.svg.addEventListener("focusout", () => this.#hideTip());
    this.svg.addEventListener("click", (event) => { const t = target(event); if (t) this.#edit(t, event); });
    this.svg.addEventListener("keydown", (event) => {
      const t = target(event);
      if (t && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        this.#edit(t, null);
      }
    });
    this.editor.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#commit();
    });
    this.editorInput.addEventListener("keydown", (event) => { if (event.key === "Escape") this.#closeEditor(); });
    this.editorInput.addEventListener("blur", () => this.#closeEditor());
  }

  /** columns: [{nodes: [element], names: [text]}] from inputs to outputs. */
  setStructure(columns) {
    this.columns = columns;
    this.svg.replaceChildren();
    this.values.clear();
    this.styled.clear();
    const linkGroup = svgElement("g", { class: "link-group" });
    const biasGroup = svgElement("g", { class: "bias-group" });
    this.links = [];
    this.biases = [];
    for (let layer = 0; layer + 1 < columns.length; layer += 1) {
      const from = columns[layer];
      const to = columns[layer + 1];
      this.links.push(to.nodes.map((_, j) => from.nodes.map((__, i) => {
        const path = svgElement("path", { class: "link" });
        const hit = svgElement("path", {
          class: "link-hit", tabindex: 0, role: "button", "data-kind": "weight",
          "data-layer": layer, "data-to": j, "data-from": i,
          "data-testid": `weight-${layer}-${j}-${i}`,
          "aria-label": `Weight from ${from.names[i]} to ${to.names[j]}`,
        });
        linkGroup.append(path, hit);
        return { path, hit };
      })));
      this.biases.push(to.nodes.map((_, j) => {
        const rect = svgElement("rect", {
          class: "bias", width: BIAS_SIZE, height: BIAS_SIZE, tabindex: 0, role: "button",
          "data-kind": "bias", "data-layer": layer, "data-unit": j,
          "data-testid": `bias-${layer}-${j}`, "aria-label": `Bias of ${to.names[j]}`,
        });
        biasGroup.append(rect);
        return rect;
      }));
    }
    this.svg.append(linkGroup, biasGroup);
    this.layout();
  }

  /** Recompute geometry from where the node elements are now. */
  layout() {
    const origin = this.area.getBoundingClientRect();
    this.svg.setAttribute("width", String(origin.width));
    this.svg.setAttribute("height", String(origin.height));
    const boxes = this.columns.map((column) => column.nodes.map((node) => {
      const r = node.getBoundingClientRect();
      return { left: r.left - origin.left, right: r.right - origin.left, top: r.top - origin.top, bottom: r.bottom - origin.top };
    }));
    this.links.forEach((layer, l) => layer.forEach((row, j) => row.forEach(({ path, hit }, i) => {
      const a = boxes[l][i];
      const b = boxes[l + 1][j];
      const x1 = a.right;
      const y1 = (a.top + a.bottom) / 2;
      const x2 = b.left;
      const y2 = (b.top + b.bottom) / 2;
      const mid = (x1 + x2) / 2;
      const d = `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
      path.setAttribute("d", d);
      hit.setAttribute("d", d);
    })));
    this.biases.forEach((layer, l) => layer.forEach((rect, j) => {
      const b = boxes[l + 1][j];
      rect.setAttribute("x", String(b.left - BIAS_SIZE - BIAS_GAP));
      rect.setAttribute("y", String(b.bottom - BIAS_SIZE));
    }));
  }

  /**
   * Restyle from the frame's weight.l [out, in] and bias.l [out] arrays. A link's look is one
   * of LINK_LEVELS steps of |w| and its sign; only links whose step changed are written, as
   * a few hundred attribute writes a frame cost more than the whole map.
   */
  update(arrays) {
    const look = this.#look();
    // A frame of another shape (the answer that rebuilds the diagram has not come yet) waits:
    // the diagram draws it again once it is rebuilt (network.js).
    const fits = (l) => arrays[`weight.${l}`]?.shape[0] === this.links[l].length
      && arrays[`weight.${l}`].shape[1] === this.columns[l].nodes.length;
    if (!this.links.every((_, l) => fits(l))) return;
    this.links.forEach((layer, l) => {
      const weights = arrays[`weight.${l}`];
      const inputs = weights.shape[1];
      layer.forEach((row, j) => row.forEach(({ path, hit }, i) => {
        const w = weights.data[j * inputs + i];
        this.values.set(hit, w);
        const level = this.#restyle(path, w, look);
        if (level == null) return;
        path.setAttribute("stroke", w < 0 ? look.negative : look.positive);
        path.setAttribute("stroke-width", look.widths[level]);
        path.setAttribute("stroke-opacity", look.opacities[level]);
      }));
    });
    this.biases.forEach((layer, l) => {
      const bias = arrays[`bias.${l}`];
      if (!bias || bias.shape[0] !== layer.length) return;
      layer.forEach((rect, j) => {
        const b = bias.data[j];
        this.values.set(rect, b);
        const level = this.#restyle(rect, b, look);
        if (level == null) return;
        rect.setAttribute("fill", b < 0 ? look.negative : look.positive);
        rect.setAttribute("fill-opacity", look.opacities[level]);
      });
    });
    if (this.tipFor) this.#tipText(this.tipFor);
  }

  /** The step of |value| when `element` must be restyled to show it, else null. */
  #restyle(element, value, look) {
    const level = Math.round(Math.min(1, Math.abs(value) / LINK_WIDTH.saturation) * LINK_LEVELS);
    const code = value < 0 ? -1 - level : level;
    if (this.styled.get(element) === code) return null;
    this.styled.set(element, code);
    return level;
  }

  /** Colours and the width and opacity of every step; presenter mode changes them all. */
  #look() {
    const negative = cssColor(SCALE_COLORS.negative);
    const positive = cssColor(SCALE_COLORS.positive);
    const key = `${negative}|${positive}|${LINK_WIDTH.min}|${LINK_WIDTH.max}|${LINK_WIDTH.saturation}`;
    if (this.lookKept?.key === key) return this.lookKept;
    const step = (range, level) => String(Number((range.min + ((range.max - range.min) * level) / LINK_LEVELS)
      .toFixed(LINK_DIGITS)));
    const levels = Array.from({ length: LINK_LEVELS + 1 }, (_, level) => level);
    this.styled.clear();
    this.lookKept = {
      key, negative, positive,
      widths: levels.map((level) => step(LINK_WIDTH, level)),
      opacities: levels.map((level) => step(LINK_OPACITY, level)),
    };
    return this.lookKept;
  }

  #describe(element) {
    return element.dataset.kind === "weight" ? "Weight" : "Bias";
  }

  #tipText(element) {
    const value = this.values.get(element);
    this.tooltip.textContent = `${this.#describe(element)}: ${formatNumber(value, WEIGHT_DIGITS)}`;
  }

  #showTip(element, event) {
    if (this.editing) return;
    this.tipFor = element;
    this.#tipText(element);
    this.tooltip.hidden = false;
    element.classList.add("hover");
    this.#placeTip(event, element);
  }

  #position(event, element) {
    const origin = this.area.getBoundingClientRect();
    if (event) return { x: event.clientX - origin.left, y: event.clientY - origin.top };
    const r = element.getBoundingClientRect();
    return { x: (r.left + r.right) / 2 - origin.left, y: (r.top + r.bottom) / 2 - origin.top };
  }

  #placeTip(event, element = this.tipFor) {
    if (!element) return;
    const { x, y } = this.#position(event, element);
    this.tooltip.style.left = `${x}px`;
    this.tooltip.style.top = `${y}px`;
  }

  #hideTip() {
    this.tipFor?.classList.remove("hover");
    this.tipFor = null;
    this.tooltip.hidden = true;
  }

  #edit(element, event) {
    if (this.connection.readOnly) return;      // a saved experiment: look, don't touch
    this.#hideTip();
    this.editing = element;
    const { x, y } = this.#position(event, element);
    this.editor.style.left = `${x}px`;
    this.editor.style.top = `${y}px`;
    this.editorLabel.textContent = element.getAttribute("aria-label");
    this.editorInput.value = formatNumber(this.values.get(element) ?? 0, WEIGHT_DIGITS);
    this.editor.hidden = false;
    this.editorInput.focus();
    this.editorInput.select();
  }

  async #commit() {
    const element = this.editing;
    const value = Number(this.editorInput.value);
    this.#closeEditor();
    if (!element || this.editorInput.value.trim() === "" || !Number.isFinite(value)) return;
    const d = element.dataset;
    const [event, payload] = d.kind === "weight"
      ? ["set_weight", { layer: Number(d.layer), to: Number(d.to), from: Number(d.from), value }]
      : ["set_bias", { layer: Number(d.layer), unit: Number(d.unit), value }];
    const answer = await this.connection.request(event, payload);
    if (!answer.ok) this.showErrors(answer.errors);
  }

  #closeEditor() {
    if (!this.editing) return;
    const element = this.editing;
    this.editing = null;
    this.editor.hidden = true;
    element.focus?.();
  }
}
