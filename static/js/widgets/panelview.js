/**
 * Base classes for the views inside a tab panel (the image panel's and the sequence panel's)
 * that keep the last frame's data and draw it only while their panel is on screen (and again
 * when it is shown, or resized), and only when it changed: a view that can tell defines
 * `same(kept, incoming)`. Plotly views redraw at most every CHART.redrawMs (a plotly redraw
 * costs more than a frame's whole budget), always ending on the newest data.
 */
import { PLOTLY_CONFIG, CHART } from "../constants.js";
import { Throttle } from "../throttle.js";

export class PanelView {
  constructor(panel) {
    this.panel = panel;
    this.last = null;
  }

  /** Keep what a frame brought; draw it now if the panel is on screen and it changed. */
  keep(last) {
    const same = this.last != null && this.same(this.last, last);
    this.last = last;
    if (!same && !this.panel.hidden) this.drawSoon();
  }

  /** Whether `incoming` shows what `kept` showed (then nothing is drawn). */
  same() {
    return false;
  }

  drawSoon() {
    this.draw();
  }

  render(spec, info = {}) {
    if (info.reset) this.last = null;
  }

  show() {
    this.draw();
  }
}

/** A PanelView drawn by plotly into the element `[data-testid=<testid>]` of its panel. */
export class PlotlyView extends PanelView {
  constructor(panel, testid) {
    super(panel);
    this.plot = panel.querySelector(`[data-testid="${testid}"]`);
    this.created = false;
    this.throttle = new Throttle(CHART.redrawMs, () => {
      if (!this.panel.hidden) this.draw();
    });
  }

  drawSoon() {
    this.throttle.request();
  }

  show() {
    if (this.created) window.Plotly.Plots.resize(this.plot);
    this.throttle.force();
  }

  /** Draw (or redraw) the chart with plotly's react. */
  react(traces, layout) {
    window.Plotly.react(this.plot, traces, layout, PLOTLY_CONFIG);
    this.created = true;
  }
}
