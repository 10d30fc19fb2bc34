/**
 * Drawing a time × unit heatmap with its axes on one canvas: the codes are painted at their
 * native size (a pixel per step and unit) on a scratch canvas, then stretched without smoothing
 * into the plot area, so 20 steps or 200 fill the width and every cell stays a crisp block.
 * Time runs left to right (step 1 … T), units top to bottom (unit 1 … H).
 */
import { fitCanvas, fontOf } from "../dom.js";
import { stepTicks } from "../tensors.js";
import { RGBA, OPAQUE, AXIS_COLOR, NICE_STEPS, SEQ } from "../constants.js";

const HEAT = SEQ.heat;
const scratch = document.createElement("canvas");
let scratchImage = null;            // reused while the heatmap keeps its shape

/** Pixels per unit row: as tall as room allows within [rowMin, rowMax]; thinner if it must. */
function rowHeight(rows, maxHeight) {
  const room = maxHeight - HEAT.top - HEAT.axisBottom;
  const fit = Math.floor(room / rows);
  return fit >= HEAT.rowMin ? Math.min(HEAT.rowMax, fit) : room / rows;
}

function paintScratch({ codes, rows, cols }, lut) {
  const ctx = scratch.getContext("2d");
  if (scratch.width !== cols || scratch.height !== rows || !scratchImage) {
    scratch.width = cols;
    scratch.height = rows;
    scratchImage = ctx.createImageData(cols, rows);
  }
  const image = scratchImage;
  for (let i = 0; i < codes.length; i += 1) {
    const at = codes[i] * RGBA;
    const o = i * RGBA;
    image.data[o] = lut[at];
    image.data[o + 1] = lut[at + 1];
    image.data[o + 2] = lut[at + 2];
    image.data[o + 3] = OPAQUE;
  }
  ctx.putImageData(image, 0, 0);
}

/**
 * heat: {codes, rows, cols} (tensors.timeUnitCodes); lut: 256 RGBA entries. The canvas's CSS
 * width is the stylesheet's; its height follows the number of units (at most maxHeight).
 */
export function drawHeatmap(canvas, heat, lut, { maxHeight = HEAT.maxHeight, xTitle = "time step →", yTitle = "unit" } = {}) {
  const rowPx = rowHeight(heat.rows, maxHeight);
  const plotHeight = heat.rows * rowPx;
  const height = Math.ceil(HEAT.top + plotHeight + HEAT.axisBottom);
  const cssHeight = `${height}px`;
  if (canvas.style.height !== cssHeight) canvas.style.height = cssHeight;
  const { ctx, width } = fitCanvas(canvas, { height });
  ctx.clearRect(0, 0, width, canvas.height);
  const left = HEAT.axisLeft;
  const plotWidth = Math.max(1, width - left - HEAT.right);
  const colPx = plotWidth / heat.cols;
  paintScratch(heat, lut);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, left, HEAT.top, plotWidth, plotHeight);
  ctx.strokeStyle = AXIS_COLOR;
  ctx.lineWidth = 1;
  ctx.strokeRect(left - 0.5, HEAT.top - 0.5, plotWidth + 1, plotHeight + 1);
  ctx.fillStyle = AXIS_COLOR;
  ctx.font = `600 ${HEAT.font}px ${fontOf(canvas)}`;
  const bottom = HEAT.top + plotHeight;
  // Time ticks under the columns' centres.
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of stepTicks(heat.cols, HEAT.ticksX, NICE_STEPS)) {
    const x = left + (t - 0.5) * colPx;
    ctx.fillRect(x - 0.5, bottom, 1, HEAT.tick);
    ctx.fillText(String(t), x, bottom + HEAT.tick + 1);
  }
  ctx.textAlign = "right";
  ctx.fillText(xTitle, left + plotWidth, bottom + HEAT.tick + HEAT.font + HEAT.labelGap + 1);
  // Unit ticks beside the rows' centres, when the rows are tall enough to point at.
  ctx.textBaseline = "middle";
  const room = plotHeight / (HEAT.font * HEAT.labelSpacing);
  const unitTicks = stepTicks(heat.rows, Math.min(HEAT.ticksY, Math.max(1, room)), NICE_STEPS);
  for (const u of unitTicks) {
    const y = HEAT.top + (u - 0.5) * rowPx;
    ctx.fillRect(left - HEAT.tick, y - 0.5, HEAT.tick, 1);
    ctx.fillText(String(u), left - HEAT.tick - HEAT.labelGap, y);
  }
  ctx.save();
  ctx.translate(HEAT.font, HEAT.top + plotHeight / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText(yTitle, 0, 0);
  ctx.restore();
}
