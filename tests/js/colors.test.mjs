/** static/js/colors.js: the colour scales map known values to known colours. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  PALETTES, mix, scaleColor, cssColor, classColor, decodeUnit, setPalette, paintScale, paintClasses,
  labelColor, imageClassColor, viridis, LUTS,
} from "../../static/js/colors.js";
import {
  SCALE_COLORS, CLASS_PALETTE, CLASS_COLORS_10, VIRIDIS_STOPS, INK, PAPER, HEATMAP_WHITE_MIX,
  CLASS_MAX_STRENGTH,
} from "../../static/js/constants.js";

const TF = { negative: [245, 147, 34], neutral: [232, 234, 235], positive: [8, 119, 189] };
const WHITE = [255, 255, 255];

/** A stand-in for the canvas ImageData the views paint into. */
function image(n) {
  return { data: new Uint8ClampedArray(n * 4) };
}

function pixel(img, i) {
  return [...img.data.subarray(i * 4, i * 4 + 4)];
}

test("mix blends channel by channel and rounds", () => {
  assert.deepEqual(mix([0, 100, 255], [100, 100, 0], 0.5), [50, 100, 128]);
  assert.deepEqual(mix([10, 20, 30], [200, 200, 200], 0), [10, 20, 30]);
  assert.deepEqual(mix([10, 20, 30], [200, 200, 200], 1), [200, 200, 200]);
});

test("scaleColor: −1 orange, 0 grey, +1 blue (TF Playground's), clamped outside [−1, 1]", () => {
  assert.deepEqual(scaleColor(-1), TF.negative);
  assert.deepEqual(scaleColor(0), TF.neutral);
  assert.deepEqual(scaleColor(1), TF.positive);
  assert.deepEqual(scaleColor(7), TF.positive);
  assert.deepEqual(scaleColor(-3), TF.negative);
  assert.deepEqual(scaleColor(0.5), [120, 177, 212]);      // halfway from grey to blue
  assert.deepEqual(scaleColor(-0.5), [239, 191, 135]);
});

test("cssColor, classColor and imageClassColor", () => {
  assert.equal(cssColor([8, 119, 189]), "rgb(8, 119, 189)");
  assert.deepEqual(classColor(0), [230, 159, 0]);
  assert.deepEqual(classColor(CLASS_PALETTE.length + 1), CLASS_PALETTE[1]);     // wraps around
  assert.deepEqual(imageClassColor(3), [214, 39, 40]);
  assert.deepEqual(imageClassColor(13), CLASS_COLORS_10[3]);
});

test("decodeUnit undoes the server's uint8 coding round((v + 1) · 127.5)", () => {
  assert.equal(decodeUnit(0), -1);
  assert.equal(decodeUnit(255), 1);
  assert.ok(Math.abs(decodeUnit(128) - 0.0039) < 1e-3);
});

test("paintScale: codes 0 / 255 are the end colours, lightened for heatmaps, full strength for thumbnails", () => {
  const codes = Uint8Array.from([0, 255]);
  const heat = image(2);
  paintScale(codes, heat);
  assert.deepEqual(pixel(heat, 0), [...mix(TF.negative, WHITE, HEATMAP_WHITE_MIX), 255]);
  assert.deepEqual(pixel(heat, 1), [...mix(TF.positive, WHITE, HEATMAP_WHITE_MIX), 255]);
  const thumb = image(2);
  paintScale(codes, thumb, { thumb: true });
  assert.deepEqual(pixel(thumb, 0), [...TF.negative, 255]);
  assert.deepEqual(pixel(thumb, 1), [...TF.positive, 255]);
});

test("paintScale discretized: every value takes its sign's colour", () => {
  const img = image(3);
  paintScale(Uint8Array.from([30, 140, 250]), img, { discretize: true });
  const light = (rgb) => [...mix(rgb, WHITE, HEATMAP_WHITE_MIX), 255];
  assert.deepEqual(pixel(img, 0), light(TF.negative));
  assert.deepEqual(pixel(img, 1), light(TF.positive));
  assert.deepEqual(pixel(img, 2), light(TF.positive));
});

test("paintClasses: confidence at chance is white, full confidence the class colour at its cap", () => {
  const img = image(3);
  // k = 4: chance is 1/4 → confidence code 64 (≈ 0.25) is no stronger than chance.
  paintClasses(Uint8Array.from([2, 2, 1]), Uint8Array.from([255, 63, 255]), 4, img);
  assert.deepEqual(pixel(img, 0), [...mix(WHITE, CLASS_PALETTE[2], CLASS_MAX_STRENGTH), 255]);
  assert.deepEqual(pixel(img, 1), [255, 255, 255, 255]);
  assert.deepEqual(pixel(img, 2), [...mix(WHITE, CLASS_PALETTE[1], CLASS_MAX_STRENGTH), 255]);
  const flat = image(1);
  paintClasses(Uint8Array.from([0]), Uint8Array.from([70]), 4, flat, { discretize: true });
  assert.deepEqual(pixel(flat, 0), [...mix(WHITE, CLASS_PALETTE[0], CLASS_MAX_STRENGTH), 255]);
});

test("labelColor: two classes by sign, more from the palette, regression on the scale", () => {
  assert.deepEqual(labelColor(1, { problem: "classification", classes: 2 }), TF.positive);
  assert.deepEqual(labelColor(-1, { problem: "classification", classes: 2 }), TF.negative);
  assert.deepEqual(labelColor(0, { problem: "classification", classes: 2 }), TF.negative);
  assert.deepEqual(labelColor(2, { problem: "classification", classes: 3 }), CLASS_PALETTE[2]);
  assert.deepEqual(labelColor(0, { problem: "regression", classes: 2 }), TF.neutral);
});

test("viridis: its first and last stops at 0 and 1, and linear between stops", () => {
  assert.deepEqual(viridis(0), VIRIDIS_STOPS[0]);
  assert.deepEqual(viridis(1), VIRIDIS_STOPS[VIRIDIS_STOPS.length - 1]);
  assert.deepEqual(viridis(-2), VIRIDIS_STOPS[0]);
  const step = 1 / (VIRIDIS_STOPS.length - 1);
  assert.deepEqual(viridis(step * 2.5), mix(VIRIDIS_STOPS[2], VIRIDIS_STOPS[3], 0.5));
});

test("LUTS: ink runs white paper → ink, viridis and diverging hold 256 RGBA entries", () => {
  const rgba = (lut, code) => [...lut.subarray(code * 4, code * 4 + 4)];
  assert.deepEqual(rgba(LUTS.ink, 0), [...PAPER, 255]);
  assert.deepEqual(rgba(LUTS.ink, 255), [...INK, 255]);
  assert.deepEqual(rgba(LUTS.viridis, 255), [...VIRIDIS_STOPS[VIRIDIS_STOPS.length - 1], 255]);
  assert.deepEqual(rgba(LUTS.diverging, 0), [...TF.negative, 255]);
  for (const lut of Object.values(LUTS)) assert.equal(lut.length, 256 * 4);
});

test("setPalette rewrites the scale and refills the lookup tables in place", () => {
  const diverging = LUTS.diverging;
  try {
    setPalette("presenter");
    assert.deepEqual(scaleColor(1), PALETTES.presenter.positive);
    assert.deepEqual(scaleColor(-1), [213, 94, 0]);
    assert.deepEqual(SCALE_COLORS.negative, [213, 94, 0]);
    assert.equal(LUTS.diverging, diverging, "the same table, refilled");
    assert.deepEqual([...LUTS.diverging.subarray(0, 4)], [213, 94, 0, 255]);
    const img = image(1);
    paintScale(Uint8Array.from([255]), img, { thumb: true });
    assert.deepEqual(pixel(img, 0), [0, 90, 160, 255]);
  } finally {
    setPalette("tf");
  }
  assert.deepEqual(scaleColor(1), TF.positive);
  assert.deepEqual([...LUTS.diverging.subarray(0, 4)], [...TF.negative, 255]);
});
