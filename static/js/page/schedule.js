/**
 * The learning-rate schedule beside the learning-rate control: a small curve of the factor
 * that multiplies the rate, per epoch, from the server's answer (`schedule`: epoch, factor,
 * marks; null when the rate is constant), and the same marks on the loss chart (warm-up's end,
 * the step decays, the schedule's end). The server computes the curve: nothing here knows the
 * formulas.
 */
import { formatNumber } from "../dom.js";
import { SCHEDULE_CURVE, RATE_DIGITS } from "../constants.js";

export class ScheduleView {
  constructor(root, store, charts) {
    this.store = store;
    this.charts = charts;
    this.figure = root.querySelector('[data-testid="schedule-figure"]');
    this.canvas = root.querySelector('[data-testid="schedule-curve"]');
    this.caption = root.querySelector('[data-testid="schedule-caption"]');
    this.key = null;
    this.span = "";
    this.rate = null;
  }

  /** The rate the next step uses (the frame's `lr`), after the curve's span. */
  update(frame) {
    if (frame.lr == null || frame.lr === this.rate) return;
    this.rate = frame.lr;
    this.#caption();
  }

  #caption() {
    const now = this.rate == null ? "" : ` · now ${formatNumber(this.rate, RATE_DIGITS)}`;
    this.caption.textContent = `${this.span}${now}`;
  }

  render() {
    const schedule = this.store.schedule;
    const key = JSON.stringify(schedule);
    if (key === this.key) return;
    this.key = key;
    this.figure.hidden = !schedule;
    this.charts.forEach((chart) => chart.setMarks(schedule ? schedule.marks : []));
    if (!schedule) return;
    const last = schedule.epoch[schedule.epoch.length - 1];
    this.span = `× rate over ${Math.round(last)} epochs`;
    this.#caption();
    this.#draw(schedule);
  }

  #draw({ epoch, factor }) {
    const { width, height, pad, color, lineWidth } = SCHEDULE_CURVE;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = width * ratio;
    this.canvas.height = height * ratio;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const top = Math.max(...factor, 1);
    const span = epoch[epoch.length - 1] || 1;
    const x = (e) => pad + (e / span) * (width - 2 * pad);
    const y = (f) => height - pad - (f / top) * (height - 2 * pad);
    ctx.strokeStyle = color;
    ctx.lineWidth = lineWidth;
    ctx.beginPath();
    epoch.forEach((e, i) => (i ? ctx.lineTo(x(e), y(factor[i])) : ctx.moveTo(x(e), y(factor[i]))));
    ctx.stroke();
  }
}
