/** static/js/widgets/lineaxes.js: the live charts' ranges, ticks, labels and paths. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { hoverValue, linePath, nearestIndex, stridedIndices, tickLabel, xRange, xTicks, yRange, yTicks } from "../../static/js/widgets/lineaxes.js";

const ENDS = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

test("the x axis ends on the last epoch while short, then on a round number past it", () => {
  assert.deepEqual(xRange(1, 6, { wholeUpTo: 8, axisEnds: ENDS }), [1, 6]);
  assert.deepEqual(xRange(1, 37, { wholeUpTo: 8, axisEnds: ENDS }), [1, 40]);
  assert.deepEqual(xRange(1, 41, { wholeUpTo: 8, axisEnds: ENDS }), [1, 50]);
  assert.deepEqual(xRange(undefined, undefined, { wholeUpTo: 8, axisEnds: ENDS }), [0, 1]);
});

test("x ticks are whole epochs, one each while few, never closer than their labels allow", () => {
  assert.deepEqual(xTicks([1, 5], 5, 8), [1, 2, 3, 4, 5]);
  assert.deepEqual(xTicks([1, 120], 4, 8, { width: 140, minGap: 40 }), [50, 100]);
  assert.deepEqual(xTicks([0, 1000], 5, 8, { width: 600, minGap: 40 }), [0, 200, 400, 600, 800, 1000]);
  for (const t of xTicks([1, 333], 5, 8, { width: 200, minGap: 30 })) assert.ok(Number.isInteger(t));
  const ticks = xTicks([1, 5000], 10, 8, { width: 150, minGap: 50 });
  assert.ok(ticks.length <= 3, `${ticks}`);
});

test("the y range starts at 0 and ends on a round number above the largest value", () => {
  assert.deepEqual(yRange([[0.7, 0.3, null]], { margin: 0.05, axisEnds: ENDS, logStep: 0.5 }), [0, 0.8]);
  assert.equal(yRange([[null, null]], { margin: 0.05, axisEnds: ENDS, logStep: 0.5 }), null);
  assert.deepEqual(yRange([[0.2]], { range: [0, 1.02], margin: 0.05, axisEnds: ENDS, logStep: 0.5 }), [0, 1.02]);
});

test("a log y range covers the values on half decades and skips what it cannot show", () => {
  assert.deepEqual(yRange([[0.7, 0.003, 0, -1]], { log: true, margin: 0.05, axisEnds: ENDS, logStep: 0.5 }), [-3, 0]);
  assert.deepEqual(yTicks([-3, 0], 4, true), [-3, -2, -1, 0]);
  assert.deepEqual(yTicks([-2.5, -2.2], 4, true), [-2.5, -2.2]);
  assert.deepEqual(yTicks([-0.5, 0], 4, true), [-0.5, 0]);
});

test("tick labels: percentages, powers of ten, short numbers without float noise", () => {
  assert.equal(tickLabel(0.5, { percent: true }), "50%");
  assert.equal(tickLabel(-3, { log: true }), "10⁻³");
  assert.equal(tickLabel(0, { log: true }), "1");
  assert.equal(tickLabel(0.6000000000000001), "0.6");
  assert.equal(tickLabel(0.00002), "2e-5");
  assert.equal(hoverValue(0.123456), "0.1235");
  assert.equal(hoverValue(0.5), "0.5");
  assert.equal(hoverValue(0.9876, true), "98.8%");
  assert.equal(hoverValue(null), "–");
});

test("a line joins over missing values and leaves out what the axis cannot show", () => {
  const d = linePath([1, 2, 3, 4], [0.5, null, 0, 0.25], [0, 1, 2, 3], (x) => x * 10, (v) => (v > 0 ? 100 - v * 100 : null));
  assert.equal(d, "M10.0 50.0L40.0 75.0");
  assert.equal(linePath([1], [null], [0], (x) => x, (v) => v), "");
});

test("long histories are drawn strided, always with their last point", () => {
  assert.deepEqual(stridedIndices(7, 3), [0, 3, 6]);
  assert.deepEqual(stridedIndices(8, 3), [0, 3, 6, 7]);
  assert.deepEqual(stridedIndices(3, 1), [0, 1, 2]);
  assert.deepEqual(stridedIndices(0, 1), []);
});

test("the hover finds the nearest epoch", () => {
  assert.equal(nearestIndex([1, 2, 4, 8], 5.5), 2);
  assert.equal(nearestIndex([1, 2, 4, 8], 7), 3);
  assert.equal(nearestIndex([1, 2, 4, 8], -3), 0);
  assert.equal(nearestIndex([], 1), -1);
});
