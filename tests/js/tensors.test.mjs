/** static/js/tensors.js: the maths of the image and sequence views, apart from drawing. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  maxAbs, extent, filterTiles, activationTiles, imageTiles, mosaicLayout, fitScale, rebin, shapeText,
  compact, whole, parameterPlace, layerNamer, argmax, niceStep, niceTicks, stepTicks, timeUnitCodes,
  niceCeil, sameValues,
} from "../../static/js/tensors.js";
import { NICE_STEPS } from "../../static/js/constants.js";

const close = (actual, expected, tolerance = 1e-6) => {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= tolerance, `[${i}]: ${v} is not ${expected[i]}`));
};

test("maxAbs and extent over a whole array or a slice", () => {
  const data = Float32Array.from([1, -4, 2, 3]);
  assert.equal(maxAbs(data), 4);
  assert.equal(maxAbs(data, 2, 4), 3);
  assert.equal(maxAbs(new Float32Array(3)), 1, "all zero: 1, so dividing is safe");
  assert.deepEqual(extent(data), [-4, 3]);
  assert.deepEqual(extent(data, 2), [2, 3]);
  assert.deepEqual(extent(new Float32Array(0)), [0, 0]);
});

test("filterTiles: one tile per (input channel, filter), coded on the diverging scale", () => {
  // 2 filters × 1 input channel × 1×2 kernels: filter 0 = [1, -1], filter 1 = [0.5, 0].
  const array = { shape: [2, 1, 1, 2], data: Float32Array.from([1, -1, 0.5, 0]) };
  const own = filterTiles(array, "filter");
  assert.equal(own.bound, 1);
  assert.deepEqual([own.rows, own.cols, own.h, own.w], [1, 2, 1, 2]);
  assert.deepEqual(own.tiles.map((t) => [t.row, t.col]), [[0, 0], [0, 1]]);
  assert.deepEqual([...own.tiles[0].codes], [255, 0]);
  assert.deepEqual([...own.tiles[1].codes], [255, 128], "each filter scaled by its own largest |w|");
  const layer = filterTiles(array, "layer");
  assert.deepEqual([...layer.tiles[1].codes], [191, 128], "0.5 of the layer's bound 1 → round(1.5 · 127.5)");
});

test("filterTiles: rows are input channels, columns filters", () => {
  const array = { shape: [3, 2, 1, 1], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
  const { tiles, rows, cols } = filterTiles(array, "layer");
  assert.deepEqual([rows, cols], [2, 3]);
  assert.deepEqual(tiles.map((t) => `${t.row},${t.col}`), ["0,0", "1,0", "0,1", "1,1", "0,2", "1,2"]);
  assert.deepEqual(tiles.map((t) => t.codes[0]), [1, 2, 3, 4, 5, 6].map((v) => Math.round((v / 6 + 1) * 127.5)));
});

test("activationTiles: maps [C, H, W] scaled by the layer's range; dense units in rows", () => {
  const maps = activationTiles({ shape: [2, 1, 2], data: Float32Array.from([0, 2, 4, 1]) }, 16);
  assert.deepEqual([maps.count, maps.h, maps.w, maps.low, maps.high], [2, 1, 2, 0, 4]);
  assert.deepEqual([...maps.tiles[0].codes], [0, 128]);
  assert.deepEqual([...maps.tiles[1].codes], [255, 64]);
  const dense = activationTiles({ shape: [5], data: Float32Array.from([5, 4, 3, 2, 1]) }, 2);
  assert.deepEqual([dense.count, dense.h, dense.w], [1, 3, 2]);
  assert.deepEqual([...dense.tiles[0].codes], [255, 191, 128, 64, 0, 0]);
  assert.deepEqual([...dense.tiles[0].present], [1, 1, 1, 1, 1, 0], "the grid's last cell has no unit");
  const flat = activationTiles({ shape: [2], data: Float32Array.from([3, 3]) }, 4);
  assert.deepEqual([...flat.tiles[0].codes], [128, 128], "a flat layer is mid-scale");
});

test("imageTiles slices [n, H, W] into views, one per image", () => {
  const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
  const { tiles, h, w } = imageTiles({ shape: [3, 1, 2], data });
  assert.deepEqual([h, w], [1, 2]);
  assert.deepEqual(tiles.map((t) => [...t.codes]), [[1, 2], [3, 4], [5, 6]]);
  assert.equal(tiles[1].codes.buffer, data.buffer);
});

test("mosaicLayout and fitScale: integer scales that fit the room", () => {
  const options = { gap: 1, minTile: 20, maxScale: 24 };
  // 6 tiles of 8×8 in 400 px: 400 / (6 · 9) → scale 7, and 6 columns of 9 · 7 = 63 px fit.
  assert.deepEqual(mosaicLayout(6, 8, 8, 400, options), { scale: 7, cols: 6, rows: 1 });
  // Narrow room: never under minTile (20 px → scale 3 for 8 px tiles), fewer columns.
  assert.deepEqual(mosaicLayout(6, 8, 8, 60, options), { scale: 3, cols: 2, rows: 3 });
  assert.equal(mosaicLayout(1, 2, 2, 10000, options).scale, 24, "at most maxScale");
  assert.equal(fitScale(10, 95, 24), 9);
  assert.equal(fitScale(10, 5, 24), 1);
  assert.equal(fitScale(1, 500, 24), 24);
});

test("rebin: same range and rows keeps the shape (densest row 1), row 0 is the top (+range)", () => {
  close(rebin([1, 2, 4, 2], 1, 1, 4), [0.5, 1, 0.5, 0.25]);
});

test("rebin: a narrower histogram lands in the middle rows of a wider common axis", () => {
  // Bins over ±1 drawn on ±2: they cover rows 1 and 2 of 4; rows 0 and 3 stay empty.
  close(rebin([3, 1], 1, 2, 4), [0, 1 / 3, 1, 0]);
  close(rebin([0, 0], 1, 1, 3), [0, 0, 0]);
});

test("shapeText, compact and whole", () => {
  assert.equal(shapeText([16, 8, 8]), "8×8×16", "images read H×W×C");
  assert.equal(shapeText([64]), "64");
  assert.equal(shapeText([20, 3]), "20×3");
  assert.equal(shapeText([]), "–");
  assert.equal(shapeText(null), "–");
  assert.equal(compact(18400), "18.4K");
  assert.equal(compact(null), "–");
  assert.equal(whole(1234567), "1,234,567");
  assert.equal(whole(undefined), "–");
});

test("parameterPlace names where a weight tensor sits", () => {
  assert.deepEqual(parameterPlace("blocks.2.conv.weight"), { layer: 2, part: "conv", encoder: false });
  assert.deepEqual(parameterPlace("encoder.blocks.1.linear.weight"), { layer: 1, part: "linear", encoder: true });
  assert.deepEqual(parameterPlace("blocks.0.weight"), { layer: 0 });
  assert.deepEqual(parameterPlace("blocks.1.rnn.weight_hh_l0"), { layer: 1, part: "rnn", detail: "memory → memory" });
  assert.deepEqual(parameterPlace("blocks.1.rnn.weight_ih_l2"), { layer: 1, part: "rnn", detail: "input → memory, level 3" });
  assert.deepEqual(parameterPlace("head.weight"), { head: true, encoder: false });
  assert.deepEqual(parameterPlace("encoder.head.weight"), { head: true, encoder: true });
  assert.deepEqual(parameterPlace("decoder.3.weight"), { decoder: 3 });
  assert.deepEqual(parameterPlace("something.else"), { name: "something.else" });
});

test("layerNamer: a layer's place from 1 and its kind's label, or a fallback", () => {
  const name = layerNamer([{ kind: "conv", label: "Convolution" }, { kind: "lstm", label: "LSTM" }]);
  assert.equal(name(0, "conv"), "Layer 1 · Convolution");
  assert.equal(name(2, "lstm"), "Layer 3 · LSTM");
  assert.equal(name(1, "mystery"), "Layer 2 · mystery", "no label: the kind itself");
  assert.equal(name(1, undefined), "Layer 2 · ");
  assert.equal(name(4, undefined, "Bottleneck"), "Layer 5 · Bottleneck");
  assert.equal(name(0, "conv", "Bottleneck"), "Layer 1 · Convolution", "a label wins over the fallback");
});

test("argmax: the first index of the largest value", () => {
  assert.equal(argmax(Float32Array.from([0.1, 0.7, 0.2])), 1);
  assert.equal(argmax([3, 5, 5]), 1);
  assert.equal(argmax([-1]), 0);
});

test("niceStep rounds a raw step to 1, 2, 5 or 10 times a power of ten", () => {
  assert.equal(niceStep(1.2, NICE_STEPS), 1);
  assert.equal(niceStep(0.4, NICE_STEPS), 0.5);
  assert.ok(Math.abs(niceStep(0.024, NICE_STEPS) - 0.02) < 1e-12);
  assert.equal(niceStep(7, NICE_STEPS), 10);
  assert.equal(niceStep(260, NICE_STEPS), 200);
});

test("niceTicks: round values covering [low, high] about `count` steps apart", () => {
  assert.deepEqual(niceTicks(-1, 1, 4, NICE_STEPS), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(niceTicks(0.3, 7.9, 4, NICE_STEPS), [2, 4, 6]);
  close(niceTicks(-0.13, 0.27, 4, NICE_STEPS), [-0.1, 0, 0.1, 0.2], 1e-12);
});

test("stepTicks: whole ticks from 1 in a nice step, none crowding the first", () => {
  assert.deepEqual(stepTicks(20, 6, NICE_STEPS), [1, 5, 10, 15, 20]);
  assert.deepEqual(stepTicks(4, 6, NICE_STEPS), [1, 2, 3, 4]);
  assert.deepEqual(stepTicks(100, 5, NICE_STEPS), [1, 20, 40, 60, 80, 100]);
  assert.deepEqual(stepTicks(1, 5, NICE_STEPS), [1]);
});

test("timeUnitCodes: [T, H] → H rows × T columns, signed on ±bound or gates on 0…1", () => {
  // T = 3 steps, H = 2 units: step t holds [unit 0, unit 1].
  const array = { shape: [3, 2], data: Float32Array.from([-1, 0.5, 0, 1, 1, 2]) };
  const signed = timeUnitCodes(array, { signed: true, bound: 1 });
  assert.deepEqual([signed.rows, signed.cols], [2, 3]);
  assert.deepEqual([...signed.codes], [0, 128, 255, 191, 255, 255], "unit 0 across time, then unit 1; 2 clamps");
  const gates = timeUnitCodes(array, { signed: false });
  assert.deepEqual([...gates.codes], [0, 0, 255, 128, 255, 255]);
  const wide = timeUnitCodes(array, { signed: true, bound: 2 });
  assert.deepEqual([...wide.codes].slice(3), [159, 191, 255]);
});

test("niceCeil rounds up to a round axis end that stays put while the data grows", () => {
  const ends = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
  assert.equal(niceCeil(97, ends), 100);
  assert.equal(niceCeil(100, ends), 100);
  assert.equal(niceCeil(101, ends), 120);
  assert.equal(niceCeil(0.23, ends), 0.25);
  assert.equal(niceCeil(7, ends), 8);
  assert.equal(niceCeil(0, ends), 1);
  // Every value from 81 to 100 shares one end: the axis changes once, not twenty times.
  assert.equal(new Set(Array.from({ length: 20 }, (_, i) => niceCeil(81 + i, ends))).size, 1);
});

test("sameValues compares element by element", () => {
  assert.equal(sameValues(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
  assert.equal(sameValues(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
  assert.equal(sameValues([1], [1, 2]), false);
  assert.equal(sameValues(undefined, [1]), false);
});
