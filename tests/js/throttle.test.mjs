/** static/js/throttle.js: at most one run per interval, and always a last one. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Throttle } from "../../static/js/throttle.js";

/** A throttle on a fake clock: `advance(ms)` moves time and fires the timers due by then. */
function fakeThrottle(intervalMs) {
  let time = 0;
  let timers = [];
  const runs = [];
  const throttle = new Throttle(intervalMs, () => runs.push(time), {
    now: () => time,
    later: (callback, ms) => timers.push({ at: time + ms, callback }),
  });
  const advance = (ms) => {
    const end = time + ms;
    for (let next = timers.find((timer) => timer.at <= end); next; next = timers.find((timer) => timer.at <= end)) {
      timers = timers.filter((timer) => timer !== next);
      time = next.at;
      next.callback();
    }
    time = end;
  };
  return { throttle, runs, advance, pending: () => timers.length };
}

test("the first request runs at once", () => {
  const { throttle, runs } = fakeThrottle(250);
  throttle.request();
  assert.deepEqual(runs, [0]);
});

test("requests within the interval run once, at its end", () => {
  const { throttle, runs, advance, pending } = fakeThrottle(250);
  throttle.request();
  for (let i = 0; i < 7; i += 1) {
    advance(33);
    throttle.request();
  }
  assert.deepEqual(runs, [0]);
  advance(100);
  assert.deepEqual(runs, [0, 250]);
  assert.equal(pending(), 0);
});

test("the last request of a burst still runs", () => {
  const { throttle, runs, advance } = fakeThrottle(250);
  throttle.request();
  advance(10);
  throttle.request();
  assert.deepEqual(runs, [0]);
  advance(1000);
  assert.deepEqual(runs, [0, 250]);
});

test("force runs now and drops the waiting run", () => {
  const { throttle, runs, advance } = fakeThrottle(250);
  throttle.request();
  advance(10);
  throttle.request();
  advance(10);
  throttle.force();
  advance(1000);
  assert.deepEqual(runs, [0, 20]);
});
