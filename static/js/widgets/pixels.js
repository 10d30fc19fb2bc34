/**
 * Drawing for the image views: uint8-coded tiles go onto a canvas at their native resolution
 * with putImageData, and CSS (`image-rendering: pixelated`) scales the canvas up by an integer
 * factor, so an 8×8 digit stays eight crisp squares a row. Gaps between tiles are transparent.
 */
import { RGBA, OPAQUE } from "../constants.js";
import { showStill } from "../dom.js";

/** Size the canvas's backing store (native pixels) and its CSS box (native × scale). */
function sizeCanvas(canvas, width, height, scale) {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const [cssWidth, cssHeight] = [`${width * scale}px`, `${height * scale}px`];
  if (canvas.style.width !== cssWidth) canvas.style.width = cssWidth;
  if (canvas.style.height !== cssHeight) canvas.style.height = cssHeight;
}

const images = new WeakMap();      // canvas → its ImageData, reused while the size holds

/** A cleared ImageData the size of the canvas's backing store (gaps must stay transparent). */
function blankImage(ctx, canvas) {
  let image = images.get(canvas);
  if (!image || image.width !== canvas.width || image.height !== canvas.height) {
    image = ctx.createImageData(canvas.width, canvas.height);
    images.set(canvas, image);
  } else {
    image.data.fill(0);
  }
  return image;
}

/**
 * tiles: {tiles: [{codes, row?, col?, present?}], h, w}; tiles without row/col fill the grid
 * row by row. lut: 256 RGBA entries. layout: {cols, rows?, scale, gap}.
 */
export function drawTiles(canvas, { tiles, h, w }, lut, { cols, rows, scale, gap }) {
  const rowCount = rows ?? Math.ceil(tiles.length / cols);
  const width = Math.max(1, cols * (w + gap) - gap);
  const height = Math.max(1, rowCount * (h + gap) - gap);
  sizeCanvas(canvas, width, height, scale);
  const ctx = canvas.getContext("2d");
  const image = blankImage(ctx, canvas);
  const out = image.data;
  tiles.forEach((tile, n) => {
    const row = tile.row ?? Math.floor(n / cols);
    const col = tile.col ?? n % cols;
    const top = row * (h + gap);
    const left = col * (w + gap);
    for (let y = 0; y < h; y += 1) {
      for (let x = 0; x < w; x += 1) {
        const i = y * w + x;
        if (tile.present && !tile.present[i]) continue;
        const at = tile.codes[i] * RGBA;
        const o = ((top + y) * width + left + x) * RGBA;
        out[o] = lut[at];
        out[o + 1] = lut[at + 1];
        out[o + 2] = lut[at + 2];
        out[o + 3] = OPAQUE;
      }
    }
  });
  ctx.putImageData(image, 0, 0);
}

/** One uint8 image (codes h×w) drawn `size` CSS pixels wide (integer scale when it can be). */
export function drawImage(canvas, codes, h, w, lut, size) {
  const scale = Math.max(1, Math.round(size / Math.max(h, w)));
  drawTiles(canvas, { tiles: [{ codes }], h, w }, lut, { cols: 1, rows: 1, scale, gap: 0 });
}

/** A horizontal colour bar for a legend: lut codes 0 → 255 from left to right. */
export function drawLegendBar(canvas, lut) {
  const width = 256;
  sizeCanvasKeepCss(canvas, width, 1);
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(width, 1);
  for (let code = 0; code < width; code += 1) {
    image.data.set(lut.subarray(code * RGBA, code * RGBA + RGBA), code * RGBA);
  }
  ctx.putImageData(image, 0, 0);
  showStill(canvas);
}

/** Backing store only: the legend bar's CSS size comes from the stylesheet. */
function sizeCanvasKeepCss(canvas, width, height) {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
}
