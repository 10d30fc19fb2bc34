/**
 * The large output view: the network's prediction over the input plane as a heatmap on a
 * <canvas> (putImageData on a grid-sized canvas, scaled up), the training points (and the test
 * points when asked) as outlined circles, axes ticks and a colour legend. 1-D datasets draw the
 * prediction curve over x with the (x, y) points. While a neuron is hovered its map is shown.
 * A hand-placed set draws the points being edited (setPlaced) as they are, all of them, and
 * outlines the held-out ones from the frame when test data is shown; toPlane/toPixel map between
 * the canvas and the plane for the point editor.
 */
import { fitCanvas, sizeOf, fontOf, part, cloneTemplate, formatNumber, showStill, editStill } from "../dom.js";
import { niceTicks } from "../tensors.js";
import { paintScale, paintClasses, labelColor, cssColor, scaleColor, classColor } from "../colors.js";
import {
  PLOT_MARGIN, AXIS_TICK_STEP, AXIS_FONT_PX, AXIS_TICK_LENGTH, AXIS_COLOR, POINT_RADIUS,
  POINT_OUTLINE, TRAIN_OUTLINE, TEST_OUTLINE, CURVE_COLOR, CURVE_WIDTH, CURVE_Y_PADDING,
  CURVE_Y_TICKS, NICE_STEPS, EPSILON, AXIS_LABEL_GAP, TICK_DIGITS, BINARY_CLASSES, POINT_FAMILY,
} from "../constants.js";

const TWO_PI = 2 * Math.PI;

/** Hand-placed [[x1, x2, label]] in the frame's point layout ({x: {data, shape}, y: {data}}). */
function placedSet(points) {
  return {
    x: { data: Float32Array.from(points.flatMap((p) => [p[0], p[1]])), shape: [points.length, 2] },
    y: { data: Float32Array.from(points, (p) => p[2]) },
  };
}

export class OutputView {
  constructor(root, schema) {
    this.schema = schema;
    this.extent = schema.grid.extent;
    this.canvas = root.querySelector('[data-testid="output-canvas"]');
    this.caption = root.querySelector('[data-testid="focus-caption"]');
    const legend = root.querySelector('[data-testid="legend"]');
    this.legendScale = part(legend, "scale");
    this.legendBar = part(legend, "bar");
    this.legendClasses = part(legend, "classes");
    this.grid = document.createElement("canvas");       // the map at its own resolution
    this.gridImage = null;                                // reused: no allocation per frame
    this.overlayCanvas = document.createElement("canvas");
    this.overlayKey = "";
    this.version = 0;            // counts changes of what the overlay shows: data and spec
    this.spec = null;
    this.maps = {};
    this.points = { train: null, test: null };
    this.placed = null;          // [[x1, x2, label]] being edited (hand-placed sets), or null
    this.box = null;             // the plane's square on the canvas, in CSS pixels
    this.focus = null;           // {index, label, thumb: {data, shape}}
    this.legendKey = "";
    new ResizeObserver(() => this.draw()).observe(this.canvas);
  }

  render(spec) {
    this.spec = spec;
    this.version += 1;
    this.#renderLegend();
    this.draw();
  }

  update(frame) {
    const a = frame.arrays;
    for (const set of ["train", "test"]) {
      if (!a[`${set}_x`]) continue;
      this.points[set] = { x: a[`${set}_x`], y: a[`${set}_y`] };
      this.version += 1;
    }
    if (a.output) this.maps = { output: a.output, outputClass: a.output_class, curve: a.curve };
    else if (a.curve) this.maps = { ...this.maps, curve: a.curve };
    this.maps.focus = a.focus || null;
    this.draw();
  }

  /** The hand-placed points to draw instead of the frame's training points (null: the frame's). */
  setPlaced(points) {
    this.placed = points;
    this.version += 1;           // the overlay holds the points
    this.draw();
  }

  /** Canvas CSS pixels → plane coordinates; null outside the plane unless `clamp`. */
  toPlane(px, py, clamp = false) {
    const box = this.box;
    if (!box || box.size <= 0) return null;
    let u = (px - box.x) / box.size;
    let v = (py - box.y) / box.size;
    if (clamp) {
      u = Math.min(1, Math.max(0, u));
      v = Math.min(1, Math.max(0, v));
    } else if (u < 0 || u > 1 || v < 0 || v > 1) {
      return null;
    }
    const e = this.extent;
    return [-e + 2 * e * u, e - 2 * e * v];
  }

  /** Plane coordinates → canvas CSS pixels. */
  toPixel(x, y) {
    const box = this.box;
    const e = this.extent;
    return [box.x + ((x + e) / (2 * e)) * box.size, box.y + ((e - y) / (2 * e)) * box.size];
  }

  /** Show neuron `index` (or the output again with null); thumb is drawn until the full map comes. */
  setFocus(index, label = "", thumb = null) {
    this.focus = index == null ? null : { index, label, thumb };
    this.caption.hidden = index == null;
    this.caption.textContent = index == null ? "" : `Showing ${label}`;
    if (index == null) this.maps.focus = null;
    this.#renderLegend();
    this.draw();
  }

  #dataset() {
    return this.schema.datasets.find((d) => d.name === this.spec.data.dataset) || this.schema.datasets[0];
  }

  #classes() {
    return this.#dataset().problem === "regression" ? 1 : (this.spec.data.classes || BINARY_CLASSES);
  }

  draw() {
    if (!this.spec || (this.#dataset().family || POINT_FAMILY) !== POINT_FAMILY) return;
    const { ctx, width, height } = fitCanvas(this.canvas);
    const size = Math.max(0, Math.min(width - PLOT_MARGIN.left - PLOT_MARGIN.right,
      height - PLOT_MARGIN.top - PLOT_MARGIN.bottom));
    const box = { x: PLOT_MARGIN.left, y: PLOT_MARGIN.top, size };
    this.box = box;
    const plane = `${box.x},${box.y},${box.size}`;
    if (this.canvas.dataset.plane !== plane) this.canvas.dataset.plane = plane;  // for tests
    const curve = this.#dataset().dims === 1 && !this.focus;
    const overlay = this.#overlay(box, curve);
    ctx.clearRect(0, 0, width, height);
    if (curve) {
      ctx.drawImage(overlay, 0, 0, width, height);
      this.#drawCurveLine(ctx, box);
    } else {
      this.#paintMap(ctx, box);
      ctx.drawImage(overlay, 0, 0, width, height);
    }
  }

  /**
   * What stays put while training: the points, the axes and (1-D) the background. Drawn once
   * into an offscreen canvas of the same size, and again only when the data, the spec, the size
   * or the mode changed; each frame then draws the map or the curve and blits this over or
   * under it.
   */
  #overlay(box, curve) {
    const key = `${this.canvas.width}|${this.canvas.height}|${curve}|${this.version}`;
    if (key === this.overlayKey) return this.overlayCanvas;
    this.overlayKey = key;
    const overlay = this.overlayCanvas;
    overlay.width = this.canvas.width;
    overlay.height = this.canvas.height;
    const ratio = this.canvas.width / Math.max(1, sizeOf(this.canvas).width);
    const ctx = overlay.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    if (curve) this.#drawCurveFrame(ctx, box);
    else this.#drawMapFrame(ctx, box);
    this.#drawXAxis(ctx, box);
    return overlay;
  }

  #paintMap(ctx, box) {
    const source = this.focus ? (this.maps.focus || this.focus.thumb) : this.maps.output;
    if (!source) return;
    const discretize = Boolean(this.spec.view.discretize);
    const [rows, cols] = source.shape.slice(-2);
    if (this.grid.width !== cols || this.grid.height !== rows || !this.gridImage) {
      this.grid.width = cols;
      this.grid.height = rows;
      this.gridImage = this.grid.getContext("2d").createImageData(cols, rows);
    }
    const image = this.gridImage;
    const k = this.#classes();
    if (!this.focus && k > BINARY_CLASSES && this.maps.outputClass) {
      paintClasses(this.maps.outputClass.data, source.data, k, image, { discretize });
    } else {
      paintScale(source.data, image, { discretize: discretize && !this.focus });
    }
    this.grid.getContext("2d").putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(this.grid, box.x, box.y, box.size, box.size);
  }

  #drawMapFrame(ctx, box) {
    const e = this.extent;
    const toX = (v) => box.x + ((v + e) / (2 * e)) * box.size;
    const toY = (v) => box.y + ((e - v) / (2 * e)) * box.size;
    this.#drawPoints(ctx, (x, i, cols) => [toX(x[i * cols]), toY(x[i * cols + 1])]);
    this.#drawYAxis(ctx, box, (v) => toY(v), this.#ticks(-e, e), (v) => String(v));
  }

  /** x and y of the 1-D plot, from the data's y range. */
  #curveScale(box) {
    const e = this.extent;
    const [low, high] = this.#yRange();
    return {
      low, high,
      toX: (v) => box.x + ((v + e) / (2 * e)) * box.size,
      toY: (v) => box.y + ((high - v) / (high - low)) * box.size,
    };
  }

  #drawCurveFrame(ctx, box) {
    const { low, high, toX, toY } = this.#curveScale(box);
    ctx.fillStyle = cssColor(scaleColor(0));
    ctx.fillRect(box.x, box.y, box.size, box.size);
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x, box.y, box.size, box.size);
    ctx.clip();
    if (low < 0 && high > 0) {
      ctx.strokeStyle = AXIS_COLOR;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(box.x, toY(0));
      ctx.lineTo(box.x + box.size, toY(0));
      ctx.stroke();
    }
    this.#drawPoints(ctx, (x, i, cols, y) => [toX(x[i * cols]), toY(y[i])]);
    ctx.restore();
    this.#drawYAxis(ctx, box, toY, niceTicks(low, high, CURVE_Y_TICKS, NICE_STEPS), (v) => formatNumber(v, TICK_DIGITS));
  }

  #drawCurveLine(ctx, box) {
    const curve = this.maps.curve;
    if (!curve) return;
    const e = this.extent;
    const { toX, toY } = this.#curveScale(box);
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x, box.y, box.size, box.size);
    ctx.clip();
    ctx.strokeStyle = CURVE_COLOR;
    ctx.lineWidth = CURVE_WIDTH;
    ctx.lineJoin = "round";
    ctx.beginPath();
    const n = curve.data.length;
    for (let i = 0; i < n; i += 1) {
      const px = toX(-e + (2 * e * i) / (n - 1));
      const py = toY(curve.data[i]);
      if (i === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    }
    ctx.stroke();
    ctx.restore();
  }

  /** y range of the 1-D data (train and test targets), padded; kept until the data changes. */
  #yRange() {
    if (this.yRangeFor !== this.version) {
      this.yRangeFor = this.version;
      this.yRangeKept = this.#measureYRange();
    }
    return this.yRangeKept;
  }

  #measureYRange() {
    let low = Infinity;
    let high = -Infinity;
    for (const set of [this.points.train, this.points.test]) {
      if (!set) continue;
      for (const y of set.y.data) {
        low = Math.min(low, y);
        high = Math.max(high, y);
      }
    }
    if (!Number.isFinite(low) || high - low === 0) return [-1, 1];
    const pad = (high - low) * CURVE_Y_PADDING;
    return [low - pad, high + pad];
  }

  #drawPoints(ctx, place) {
    const style = { problem: this.#dataset().problem, classes: this.#classes() };
    const sets = [[this.placed ? placedSet(this.placed) : this.points.train, TRAIN_OUTLINE]];
    if (this.spec.view.show_test_data) sets.push([this.points.test, TEST_OUTLINE]);
    ctx.lineWidth = POINT_OUTLINE;
    for (const [set, outline] of sets) {
      if (!set) continue;
      const cols = set.x.shape[1] || 1;
      const n = set.y.data.length;
      ctx.strokeStyle = outline;
      for (let i = 0; i < n; i += 1) {
        const [px, py] = place(set.x.data, i, cols, set.y.data);
        ctx.fillStyle = cssColor(labelColor(set.y.data[i], style));
        ctx.beginPath();
        ctx.arc(px, py, POINT_RADIUS, 0, TWO_PI);
        ctx.fill();
        ctx.stroke();
      }
    }
  }

  #ticks(low, high) {
    const ticks = [];
    for (let v = low; v <= high + EPSILON; v += AXIS_TICK_STEP) ticks.push(v);
    return ticks;
  }

  #axisStyle(ctx) {
    ctx.fillStyle = AXIS_COLOR;
    ctx.strokeStyle = AXIS_COLOR;
    ctx.lineWidth = 1;
    ctx.font = `${AXIS_FONT_PX}px ${fontOf(this.canvas)}`;
  }

  #drawXAxis(ctx, box) {
    const e = this.extent;
    this.#axisStyle(ctx);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const base = box.y + box.size;
    for (const v of this.#ticks(-e, e)) {
      const px = box.x + ((v + e) / (2 * e)) * box.size;
      ctx.beginPath();
      ctx.moveTo(px, base);
      ctx.lineTo(px, base + AXIS_TICK_LENGTH);
      ctx.stroke();
      ctx.fillText(String(v), px, base + AXIS_TICK_LENGTH + AXIS_LABEL_GAP);
    }
  }

  #drawYAxis(ctx, box, toY, ticks, format) {
    this.#axisStyle(ctx);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of ticks) {
      const py = toY(v);
      ctx.beginPath();
      ctx.moveTo(box.x - AXIS_TICK_LENGTH, py);
      ctx.lineTo(box.x, py);
      ctx.stroke();
      ctx.fillText(format(v), box.x - AXIS_TICK_LENGTH - AXIS_LABEL_GAP, py);
    }
  }

  #renderLegend() {
    // A focused neuron's map is on the −1…1 scale, whatever the output's colours are.
    const k = this.focus ? 1 : this.#classes();
    const oneD = this.#dataset().dims === 1 && !this.focus;
    const key = `${k}|${oneD}`;
    if (key === this.legendKey) return;
    this.legendKey = key;
    this.legendScale.hidden = k > BINARY_CLASSES || oneD;
    this.legendClasses.hidden = k <= BINARY_CLASSES;
    this.legendClasses.replaceChildren();
    for (let i = 0; k > BINARY_CLASSES && i < k; i += 1) {
      const item = cloneTemplate("tpl-legend-class");
      part(item, "swatch").style.background = cssColor(classColor(i));
      part(item, "name").textContent = `Class ${i + 1}`;
      this.legendClasses.append(item);
    }
    if (k <= BINARY_CLASSES && !oneD) requestAnimationFrame(() => this.#drawLegendBar());
  }

  #drawLegendBar() {
    editStill(this.legendBar);
    const { ctx, width, height } = fitCanvas(this.legendBar, { fresh: true });
    for (let x = 0; x < width; x += 1) {
      ctx.fillStyle = cssColor(scaleColor((2 * x) / Math.max(1, width - 1) - 1));
      ctx.fillRect(x, 0, 1, height);
    }
    showStill(this.legendBar);
  }
}
