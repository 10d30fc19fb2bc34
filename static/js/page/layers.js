/**
 * The layer builder of image, table and sequence models: one card per layer (kind select, that
 * kind's fields rendered from the schema, remove and move buttons), an "add a layer" menu, and
 * for every layer the output shape, parameters and MACs (multiply–accumulates) from the server's `plan` (the input
 * and output cards and the totals around them: layersummary.js).
 *
 * Edits go to a draft that is sent whole with `configure`. An impossible draft (kernel larger
 * than its input, ...) is refused by the server with the layer's path: the draft stays on
 * screen, the error sits in that layer's card, and training is blocked until it is fixed.
 */
import { cloneTemplate, part, testIdFor, formatNumber } from "../dom.js";
import { shapeText, compact, whole } from "../tensors.js";
import { LayerSummary } from "./layersummary.js";
import {
  POINT_FAMILY, AUTOENCODER, SPATIAL_FIELD, SLIDER_DIGITS, CARD_LABELS, VOCAB_KINDS,
} from "../constants.js";

const FIELD_PREFIX = "model.layers[].";
const ACTIVATION = "activation";

/** Equal layers (or lists of layers), whatever order their keys were written in. */
function sameLayers(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameLayers(x, b[i]));
  }
  if (!a || !b) return a === b;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

export class LayersView {
  constructor(root, schema, store, onBlocked) {
    this.schema = schema;
    this.store = store;
    this.onBlocked = onBlocked;
    this.kinds = new Map(schema.layer_kinds.map((kind) => [kind.kind, kind]));
    this.box = root.querySelector('[data-testid="layer-builder"]');
    this.list = part(this.box, "cards");
    this.addSelect = this.box.querySelector('[data-testid="add-layer-kind"]');
    this.bottleneck = part(this.box, "bottleneck");
    this.summary = new LayerSummary(this.box, store);
    this.draft = [];
    this.pending = false;      // the draft was sent and not (yet) accepted
    this.cards = [];
    this.structure = "";
    this.blocked = false;
    this.allowed = [];         // layer kinds this dataset and task take
    this.addSelect.addEventListener("change", () => {
      const kind = this.addSelect.value;
      this.addSelect.value = "";
      if (kind) this.#edit((draft) => draft.splice(this.#insertAt(kind, draft), 0, this.#newLayer(kind)), true);
    });
  }

  /** The kinds a family (and task) takes, as the schema says; token kinds need a vocabulary. */
  #allowedKinds(family, task) {
    const tokens = Boolean(this.store.dataset()?.vocab?.length);
    return this.schema.layer_kinds
      .filter((kind) => kind.families.includes(family) && kind.tasks.includes(task))
      .filter((kind) => tokens || !VOCAB_KINDS.includes(kind.kind))
      .map((kind) => kind.kind);
  }

  /** Fill a select with the allowed kinds (plus `current`, so a refused one still shows). */
  #fillKinds(select, current = null) {
    for (const kind of this.schema.layer_kinds) {
      if (!this.allowed.includes(kind.kind) && kind.kind !== current) continue;
      const option = cloneTemplate("tpl-option");
      option.value = kind.kind;
      option.textContent = kind.label;
      select.append(option);
    }
  }

  #buildAddMenu() {
    const prompt = cloneTemplate("tpl-option");
    prompt.value = "";
    prompt.textContent = "+ Add a layer…";
    this.addSelect.replaceChildren(prompt);
    this.#fillKinds(this.addSelect);
    this.addSelect.value = "";
  }

  /** A new layer of `kind` with the schema's defaults for it. */
  #newLayer(kind, from = null) {
    const layer = { kind, ...this.kinds.get(kind).defaults };
    if (from?.activation && layer.activation !== undefined) layer.activation = from.activation;
    return layer;
  }

  /** A token kind (embedding) first; else after the last layer of the same kind; a new spatial
   * kind after the last image-shaped output; anything else at the end. */
  #insertAt(kind, draft) {
    if (VOCAB_KINDS.includes(kind)) return 0;
    const last = draft.map((layer) => layer.kind).lastIndexOf(kind);
    if (last >= 0) return last + 1;
    if (!this.kinds.get(kind).fields.includes(SPATIAL_FIELD)) return draft.length;
    const plan = this.store.plan || [];
    let at = 0;
    plan.forEach((entry) => { if (entry.index != null && entry.out_shape.length === 3) at = entry.index + 1; });
    return Math.min(at, draft.length);
  }

  /** Apply `change` to the draft, show it, send it. */
  #edit(change, structural = false) {
    change(this.draft);
    this.pending = true;
    if (structural) this.#buildCards();
    const layers = structuredClone(this.draft);
    this.store.update((spec) => { spec.model.layers = layers; });
  }

  render(spec, info = {}) {
    if (this.store.family === POINT_FAMILY) {
      this.#setBlocked(false);
      return;
    }
    const layers = spec.model.layers;
    const allowed = this.#allowedKinds(this.store.family, spec.model.task);
    if (allowed.join() !== this.allowed.join()) {
      this.allowed = allowed;
      this.structure = "";        // kind selects list the allowed kinds: rebuild them
      this.#buildAddMenu();
    }
    if (!info.rejected || !this.pending) {
      this.draft = structuredClone(layers);
      this.pending = false;
    }
    if (this.#structureKey() !== this.structure) this.#buildCards();
    this.#fill(layers);
    this.summary.render(spec, this.pending && !sameLayers(this.draft, layers));
    this.bottleneck.hidden = spec.model.task !== AUTOENCODER;
    this.addSelect.disabled = this.draft.length >= this.schema.limits.max_layers;
    this.#setBlocked(this.pending && info.rejected && !sameLayers(this.draft, layers));
  }

  #setBlocked(blocked) {
    if (blocked === this.blocked) return;
    this.blocked = blocked;
    this.onBlocked(blocked);
  }

  #structureKey() {
    return this.draft.map((layer) => layer.kind).join(",");
  }

  #buildCards() {
    this.structure = this.#structureKey();
    this.cards = this.draft.map((layer, i) => this.#buildCard(layer, i));
    this.list.replaceChildren(...this.cards.map((card) => card.element));
  }

  #buildCard(layer, i) {
    const element = cloneTemplate("tpl-layer-card");
    const n = i + 1;
    element.dataset.testid = `layer-card-${i}`;
    element.dataset.errorFor = `model.layers[${i}]`;
    element.dataset.kind = layer.kind;
    part(element, "index").textContent = String(n);
    const kind = part(element, "kind");
    kind.id = `card-kind-${i}`;
    kind.dataset.testid = `card-kind-${i}`;
    part(element, "kind-label").htmlFor = kind.id;
    part(element, "kind-label").textContent = `Kind of layer ${n}`;
    part(element, "kind-wrap").dataset.errorFor = `model.layers[${i}].kind`;
    this.#fillKinds(kind, layer.kind);
    kind.value = layer.kind;
    kind.addEventListener("change", () => this.#edit((draft) => {
      draft[i] = this.#newLayer(kind.value, draft[i]);
    }, true));
    const buttons = {
      up: [`Move layer ${n} up`, (draft) => draft.splice(i - 1, 2, draft[i], draft[i - 1])],
      down: [`Move layer ${n} down`, (draft) => draft.splice(i, 2, draft[i + 1], draft[i])],
      remove: [`Remove layer ${n}`, (draft) => draft.splice(i, 1)],
    };
    for (const [name, [label, change]] of Object.entries(buttons)) {
      const button = part(element, name);
      button.dataset.testid = `card-${name}-${i}`;
      button.setAttribute("aria-label", label);
      button.title = label;
      button.addEventListener("click", () => this.#edit(change, true));
    }
    part(element, "up").disabled = i === 0;
    part(element, "down").disabled = i === this.draft.length - 1;
    const inputs = {};
    const fields = part(element, "fields");
    for (const name of this.kinds.get(layer.kind).fields) {
      if (name === ACTIVATION) {
        inputs[name] = this.#buildActivation(element, i);
        continue;
      }
      const control = this.#buildField(name, i);
      inputs[name] = control.input;
      fields.append(control.element);
    }
    fields.hidden = fields.children.length === 0;
    if (!inputs[ACTIVATION]) part(element, "act-wrap").remove();     // a kind without one
    for (const name of ["shape", "params", "flops"]) part(element, name).dataset.testid = `card-${name}-${i}`;
    return { element, inputs };
  }

  /** The activation select sits in the card's head, beside the kind. */
  #buildActivation(card, i) {
    const field = this.schema.fields[`${FIELD_PREFIX}${ACTIVATION}`];
    const wrap = part(card, "act-wrap");
    const select = part(card, "act");
    const label = part(card, "act-label");
    wrap.hidden = false;
    wrap.dataset.errorFor = `model.layers[${i}].${ACTIVATION}`;
    select.id = `card-activation-${i}`;
    select.dataset.testid = select.id;
    label.htmlFor = select.id;
    label.textContent = `${field.label} of layer ${i + 1}`;
    select.title = field.label;
    for (const choice of field.choices) {
      const option = cloneTemplate("tpl-option");
      option.value = choice;
      option.textContent = field.labels?.[choice] ?? choice;
      select.append(option);
    }
    select.addEventListener("change", () => this.#edit((draft) => { draft[i][ACTIVATION] = select.value; }));
    return select;
  }

  #buildField(name, i) {
    const field = this.schema.fields[`${FIELD_PREFIX}${name}`];
    const element = cloneTemplate("tpl-card-number");
    element.dataset.errorFor = `model.layers[${i}].${name}`;
    const input = part(element, "input");
    const label = part(element, "label");
    input.id = `card-${testIdFor(name)}-${i}`;
    input.dataset.testid = input.id;
    label.htmlFor = input.id;
    label.textContent = CARD_LABELS[name] || field?.label || name;
    label.title = field?.label || name;
    input.setAttribute("aria-label", `${field?.label || name} of layer ${i + 1}`);
    input.min = String(field.min);
    input.max = String(field.max);
    input.step = String(field.step ?? (field.type === "integer" ? 1 : "any"));
    input.addEventListener("change", () => {
      if (input.value.trim() === "") return;
      this.#edit((draft) => { draft[i][name] = Number(input.value); });
    });
    return { element, input };
  }

  /** Values from the draft; shapes and costs from the plan where the draft matches the spec. */
  #fill(accepted) {
    const plan = this.store.plan || [];
    const firstChange = this.draft.findIndex((layer, i) => !sameLayers(layer, accepted[i]));
    const valid = this.pending ? (firstChange < 0 ? this.draft.length : firstChange) : this.draft.length;
    this.draft.forEach((layer, i) => {
      const { element, inputs } = this.cards[i];
      for (const [name, input] of Object.entries(inputs)) {
        const value = layer[name];
        if (value === undefined) continue;
        if (document.activeElement !== input || input.value === "") {
          input.value = typeof value === "number" ? formatNumber(value, SLIDER_DIGITS) : String(value);
        }
      }
      const entry = i < valid ? plan.find((p) => p.index === i) : null;
      part(element, "shape").textContent = entry ? shapeText(entry.out_shape) : "–";
      part(element, "params").textContent = entry ? whole(entry.params) : "–";
      part(element, "flops").textContent = entry ? compact(entry.flops) : "–";
      part(element, "note").textContent = entry?.note || "";
      element.classList.toggle("stale", !entry);
    });
  }
}
