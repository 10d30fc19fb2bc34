/**
 * The arithmetic of the live per-epoch charts (widgets/chart.js), kept apart from the DOM so
 * Node's test runner checks it: axis ranges that stay put while a run grows, round ticks, tick
 * labels, and the SVG path of a line. Pure functions of numbers.
 */
import { niceCeil, niceTicks } from "../tensors.js";
import { NICE_STEPS } from "../constants.js";

/** Every `stride`-th index of `count`, and always the last one. */
export function stridedIndices(count, stride) {
  const out = [];
  if (!count) return out;
  const step = Math.max(1, stride);
  for (let i = 0; i < count; i += step) out.push(i);
  if ((count - 1) % step) out.push(count - 1);
  return out;
}

/** The x range: from the first epoch to the last while there are few (`wholeUpTo` epochs, a
 *  tick each), then to a round number at or past the last, so the axis moves now and then. */
export function xRange(first, last, { wholeUpTo, axisEnds }) {
  if (first == null) return [0, 1];
  const end = last <= wholeUpTo ? last : niceCeil(last, axisEnds);
  return [first, Math.max(end, first + 1)];
}

/** Whole-epoch ticks over [low, high], at most `count` of them and no closer than `minGap`
 *  pixels of `width` (so labels never run into each other): every epoch while the axis is
 *  short and there is room, else a round step (1, 2 or 5 × 10^k epochs). */
export function xTicks([low, high], count, wholeUpTo, { width = Infinity, minGap = 0 } = {}) {
  const fit = Math.max(1, Math.min(count, Math.floor(width / Math.max(minGap, 1))));
  const span = high - low;
  let step = 1;
  if (!(high <= wholeUpTo && span + 1 <= fit)) {
    const raw = span / fit;
    const magnitude = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
    step = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= raw) ?? 10 * magnitude;
  }
  const ticks = [];
  for (let t = Math.ceil(low / step) * step; t <= high; t += step) ticks.push(t);
  return ticks;
}

/** The y range of the values drawn (nulls, and non-positive values on a log axis, skipped):
 *  linear from 0 to a round number above the largest (+ margin); log on whole `logStep`s of a
 *  decade around them. A fixed `range` wins. Returns [low, high] in axis units (log10 on a log
 *  axis), or null when there is nothing to draw. */
export function yRange(series, { log = false, range = null, margin, axisEnds, logStep }) {
  if (range) return range;
  let low = Infinity;
  let high = -Infinity;
  for (const values of series) {
    for (const v of values) {
      if (v == null || !(log ? v > 0 : Number.isFinite(v))) continue;
      if (v < low) low = v;
      if (v > high) high = v;
    }
  }
  if (!Number.isFinite(high)) return null;
  if (!log) {
    const top = niceCeil((high > 0 ? high : 1) * (1 + margin), axisEnds);
    return [Math.min(0, low), top];
  }
  const a = Math.floor(Math.log10(low) / logStep) * logStep;
  const b = Math.ceil(Math.log10(high) / logStep) * logStep;
  return [a, Math.max(b, a + logStep)].map((v) => v + 0);     // no −0 (a label "−1" would read 10⁻⁰)
}

/** Tick values in axis units: round steps on a linear axis; whole decades on a log one (the
 *  ends too when the range holds fewer than two). */
export function yTicks([low, high], count, log) {
  if (!log) return niceTicks(low, high, count, NICE_STEPS);
  const ticks = [];
  for (let d = Math.ceil(low - 1e-9); d <= high + 1e-9; d += 1) ticks.push(d);
  if (ticks.length >= 2) return ticks;
  return [...new Set([low, ...ticks, high])];     // less than a decade: its ends labelled too
}

const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

/** A tick label: a percentage, 10 to a power on a log axis (whole decades), else a short
 *  number without float noise. */
export function tickLabel(value, { log = false, percent = false } = {}) {
  if (percent) return `${Math.round(value * 100)}%`;
  if (log) {
    if (Number.isInteger(value)) {
      if (value >= 0 && value <= 3) return String(10 ** value);
      return `10${String(value).split("").map((c) => SUPERSCRIPT[c]).join("")}`;
    }
    return shortNumber(10 ** value);
  }
  return shortNumber(value);
}

/** A number in at most 3 significant digits (0.25, 1.5, 1200, 2e-5). */
export function shortNumber(value) {
  if (value === 0) return "0";
  if (Math.abs(value) < 1e-3) return Number(value.toPrecision(2)).toExponential();
  return String(Number(value.toPrecision(3)));
}

/** A value as the hover shows it: a percentage with one decimal, or 4 decimals (fewer digits
 *  would hide a loss that still falls). */
export function hoverValue(value, percent) {
  if (value == null || !Number.isFinite(value)) return "–";
  return percent ? `${(value * 100).toFixed(1)}%` : value.toPrecision(4).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}

/** The SVG path ("M x y L x y …") of `ys` over `xs` at `indices`, skipping missing values (the
 *  line joins over them, as the test loss measured on a time budget needs), mapped by `toX` and
 *  `toY` (which return null for a value the axis cannot show, e.g. 0 on a log axis). */
export function linePath(xs, ys, indices, toX, toY) {
  let d = "";
  for (const i of indices) {
    const v = ys[i];
    if (v == null) continue;
    const y = toY(v);
    if (y == null || !Number.isFinite(y)) continue;
    d += `${d ? "L" : "M"}${toX(xs[i]).toFixed(1)} ${y.toFixed(1)}`;
  }
  return d;
}

/** The index in ascending `xs` nearest to `x` (binary search), or -1 when empty. */
export function nearestIndex(xs, x) {
  if (!xs.length) return -1;
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[lo] - x) <= Math.abs(xs[hi] - x) ? lo : hi;
}
