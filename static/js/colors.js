/**
 * Colour maths, apart from drawing: lookup tables that turn the server's uint8 map coding into
 * RGBA, the colours of data points, and the diverging palettes (TF Playground's, and presenter
 * mode's). SCALE_COLORS always holds the palette in use: setPalette() rewrites it and refills
 * the lookup tables in place, so every view that reads them (heatmaps, points, weight links,
 * filters, confusion cells) draws the new colours on its next draw.
 */
import {
  SCALE_COLORS, CLASS_PALETTE, HEATMAP_WHITE_MIX, CLASS_MAX_STRENGTH, UINT8_HALF, UINT8_MAX,
  RGBA, OPAQUE, BINARY_CLASSES, CLASS_COLORS_10, VIRIDIS_STOPS, INK, PAPER,
} from "./constants.js";

const WHITE = [255, 255, 255];

/**
 * TF Playground's orange/blue is already safe for colour-blind eyes: simulated protanopia,
 * deuteranopia and tritanopia (Machado et al. 2009) keep the two ≥ 87 CIELAB ΔE apart. What it
 * lacks on a projector is contrast: its orange is 2.3:1 against white, so thin links and small
 * points fade. Presenter mode uses Okabe & Ito's vermillion (3.9:1) and a deep blue (7.1:1):
 * both above WCAG's 3:1 for graphics, still ≥ 92 ΔE apart under every simulated dichromacy.
 */
export const PALETTES = {
  tf: { ...SCALE_COLORS },
  presenter: { ...SCALE_COLORS, negative: [213, 94, 0], positive: [0, 90, 160] },
};

export function mix(a, b, t) {
  return a.map((channel, i) => Math.round(channel + (b[i] - channel) * t));
}

/** Colour of a value in [-1, 1] on TF Playground's orange–grey–blue scale. */
export function scaleColor(value) {
  const v = Math.max(-1, Math.min(1, value));
  return v < 0
    ? mix(SCALE_COLORS.neutral, SCALE_COLORS.negative, -v)
    : mix(SCALE_COLORS.neutral, SCALE_COLORS.positive, v);
}

export function cssColor(rgb) {
  return `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
}

export function classColor(index) {
  return CLASS_PALETTE[index % CLASS_PALETTE.length];
}

/** uint8 code → value in [-1, 1]. */
export function decodeUnit(code) {
  return code / UINT8_HALF - 1;
}

function buildLut(colorOf, lut = new Uint8ClampedArray((UINT8_MAX + 1) * RGBA)) {
  for (let code = 0; code <= UINT8_MAX; code += 1) {
    const rgb = colorOf(code);
    lut.set([rgb[0], rgb[1], rgb[2], OPAQUE], code * RGBA);
  }
  return lut;
}

/** Lookup tables for the diverging scale: continuous and discretized (sign only), lightened;
 *  thumbnails are small, so they are drawn at full strength. */
const SCALE_LUTS = {
  scale: (code) => mix(scaleColor(decodeUnit(code)), WHITE, HEATMAP_WHITE_MIX),
  sign: (code) => {
    const v = decodeUnit(code);
    return mix(scaleColor(v === 0 ? 0 : Math.sign(v)), WHITE, HEATMAP_WHITE_MIX);
  },
  thumb: (code) => scaleColor(decodeUnit(code)),
};
const SCALE_LUT = buildLut(SCALE_LUTS.scale);
const SIGN_LUT = buildLut(SCALE_LUTS.sign);
const THUMB_LUT = buildLut(SCALE_LUTS.thumb);

/** Switch the diverging palette (a PALETTES name); views pick it up on their next draw. */
export function setPalette(name) {
  Object.assign(SCALE_COLORS, PALETTES[name]);
  buildLut(SCALE_LUTS.scale, SCALE_LUT);
  buildLut(SCALE_LUTS.sign, SIGN_LUT);
  buildLut(SCALE_LUTS.thumb, THUMB_LUT);
}

/** Paint uint8 codes into an ImageData with the diverging scale. */
export function paintScale(codes, image, { discretize = false, thumb = false } = {}) {
  const lut = thumb ? THUMB_LUT : (discretize ? SIGN_LUT : SCALE_LUT);
  const out = image.data;
  for (let i = 0; i < codes.length; i += 1) {
    const at = codes[i] * RGBA;
    const o = i * RGBA;
    out[o] = lut[at];
    out[o + 1] = lut[at + 1];
    out[o + 2] = lut[at + 2];
    out[o + 3] = OPAQUE;
  }
}

/**
 * Paint a multi-class map: arg-max class colour, mixed with white by confidence above chance
 * (confidence is max probability × 255). Discretized maps show the class colour only.
 */
export function paintClasses(classes, confidence, k, image, { discretize = false } = {}) {
  const out = image.data;
  const chance = 1 / k;
  for (let i = 0; i < classes.length; i += 1) {
    const p = confidence[i] / UINT8_MAX;
    const strength = discretize ? CLASS_MAX_STRENGTH
      : CLASS_MAX_STRENGTH * Math.max(0, Math.min(1, (p - chance) / (1 - chance)));
    const rgb = mix(WHITE, classColor(classes[i]), strength);
    const o = i * RGBA;
    out[o] = rgb[0];
    out[o + 1] = rgb[1];
    out[o + 2] = rgb[2];
    out[o + 3] = OPAQUE;
  }
}

/**
 * Colour of a data point's label: regression values on the scale, k > 2 classes from the palette,
 * two classes orange (label ≤ 0, i.e. −1 or 0) or blue (label > 0).
 */
export function labelColor(label, { problem, classes }) {
  if (problem === "regression") return scaleColor(label);
  if (classes > BINARY_CLASSES) return classColor(Math.round(label));
  return label > 0 ? SCALE_COLORS.positive : SCALE_COLORS.negative;
}

/** Class colours of image and table datasets (up to ten classes). */
export function imageClassColor(index) {
  return CLASS_COLORS_10[index % CLASS_COLORS_10.length];
}

/** Position t in [0, 1] on the viridis scale (linear between its stops). */
export function viridis(t) {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS_STOPS.length - 1);
  const i = Math.min(VIRIDIS_STOPS.length - 2, Math.floor(x));
  return mix(VIRIDIS_STOPS[i], VIRIDIS_STOPS[i + 1], x - i);
}

/**
 * Lookup tables from a uint8 code to RGBA for the image views: `ink` draws pixel values as dark
 * ink on white paper, `viridis` activations low → high, `diverging` weights (code 127.5 is 0).
 */
export const LUTS = {
  ink: buildLut((code) => mix(PAPER, INK, code / UINT8_MAX)),
  viridis: buildLut((code) => viridis(code / UINT8_MAX)),
  diverging: THUMB_LUT,
};
