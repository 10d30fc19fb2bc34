/**
 * Picker thumbnails of sequence datasets, from their previews: series windows as lines, bit
 * sequences as rows of squares ending in their label's colour, text as a few lines of letters.
 */
import { fitCanvas } from "../dom.js";
import { cssColor, imageClassColor } from "../colors.js";
import { extent } from "../tensors.js";
import { THUMB_BACKGROUND, THUMB_FILL, INK, SEQ_THUMB } from "../constants.js";

function background(canvas) {
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.fillStyle = THUMB_BACKGROUND;
  ctx.fillRect(0, 0, width, height);
  return { ctx, width, height };
}

/** The first windows of a series, one line each. */
export function drawSeriesThumb(canvas, preview) {
  const { ctx, width, height } = background(canvas);
  const windows = preview.series.slice(0, SEQ_THUMB.lines);
  const [low, high] = extent(Float32Array.from(windows.flat()));
  const pad = (1 - THUMB_FILL) / 2;
  const y = (v) => height * (1 - pad - THUMB_FILL * ((v - low) / ((high - low) || 1)));
  windows.forEach((values, k) => {
    const shown = values.slice(0, SEQ_THUMB.steps);
    const x = (i) => width * (pad + THUMB_FILL * (i / Math.max(1, shown.length - 1)));
    ctx.strokeStyle = SEQ_THUMB.colors[k % SEQ_THUMB.colors.length];
    ctx.lineWidth = SEQ_THUMB.lineWidth;
    ctx.beginPath();
    shown.forEach((v, i) => (i ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
    ctx.stroke();
  });
}

/** Rows of bits (ink = 1) and, after a gap, a square in the row's label colour. */
export function drawBitsThumb(canvas, preview) {
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
export function drawTextThumb(canvas, preview) {
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
