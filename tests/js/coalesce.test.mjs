/** static/js/coalesce.js: frames that arrive between two paints merge into one that draws the
 * same picture, incremental history and data included. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mergeHistory, mergeFrames, DrawLoop, DATA_ARRAYS } from "../../static/js/coalesce.js";

/** A history part as the server sends it: epochs start+1 … start+n, losses from `loss`. */
function history(start, n, loss = (e) => 1 / e) {
  const epoch = Array.from({ length: n }, (_, i) => start + i + 1);
  return {
    start, epoch, train_loss: epoch.map(loss), test_loss: epoch.map((e) => loss(e) * 2),
    val_loss: epoch.map(() => null),
  };
}

function frame(seq, extra = {}) {
  return { session_id: "s", seq, epoch: seq, status: "playing", arrays: {}, ...extra };
}

test("contiguous histories join in order", () => {
  const merged = mergeHistory(history(0, 3), history(3, 2));
  assert.equal(merged.start, 0);
  assert.deepEqual(merged.epoch, [1, 2, 3, 4, 5]);
  assert.deepEqual(merged.train_loss, [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5]);
  assert.deepEqual(merged.val_loss, [null, null, null, null, null]);
});

test("an empty part (no epoch ended between two frames) changes nothing", () => {
  const merged = mergeHistory(history(0, 3), history(3, 0));
  assert.deepEqual(merged.epoch, [1, 2, 3]);
  assert.deepEqual(mergeHistory(history(3, 0), history(3, 2)).epoch, [4, 5]);
});

test("a history that starts again (reset, server compaction) replaces the older one", () => {
  const restarted = history(0, 2, () => 9);
  assert.equal(mergeHistory(history(10, 3), restarted), restarted);
});

test("a series one part lacks is padded with nulls, so every series stays as long as epoch", () => {
  const older = { start: 0, epoch: [1, 2], train_loss: [1, 2] };
  const newer = { start: 2, epoch: [3], train_loss: [3], val_loss: [0.5] };
  const merged = mergeHistory(older, newer);
  assert.deepEqual(merged.val_loss, [null, null, 0.5]);
  assert.deepEqual(merged.train_loss, [1, 2, 3]);
});

test("a missing history on either side keeps the other", () => {
  const h = history(0, 2);
  assert.equal(mergeHistory(undefined, h), h);
  assert.equal(mergeHistory(h, undefined), h);
});

test("merged frames take the newer scalars and arrays and join the histories", () => {
  const older = frame(1, { history: history(0, 2), arrays: { output: "old map", "weight.0": "old" }, best_epoch: 1 });
  const newer = frame(2, { history: history(2, 1), arrays: { output: "new map" }, best_epoch: null });
  const merged = mergeFrames(older, newer);
  assert.equal(merged.seq, 2);
  assert.equal(merged.epoch, 2);
  assert.equal(merged.best_epoch, null);
  assert.deepEqual(merged.history.epoch, [1, 2, 3]);
  // Arrays are the newer frame's own: a weight the net no longer has must not come back.
  assert.deepEqual(merged.arrays, { output: "new map" });
});

test("data sent with the older frame only is carried into the merged one", () => {
  const data = Object.fromEntries(DATA_ARRAYS.map((name) => [name, `${name} v3`]));
  const older = frame(1, { arrays: { output: "a", ...data }, data_version: 3, data_version_from: 2 });
  const newer = frame(2, { arrays: { output: "b" }, data_version: 3, data_version_from: 3 });
  const merged = mergeFrames(older, newer);
  assert.equal(merged.arrays.output, "b");
  for (const name of DATA_ARRAYS) assert.equal(merged.arrays[name], `${name} v3`);
  assert.equal(merged.data_version_from, 2);
  assert.equal(older.arrays.output, "a");          // the inputs are not changed
});

test("newer data wins over older data", () => {
  const older = frame(1, { arrays: { train_x: "v1", train_y: "v1" }, data_version: 1, data_version_from: 0 });
  const newer = frame(2, { arrays: { train_x: "v2", train_y: "v2" }, data_version: 2, data_version_from: 1 });
  const merged = mergeFrames(older, newer);
  assert.equal(merged.arrays.train_x, "v2");
  assert.equal(merged.data_version_from, 1);
});

test("three frames merge as if drawn one after the other", () => {
  const frames = [
    frame(1, { history: history(0, 1), arrays: { train_x: "d" }, data_version_from: -1 }),
    frame(2, { history: history(1, 1) }),
    frame(3, { history: history(2, 2) }),
  ];
  const merged = frames.reduce((pending, next) => mergeFrames(pending, next), null);
  assert.deepEqual(merged.history.epoch, [1, 2, 3, 4]);
  assert.equal(merged.arrays.train_x, "d");
  assert.equal(merged.seq, 3);
});

test("another session's frame replaces the pending one whole", () => {
  const older = frame(5, { history: history(0, 4), arrays: { train_x: "old data" } });
  const newer = { ...frame(1, { history: history(0, 1) }), session_id: "other" };
  assert.equal(mergeFrames(older, newer), newer);
});

test("the draw loop draws once per animation frame, the newest frame with everything merged", () => {
  const queued = [];
  const drawn = [];
  const loop = new DrawLoop((f) => drawn.push(f), (callback) => queued.push(callback));
  loop.push(frame(1, { history: history(0, 1) }));
  loop.push(frame(2, { history: history(1, 1) }));
  loop.push(frame(3, { history: history(2, 1) }));
  assert.equal(queued.length, 1, "one animation frame asked for, however many frames came");
  assert.equal(drawn.length, 0, "nothing is drawn outside the animation frame");
  queued.shift()();
  assert.equal(drawn.length, 1);
  assert.equal(drawn[0].seq, 3);
  assert.deepEqual(drawn[0].history.epoch, [1, 2, 3]);
  assert.deepEqual(loop.stats, { received: 3, drawn: 1, coalesced: 2, epoch: 3 });
  loop.push(frame(4, { history: history(3, 1) }));
  assert.equal(queued.length, 1);
  queued.shift()();
  assert.deepEqual(drawn[1].history.epoch, [4], "a drawn frame's history is not sent again");
  assert.deepEqual(loop.stats, { received: 4, drawn: 2, coalesced: 2, epoch: 4 });
});

test("an animation frame with nothing new draws nothing", () => {
  const drawn = [];
  const loop = new DrawLoop((f) => drawn.push(f), (callback) => callback());
  loop.push(frame(1));
  loop.flush();
  assert.equal(drawn.length, 1);
  assert.equal(loop.stats.drawn, 1);
});
