/**
 * Base classes for the views inside a tab panel (the image panel's and the sequence panel's)
 * that keep the last frame's data and draw it only while their panel is on screen (and again
 * when it is shown, or resized).
 */
import { PLOTLY_CONFIG } from "../constants.js";

export class PanelView {
  constructor(panel) {
    this.panel = panel;
    this.last = null;
  }

  /** Keep what a frame brought; draw it now if the panel is on screen. */
  keep(last) {
    this.last = last;
    if (!this.panel.hidden) this.draw();
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
  }

  show() {
    if (this.created) window.Plotly.Plots.resize(this.plot);
    this.draw();
  }

  /** Draw (or redraw) the chart with plotly's react. */
  react(traces, layout) {
    window.Plotly.react(this.plot, traces, layout, PLOTLY_CONFIG);
    this.created = true;
  }
}
