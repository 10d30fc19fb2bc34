/**
 * Maths of the image views, apart from drawing: slicing frame arrays into tiles, normalising
 * them into uint8 codes for a colour lookup table, laying tiles out as a mosaic, re-binning
 * histograms onto a common axis, nice axis ticks, and the words and numbers the layer cards show.
 */
import { UINT8_MAX, UINT8_HALF, COMPACT, WHOLE } from "./constants.js";

/** Largest |x| of data[start:end] (1 when all are zero, so dividing is safe). */
export function maxAbs(data, start = 0, end = data.length) {
  let m = 0;
  for (let i = start; i < end; i += 1) m = Math.max(m, Math.abs(data[i]));
  return m || 1;
}

/** Element by element equality of two arrays (typed or plain); false when either is missing. */
export function sameValues(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** [min, max] of data[start:end]. */
export function extent(data, start = 0, end = data.length) {
  let low = Infinity;
  let high = -Infinity;
  for (let i = start; i < end; i += 1) {
    low = Math.min(low, data[i]);
    high = Math.max(high, data[i]);
  }
  return Number.isFinite(low) ? [low, high] : [0, 0];
}

/** v / bound in [-1, 1] → uint8 code round((t + 1) · 127.5), the diverging scale's domain. */
function divergingCode(v, bound) {
  const t = Math.max(-1, Math.min(1, v / bound));
  return Math.round((t + 1) * UINT8_HALF);
}

/**
 * Conv filters [out, in, k, k] as tiles, one per (input channel, filter): row = input channel,
 * column = filter. mode "filter" scales each filter by its own largest |w|, "layer" the whole
 * layer by one; `bound` is the layer's largest |w| either way (for the legend).
 */
export function filterTiles(array, mode) {
  const [out, inputs, kh, kw] = array.shape;
  const { data } = array;
  const size = kh * kw;
  const bound = maxAbs(data);
  const tiles = [];
  for (let o = 0; o < out; o += 1) {
    const scale = mode === "filter" ? maxAbs(data, o * inputs * size, (o + 1) * inputs * size) : bound;
    for (let c = 0; c < inputs; c += 1) {
      const codes = new Uint8Array(size);
      const start = (o * inputs + c) * size;
      for (let i = 0; i < size; i += 1) codes[i] = divergingCode(data[start + i], scale);
      tiles.push({ codes, row: c, col: o });
    }
  }
  return { tiles, rows: inputs, cols: out, h: kh, w: kw, bound };
}

/** A value in [low, high] → 0..255 (a flat map is mid-scale). */
function sequentialCode(v, low, high) {
  if (high <= low) return Math.round(UINT8_HALF);
  return Math.round(((v - low) / (high - low)) * UINT8_MAX);
}

/**
 * One layer's output for the sample: [C, H, W] maps, or [units] drawn as one tile with
 * `columns` units a row. Scaled by the layer's own [min, max] so every layer shows its pattern.
 */
export function activationTiles(array, columns) {
  const { data, shape } = array;
  const [low, high] = extent(data);
  if (shape.length === 1) {
    const units = shape[0];
    const w = Math.min(units, columns);
    const h = Math.ceil(units / w);
    const codes = new Uint8Array(w * h).fill(0);
    const present = new Uint8Array(w * h);
    for (let i = 0; i < units; i += 1) {
      codes[i] = sequentialCode(data[i], low, high);
      present[i] = 1;
    }
    return { tiles: [{ codes, present }], h, w, low, high, count: 1 };
  }
  const [channels, h, w] = shape;
  const size = h * w;
  const tiles = [];
  for (let c = 0; c < channels; c += 1) {
    const codes = new Uint8Array(size);
    for (let i = 0; i < size; i += 1) codes[i] = sequentialCode(data[c * size + i], low, high);
    tiles.push({ codes });
  }
  return { tiles, h, w, low, high, count: channels };
}

/** uint8 images [n, H, W] → tiles (the pixel values are their own codes). */
export function imageTiles(array) {
  const [n, h, w] = array.shape;
  const size = h * w;
  const tiles = [];
  for (let i = 0; i < n; i += 1) tiles.push({ codes: array.data.subarray(i * size, (i + 1) * size) });
  return { tiles, h, w };
}

/**
 * Where n tiles of h×w native pixels go: the integer CSS scale (as large as fits, at least
 * enough for `minTile` CSS px, at most maxScale) and how many columns fit `available` CSS px.
 */
export function mosaicLayout(n, h, w, available, { gap, minTile, maxScale }) {
  const minScale = Math.max(1, Math.ceil(minTile / Math.max(h, w)));
  const fitAll = Math.floor(available / Math.max(1, n * (w + gap)));
  const scale = Math.max(minScale, Math.min(maxScale, fitAll));
  const cols = Math.max(1, Math.min(n, Math.floor((available + gap * scale) / ((w + gap) * scale))));
  return { scale, cols, rows: Math.ceil(n / cols) };
}

/** The largest integer scale at which `native` pixels fit `available` CSS pixels (≥ 1). */
export function fitScale(native, available, maxScale) {
  return Math.max(1, Math.min(maxScale, Math.floor(available / Math.max(1, native))));
}

/**
 * A histogram whose `counts` bins span ±range, re-binned onto `rows` rows spanning ±common
 * (row 0 at the top: +common): each bin's count is spread over the rows its interval covers,
 * as a density, then scaled so the densest row is 1 (the shape shows whatever the count).
 */
export function rebin(counts, range, common, rows) {
  const out = new Float32Array(rows);
  const bins = counts.length;
  const rowOf = (v) => ((common - v) / (2 * common)) * rows;      // fractional row of a value
  for (let b = 0; b < bins; b += 1) {
    if (!counts[b]) continue;
    const top = rowOf(-range + ((b + 1) * 2 * range) / bins);
    const bottom = rowOf(-range + (b * 2 * range) / bins);
    const density = counts[b] / Math.max(bottom - top, 1e-9);
    for (let r = Math.max(0, Math.floor(top)); r < Math.min(rows, Math.ceil(bottom)); r += 1) {
      out[r] += density * (Math.min(bottom, r + 1) - Math.max(top, r));
    }
  }
  let peak = 0;
  for (const v of out) peak = Math.max(peak, v);
  if (peak > 0) for (let r = 0; r < rows; r += 1) out[r] /= peak;
  return out;
}

/** A layer's output shape as a person reads it: images H×W×C ("8×8×16"), flat ones "64". */
export function shapeText(shape) {
  if (!shape || shape.length === 0) return "–";
  if (shape.length === 3) return `${shape[1]}×${shape[2]}×${shape[0]}`;
  return shape.join("×");
}

export function compact(n) {
  return n == null ? "–" : COMPACT.format(n);
}

export function whole(n) {
  return n == null ? "–" : WHOLE.format(n);
}

/** Words for a recurrent layer's two weight matrices (torch's weight_ih / weight_hh). */
const RECURRENT_WEIGHTS = { ih: "input → memory", hh: "memory → memory" };

/**
 * "blocks.2.conv.weight" → {layer: 2, part: "conv"}; "blocks.0.weight" (an embedding) →
 * {layer: 0}; "blocks.1.rnn.weight_hh_l0" → {layer: 1, part: "rnn", detail: "memory → memory"}
 * (stacked levels past the first are named); "head.weight" → {head: true}.
 */
export function parameterPlace(name) {
  const block = /(?:^|\.)blocks\.(\d+)\.(\w+)\.weight$/.exec(name);
  const encoder = name.startsWith("encoder.");
  if (block) return { layer: Number(block[1]), part: block[2], encoder };
  const recurrent = /(?:^|\.)blocks\.(\d+)\.(\w+)\.weight_(ih|hh)_l(\d+)$/.exec(name);
  if (recurrent) {
    const level = Number(recurrent[4]);
    const detail = `${RECURRENT_WEIGHTS[recurrent[3]]}${level ? `, level ${level + 1}` : ""}`;
    return { layer: Number(recurrent[1]), part: recurrent[2], detail };
  }
  const plain = /^blocks\.(\d+)\.weight$/.exec(name);
  if (plain) return { layer: Number(plain[1]) };
  if (/(?:^|\.)head\.weight$/.test(name)) return { head: true, encoder };
  const decoder = /^decoder\.(\d+)\.weight$/.exec(name);
  if (decoder) return { decoder: Number(decoder[1]) };
  return { name };
}

/**
 * Names of layers from the schema's `layer_kinds` labels: name(2, "conv") → "Layer 3 ·
 * Convolution"; a kind without a label reads `fallback` (the kind itself unless given).
 */
export function layerNamer(layerKinds) {
  const labels = Object.fromEntries(layerKinds.map((k) => [k.kind, k.label]));
  return (index, kind, fallback = kind || "") => `Layer ${index + 1} · ${labels[kind] || fallback}`;
}

/** Index of the largest value. */
export function argmax(data) {
  let best = 0;
  for (let i = 1; i < data.length; i += 1) if (data[i] > data[best]) best = i;
  return best;
}

/** A raw tick step rounded to a "nice" one: niceSteps {limit, step} (constants NICE_STEPS). */
export function niceStep(raw, niceSteps) {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const index = niceSteps.limit.findIndex((limit) => raw / magnitude < limit);
  return niceSteps.step[index] * magnitude;
}

/** The smallest `m × 10^k` (m one of `mantissas`, ascending in [1, 10]) at or above `value` > 0:
 *  an axis end that stays put while the data grows towards it. */
export function niceCeil(value, mantissas) {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const m = mantissas.find((candidate) => candidate * magnitude >= value * (1 - Number.EPSILON));
  return (m ?? mantissas[mantissas.length - 1]) * magnitude;
}

/** Round tick values (…, 0.5, 1, 1.5, …) covering [low, high] with about `count` steps. */
export function niceTicks(low, high, count, niceSteps) {
  const step = niceStep((high - low) / count, niceSteps);
  const ticks = [];
  for (let i = Math.ceil(low / step); i * step <= high; i += 1) ticks.push(i * step);
  return ticks;
}

/** Whole-number ticks 1…n (time steps, units) about `count` apart in a nice step. */
export function stepTicks(n, count, niceSteps) {
  const step = Math.max(1, niceStep(Math.max(1, n / count), niceSteps));
  const ticks = [1];
  // Multiples of the step; one closer to 1 than ¾ of a step would crowd its label.
  for (let t = step; t <= n; t += step) if (t - 1 >= step * 0.75) ticks.push(t);
  return ticks;
}

/**
 * A [T, H] frame array (time × unit) as uint8 codes laid out H rows × T columns (a unit per
 * row, time left to right). `signed`: the diverging coding of ±bound (127.5 is 0); else the
 * values in [0, 1] (gates) as 0…255.
 */
export function timeUnitCodes(array, { signed, bound = 1 }) {
  const [steps, units] = array.shape;
  const { data } = array;
  const codes = new Uint8Array(steps * units);
  for (let t = 0; t < steps; t += 1) {
    for (let u = 0; u < units; u += 1) {
      const v = data[t * units + u];
      codes[u * steps + t] = signed ? divergingCode(v, bound)
        : Math.round(Math.max(0, Math.min(1, v)) * UINT8_MAX);
    }
  }
  return { codes, rows: units, cols: steps };
}
