/**
 * The hidden neurons' maps of the network diagram, drawn on ONE canvas over the diagram, each
 * into its node's box: a 6×8 net's 48 canvases were 48 composited layers to update on every
 * frame. The boxes are measured with the links' layout (never per frame); the newest maps are
 * kept, so a new layout (a layer added while paused) paints them again at once.
 */
import { fitCanvas } from "../dom.js";
import { paintScale } from "../colors.js";

export class NeuronMaps {
  constructor(area, canvas) {
    this.area = area;
    this.canvas = canvas;
    this.atlas = document.createElement("canvas");   // the maps side by side, native size
    this.tile = null;                                 // one map's ImageData, reused
    this.boxes = [];         // per hidden neuron: its node's content box in the area
    this.neurons = null;     // the newest neurons array (inputs first, then hidden units)
    this.first = 0;          // index of the first hidden unit in it (the number of inputs)
  }

  /** The node elements of the hidden neurons, in frame order; `inputs`: how many come first. */
  measure(nodes, inputs) {
    this.first = inputs;
    const origin = this.area.getBoundingClientRect();
    this.boxes = nodes.map((node) => {
      const r = node.getBoundingClientRect();
      return { x: r.left - origin.left + node.clientLeft, y: r.top - origin.top + node.clientTop, size: node.clientWidth };
    });
    this.paint();
  }

  /** A frame's neurons array; it is drawn only when it fits the boxes measured. */
  show(neurons) {
    this.neurons = neurons;
    this.paint();
  }

  /** The maps painted side by side at their own size, then each scaled into its node's box
   *  (smoothed, as the per-node canvases were). */
  paint() {
    const { ctx, width, height } = fitCanvas(this.canvas);
    ctx.clearRect(0, 0, width, height);
    if (!this.neurons) return;
    const [count, rows, cols] = this.neurons.shape;
    const hidden = count - this.first;
    if (hidden <= 0 || hidden !== this.boxes.length) return;   // a frame of another shape
    if (this.atlas.width !== cols * hidden || this.atlas.height !== rows) {
      this.atlas.width = cols * hidden;
      this.atlas.height = rows;
    }
    const atlas = this.atlas.getContext("2d");
    if (!this.tile || this.tile.width !== cols || this.tile.height !== rows) this.tile = atlas.createImageData(cols, rows);
    const size = rows * cols;
    for (let i = 0; i < hidden; i += 1) {
      const start = (this.first + i) * size;
      paintScale(this.neurons.data.subarray(start, start + size), this.tile, { thumb: true });
      atlas.putImageData(this.tile, i * cols, 0);
    }
    ctx.imageSmoothingEnabled = true;
    this.boxes.forEach((box, i) => ctx.drawImage(this.atlas, i * cols, 0, cols, rows, box.x, box.y, box.size, box.size));
  }
}
