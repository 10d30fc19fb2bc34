/**
 * At most one run per interval, and always one after the last request: a chart asked to redraw
 * on every frame redraws a few times a second instead, and still shows the last frame's data
 * once training pauses. Pure: the clock and the timer are injected for Node's test runner.
 */
export class Throttle {
  /** run() at most once per `intervalMs`; `now()` in ms, `later(callback, ms)` a timer. */
  constructor(intervalMs, run, {
    now = () => performance.now(),
    later = (callback, ms) => setTimeout(callback, ms),
  } = {}) {
    this.intervalMs = intervalMs;
    this.run = run;
    this.now = now;
    this.later = later;
    this.last = -Infinity;
    this.waiting = false;
  }

  /** Run now if the interval has passed since the last run; else once when it has. */
  request() {
    if (this.waiting) return;
    const wait = this.last + this.intervalMs - this.now();
    if (wait <= 0) {
      this.#fire();
      return;
    }
    this.waiting = true;
    this.later(() => { if (this.waiting) this.#fire(); }, wait);
  }

  /** Run now, whatever the interval (a reset, a click: a person is waiting for it); a run
   *  that was waiting is dropped. */
  force() {
    this.#fire();
  }

  #fire() {
    this.waiting = false;
    this.last = this.now();
    this.run();
  }
}
