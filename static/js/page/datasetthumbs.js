/**
 * The dataset picker's thumbnails, drawn from each set's preview (/api/datasets/<name>/preview):
 * 2-D points coloured by label, a 2 × 2 mosaic of sample images, a table's two widest columns
 * as a scatter, series windows as lines, bit sequences as rows of squares ending in their
 * label's colour, text as a few lines of letters, and "?" where the server cannot show a set.
 */
import { fitCanvas } from "../dom.js";
import { labelColor, cssColor, imageClassColor, LUTS } from "../colors.js";
import { extent } from "../tensors.js";
import { drawImage } from "../widgets/pixels.js";
import {
  THUMB_POINT_RADIUS, THUMB_FILL, THUMB_BACKGROUND, INK, IMAGE_VIEWS, SEQ_THUMB,
} from "../constants.js";

const TWO_PI = 2 * Math.PI;
const MOSAIC = IMAGE_VIEWS.thumbMosaic;
const UNAVAILABLE = "?";

/**
 * Draw a dataset's preview into its picker button's canvas. preview: the endpoint's body, or
 * null when the server cannot show the set (e.g. no MNIST files); a 2-D set's points are drawn
 * with `classes` colours on the ±`gridExtent` plane.
 */
export function drawDatasetThumb(canvas, preview, { dataset, classes, gridExtent }) {
  if (!preview) drawUnavailable(canvas);
  else if (preview.images) drawImages(canvas, preview);
  else if (preview.rows) drawTable(canvas, preview);
  else if (preview.series) drawSeries(canvas, preview);
  else if (preview.bits) drawBits(canvas, preview);
  else if (preview.text) drawText(canvas, preview);
  else drawPoints(canvas, preview, { problem: dataset.problem, classes, oneD: dataset.dims === 1, gridExtent });
}

/** The canvas fitted to its CSS size (measured now: drawn once) and filled with the background. */
function background(canvas) {
  const { ctx, width, height } = fitCanvas(canvas, { fresh: true });
  ctx.fillStyle = THUMB_BACKGROUND;
  ctx.fillRect(0, 0, width, height);
  return { ctx, width, height };
}

/** Where v in [low, high] goes along `size` pixels, the data filling THUMB_FILL of them. */
function place(v, low, high, size) {
  return size * ((1 - THUMB_FILL) / 2 + THUMB_FILL * ((v - low) / ((high - low) || 1)));
}

function dot(ctx, x, y, radius, rgb) {
  ctx.fillStyle = cssColor(rgb);
  ctx.beginPath();
  ctx.arc(x, y, radius, 0, TWO_PI);
  ctx.fill();
}

/** 2-D points by label; a 1-D set's preview points are (x, 0) with the targets y as labels. */
function drawPoints(canvas, preview, { problem, classes, oneD, gridExtent: e }) {
  const { ctx, width, height } = background(canvas);
  const style = { problem, classes };
  const ys = oneD ? preview.labels : preview.points.map((p) => p[1]);
  const [yLow, yHigh] = oneD ? [Math.min(...ys), Math.max(...ys)] : [-e, e];
  preview.points.forEach((point, i) => {
    dot(ctx, place(point[0], -e, e, width), height - place(ys[i], yLow, yHigh, height), THUMB_POINT_RADIUS,
      labelColor(preview.labels[i], style));
  });
}

/** A 2 × 2 mosaic of sample images, each drawn crisp on a small canvas, then composed. */
function drawImages(canvas, preview) {
  const { ctx, width } = background(canvas);
  ctx.imageSmoothingEnabled = false;
  const cell = width / MOSAIC;
  const tile = document.createElement("canvas");
  // Different classes where the preview has them, so the mosaic shows the set's variety.
  const seen = new Set();
  const picks = [];
  preview.labels.forEach((label, i) => { if (!seen.has(label)) { seen.add(label); picks.push(i); } });
  for (let n = 0; n < MOSAIC * MOSAIC && n < preview.images.length; n += 1) {
    const rows = preview.images[picks[n] ?? n];
    const h = rows.length;
    const w = rows[0].length;
    drawImage(tile, Uint8Array.from(rows.flat()), h, w, LUTS.ink, w);
    const x = (n % MOSAIC) * cell;
    const y = Math.floor(n / MOSAIC) * cell;
    ctx.drawImage(tile, x + 1, y + 1, cell - 2, cell - 2);
  }
}

/** Indexes of the two columns of `rows` with the largest variance (for a table's scatter). */
function widestColumns(rows) {
  const n = rows.length;
  const variance = rows[0].map((_, j) => {
    const mean = rows.reduce((sum, row) => sum + row[j], 0) / n;
    return rows.reduce((sum, row) => sum + (row[j] - mean) ** 2, 0);
  });
  return variance.map((v, j) => [v, j]).sort((a, b) => b[0] - a[0]).slice(0, 2).map(([, j]) => j);
}

/** A table: its two widest columns as a scatter, coloured by class. */
function drawTable(canvas, preview) {
  const { ctx, width, height } = background(canvas);
  const [a, b] = widestColumns(preview.rows);
  const xs = preview.rows.map((row) => row[a]);
  const ys = preview.rows.map((row) => row[b]);
  const [xLow, xHigh] = [Math.min(...xs), Math.max(...xs)];
  const [yLow, yHigh] = [Math.min(...ys), Math.max(...ys)];
  preview.rows.forEach((_, i) => {
    dot(ctx, place(xs[i], xLow, xHigh, width), height - place(ys[i], yLow, yHigh, height), THUMB_POINT_RADIUS * 2,
      imageClassColor(preview.labels[i]));
  });
}

/** The first windows of a series, one line each. */
function drawSeries(canvas, preview) {
  const { ctx, width, height } = background(canvas);
  const windows = preview.series.slice(0, SEQ_THUMB.lines);
  const [low, high] = extent(Float32Array.from(windows.flat()));
  windows.forEach((values, k) => {
    const shown = values.slice(0, SEQ_THUMB.steps);
    const x = (i) => place(i, 0, shown.length - 1, width);
    const y = (v) => height - place(v, low, high, height);
    ctx.strokeStyle = SEQ_THUMB.colors[k % SEQ_THUMB.colors.length];
    ctx.lineWidth = SEQ_THUMB.lineWidth;
    ctx.beginPath();
    shown.forEach((v, i) => (i ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
    ctx.stroke();
  });
}

/** Rows of bits (ink = 1) and, after a gap, a square in the row's label colour. */
function drawBits(canvas, preview) {
  const { ctx, width, height } = background(canvas);
  const rows = preview.bits.slice(0, SEQ_THUMB.bitRows);
  const steps = Math.min(SEQ_THUMB.bitSteps, rows[0]?.length || 0);
  const pitch = SEQ_THUMB.bitPitch;             // row pitch, in cells: rows with a gap between
  const cell = Math.min(width / (steps + 2), height / (rows.length * pitch + 1 - pitch));
  const left = (width - cell * (steps + 2)) / 2;
  rows.forEach((bits, r) => {
    const top = (height - (rows.length * pitch + 1 - pitch) * cell) / 2 + r * cell * pitch;
    for (let t = 0; t < steps; t += 1) {
      ctx.fillStyle = bits[t] > 0.5 ? cssColor(INK) : "#ffffff";
      ctx.fillRect(left + t * cell + 0.5, top, cell - 1, cell);
    }
    ctx.fillStyle = cssColor(imageClassColor(preview.labels[r]));
    ctx.fillRect(left + (steps + 1) * cell, top, cell, cell);
  });
}

/** A few lines of the text, in small letters. */
function drawText(canvas, preview) {
  const { ctx, width, height } = background(canvas);
  const lineHeight = height / (SEQ_THUMB.textLines + 1);
  ctx.fillStyle = cssColor(INK);
  ctx.font = `700 ${Math.round(lineHeight * SEQ_THUMB.fontScale)}px ${SEQ_THUMB.mono}`;
  ctx.textBaseline = "middle";
  const perLine = Math.max(1, Math.floor(width / (lineHeight * SEQ_THUMB.charWidth)));
  const words = preview.text.replace(/\s+/g, " ").trim();
  for (let line = 0; line < SEQ_THUMB.textLines; line += 1) {
    const text = words.slice(line * perLine, (line + 1) * perLine);
    ctx.fillText(text, lineHeight * SEQ_THUMB.indent, lineHeight * (line + 1));
  }
}

/** The server cannot show this set (e.g. no MNIST files on disk): a large "?". */
function drawUnavailable(canvas) {
  const { ctx, width, height } = background(canvas);
  ctx.fillStyle = getComputedStyle(canvas).color;
  ctx.font = `700 ${Math.round(height / 2)}px ${getComputedStyle(canvas).fontFamily}`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(UNAVAILABLE, width / 2, height / 2);
}
