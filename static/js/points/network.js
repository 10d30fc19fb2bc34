/**
 * The network diagram: hidden layer columns with +/− for layers and for neurons per layer, a
 * per-layer activation select (and the top bar's one-for-all activation select), neuron
 * thumbnails from frame.arrays.neurons, the output units, and the links layer between them.
 * Hovering a neuron focuses it (the output view shows its full map).
 *
 * The Activation menu is the spec's model.activation (TF Playground's menu): choosing one sets
 * every hidden layer, "+" adds a layer that takes it, and it stays, enabled, with no hidden
 * layer at all. The newest frame's weights and maps are kept: a shape changed while paused is
 * drawn at once from them (the frame that shows it may come before the answer that builds it).
 */
import { cloneTemplate, part, setText } from "../dom.js";
import { cssColor, classColor } from "../colors.js";
import { LinksLayer } from "./links.js";
import { NeuronMaps } from "./neuronmaps.js";
import { NEW_LAYER_UNITS, NODE_SIZE, NODE_GAP, LAYER_COLUMN_PAD, POINT_FAMILY, PLURAL } from "../constants.js";

/** Layers with neurons get a column; others (e.g. dropout) have no weights to draw. */
function isDense(layer) {
  return layer.units != null;
}

export class NetworkView {
  constructor(root, schema, store, features, connection, showErrors, onFocus) {
    this.schema = schema;
    this.store = store;
    this.features = features;
    this.onFocus = onFocus;
    this.area = root.querySelector('[data-testid="network"]');
    this.layersBox = part(this.area, "layers");
    this.outputBox = part(this.area, "output-nodes");
    this.layerCount = root.querySelector('[data-testid="layer-count"]');
    this.layerWord = root.querySelector('[data-part="layer-word"]');
    this.addLayer = root.querySelector('[data-testid="add-layer"]');
    this.removeLayer = root.querySelector('[data-testid="remove-layer"]');
    this.globalActivation = root.querySelector('[data-testid="activation"]');
    this.links = new LinksLayer(this.area, connection, showErrors);
    this.maps = new NeuronMaps(this.area, part(this.area, "neuron-maps"));
    this.arrays = null;      // the newest frame's arrays (weights, biases): drawn again on a new shape
    this.spec = null;
    this.columns = [];       // per hidden layer: {column, nodes: [{node, name}], index}
    this.outputNodes = [];
    this.outputUnits = 1;
    this.structureKey = "";
    this.#bind();
    new ResizeObserver(() => this.#layout()).observe(this.area);
    document.fonts?.ready.then(() => this.#layout());
  }

  #bind() {
    // A new layer copies the last one's size (with none, the default net's first) and takes the
    // menu's activation, as TF Playground's does.
    this.addLayer.addEventListener("click", () => this.store.update((spec) => {
      const layers = spec.model.layers;
      const starts = this.schema.default_layers?.[POINT_FAMILY] || this.schema.defaults.model.layers;
      const units = layers.filter(isDense).pop()?.units ?? starts[0]?.units ?? NEW_LAYER_UNITS;
      layers.push({ kind: "dense", units, activation: spec.model.activation });
    }));
    this.removeLayer.addEventListener("click", () => this.store.update((spec) => { spec.model.layers.pop(); }));
    this.#fillActivations(this.globalActivation);
    this.globalActivation.addEventListener("change", () => this.store.update((spec) => {
      spec.model.activation = this.globalActivation.value;
      spec.model.layers.filter(isDense).forEach((layer) => { layer.activation = this.globalActivation.value; });
    }));
  }

  #fillActivations(select) {
    for (const activation of this.schema.activations) {
      const option = cloneTemplate("tpl-option");
      option.value = activation.name;
      option.textContent = activation.label;
      select.append(option);
    }
  }

  render(spec) {
    // Image and table models have the layer builder instead (page/layers.js).
    if (this.store.family !== POINT_FAMILY) {
      this.spec = null;
      return;
    }
    this.spec = spec;
    const layers = spec.model.layers;
    const limits = this.schema.limits;
    const maxLayers = limits.max_point_layers ?? limits.max_layers;
    const maxUnits = limits.max_point_units ?? limits.max_units;
    this.layerCount.textContent = String(layers.length);
    setText(this.layerWord, layers.length === 1 ? PLURAL.layer.one : PLURAL.layer.many);
    this.addLayer.disabled = layers.length >= maxLayers;
    this.removeLayer.disabled = layers.length === 0;
    // Columns are the dense layers; `index` is each one's place in spec.model.layers.
    const dense = layers.map((layer, index) => ({ layer, index })).filter(({ layer }) => isDense(layer));
    this.globalActivation.value = spec.model.activation;
    if (dense.length !== this.columns.length
        || dense.some(({ layer, index }, i) => layer.units !== this.columns[i].nodes.length || index !== this.columns[i].index)) {
      this.#buildColumns(dense);
    }
    dense.forEach(({ layer }, i) => {
      const { column } = this.columns[i];
      part(column, "count").textContent = String(layer.units);
      part(column, "word").textContent = layer.units === 1 ? PLURAL.neuron.one : PLURAL.neuron.many;
      part(column, "activation").value = layer.activation;
      part(column, "add").disabled = layer.units >= maxUnits;
      part(column, "remove").disabled = layer.units <= 1;
    });
    this.#syncStructure();
    requestAnimationFrame(() => this.#layout());   // text in the heads may have changed height
  }

  #buildColumns(dense) {
    this.columns = dense.map(({ layer, index }, l) => {
      const column = cloneTemplate("tpl-layer");
      column.dataset.errorFor = `model.layers[${index}]`;
      const add = part(column, "add");
      const remove = part(column, "remove");
      const select = part(column, "activation");
      const label = part(column, "activation-label");
      add.dataset.testid = `add-neuron-${l}`;
      add.setAttribute("aria-label", `Add a neuron to layer ${l + 1}`);
      remove.dataset.testid = `remove-neuron-${l}`;
      remove.setAttribute("aria-label", `Remove a neuron from layer ${l + 1}`);
      part(column, "units").dataset.testid = `layer-units-${l}`;
      select.id = `layer-activation-${l}`;
      select.dataset.testid = `layer-activation-${l}`;
      label.htmlFor = select.id;
      label.textContent = `Activation of layer ${l + 1}`;
      this.#fillActivations(select);
      add.addEventListener("click", () => this.store.update((spec) => { spec.model.layers[index].units += 1; }));
      remove.addEventListener("click", () => this.store.update((spec) => { spec.model.layers[index].units -= 1; }));
      select.addEventListener("change", () => this.store.update((spec) => {
        spec.model.layers[index].activation = select.value;
        // When every layer now agrees, the menu (and the next "+") follows them.
        const names = new Set(spec.model.layers.filter(isDense).map((layer) => layer.activation));
        if (names.size === 1) spec.model.activation = select.value;
      }));
      const nodes = [];
      for (let j = 0; j < layer.units; j += 1) nodes.push(this.#buildNeuron(column, l, j));
      return { column, nodes, index };
    });
    this.layersBox.replaceChildren(...this.columns.map((c) => c.column));
  }

  /** Index of hidden neuron (l, j) in frame.arrays.neurons: inputs first, then layer by layer. */
  #neuronIndex(l, j) {
    const before = this.columns.slice(0, l).reduce((sum, column) => sum + column.nodes.length, 0);
    return this.spec.data.features.length + before + j;
  }

  #buildNeuron(column, l, j) {
    const row = cloneTemplate("tpl-neuron");
    const node = row.querySelector(".node");
    const name = `layer ${l + 1}, neuron ${j + 1}`;
    node.dataset.testid = `neuron-${l}-${j}`;
    node.setAttribute("aria-label", `Neuron ${j + 1} of layer ${l + 1}`);
    const enter = () => {
      const index = this.#neuronIndex(l, j);
      this.onFocus(index, name, this.thumbs?.[index] || null);
    };
    const leave = () => this.onFocus(null);
    node.addEventListener("pointerenter", enter);
    node.addEventListener("focus", enter);
    node.addEventListener("pointerleave", leave);
    node.addEventListener("blur", leave);
    part(column, "nodes").append(row);
    return { node, name };
  }

  #buildOutputNodes(count) {
    this.outputNodes = [];
    const rows = [];
    for (let j = 0; j < count; j += 1) {
      const row = cloneTemplate("tpl-output-node");
      const node = row.querySelector(".node");
      node.dataset.testid = `output-node-${j}`;
      rows.push(row);
      this.outputNodes.push(node);
    }
    this.outputBox.replaceChildren(...rows);
  }

  /** Rebuild the links when features, layer sizes or output units changed. */
  #syncStructure() {
    if (!this.spec) return;
    const features = this.spec.data.features;
    const key = JSON.stringify([features, this.columns.map((c) => c.nodes.length), this.outputUnits]);
    if (key === this.structureKey) return;
    this.structureKey = key;
    if (this.outputNodes.length !== this.outputUnits) this.#buildOutputNodes(this.outputUnits);
    // Several output units are the classes: colour them like the legend.
    this.outputNodes.forEach((node, j) => {
      node.style.background = this.outputUnits > 1 ? cssColor(classColor(j)) : "";
    });
    this.#sizeNodes();
    const label = (name) => this.schema.features.find((f) => f.name === name)?.label || name;
    const columns = [
      { nodes: features.map((f) => this.features.nodeFor(f)), names: features.map((f) => `input ${label(f)}`) },
      ...this.columns.map((c) => ({ nodes: c.nodes.map((n) => n.node), names: c.nodes.map((n) => n.name) })),
      { nodes: this.outputNodes, names: this.outputNodes.map((_, j) => (this.outputUnits > 1 ? `output ${j + 1}` : "the output")) },
    ];
    this.links.setStructure(columns);
    if (this.arrays) this.links.update(this.arrays);
  }

  /** Node size so that the tallest column fits the area's height and all columns its width. */
  #sizeNodes() {
    const tallest = Math.max(this.schema.features.length, ...this.columns.map((c) => c.nodes.length), 1);
    const head = this.area.querySelector(".column-head")?.offsetHeight || 0;
    const byHeight = (this.area.clientHeight - head) / tallest - NODE_GAP;
    const fixed = [...this.area.querySelectorAll(".features-column, .output-nodes-column")]
      .reduce((sum, column) => sum + column.offsetWidth, 0);
    const layers = Math.max(1, this.columns.length);
    const byWidth = (this.area.clientWidth - fixed) / layers - LAYER_COLUMN_PAD;
    const size = Math.floor(Math.min(byHeight, byWidth));
    const clamped = Math.max(NODE_SIZE.min, Math.min(NODE_SIZE.max, size));
    this.area.style.setProperty("--node-size", `${clamped}px`);
  }

  #layout() {
    if (!this.spec) return;
    this.#sizeNodes();
    this.links.layout();
    this.maps.measure(this.columns.flatMap(({ nodes }) => nodes.map(({ node }) => node)), this.spec.data.features.length);
  }

  update(frame) {
    if (!this.spec) return;
    const a = frame.arrays;
    const last = Object.keys(a).filter((k) => k.startsWith("weight.")).map((k) => Number(k.split(".")[1]));
    if (last.length) {
      this.arrays = a;
      const outputWeights = a[`weight.${Math.max(...last)}`];
      if (outputWeights.shape[0] !== this.outputUnits) {
        this.outputUnits = outputWeights.shape[0];
        this.#syncStructure();
      }
    }
    if (a.neurons) this.#keepThumbs(a.neurons);
    this.links.update(a);
  }

  /** Every neuron's map as a thumbnail the output view shows while it is hovered. */
  #keepThumbs(neurons) {
    const [count, rows, cols] = neurons.shape;
    const size = rows * cols;
    this.thumbs = [];
    for (let i = 0; i < count; i += 1) {
      this.thumbs.push({ data: neurons.data.subarray(i * size, (i + 1) * size), shape: [rows, cols] });
    }
    this.maps.show(neurons);
  }
}
