/**
 * The Compare page's constants: run colours and letters, polling, chart and export sizes,
 * addresses. The playground's own constants (scales, chart fonts) come from ../constants.js.
 */

/** One colour per run: Okabe–Ito's, darkest first (strong on white and on a projector), then
 *  Paul Tol's muted set for runs seven to twelve. */
export const RUN_COLORS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#000000", "#e69f00",
  "#332288", "#882255", "#117733", "#44aa99", "#999933", "#aa4499"];
/** Runs are lettered A, B, C, … in the chips, table, charts and output cards. */
export const RUN_LETTERS = "ABCDEFGHIJKL";
/** The curves' x axis: epochs, examples trained on, or seconds of training (history keys). */
export const X_AXES = {
  epoch: { key: "epoch", title: "epoch", format: "d" },
  examples: { key: "examples", title: "examples seen", format: "~s" },
  seconds: { key: "seconds", title: "seconds of training", format: ".1f" },
};

/** How often live runs are fetched again: while one plays, and while all are paused (to see a
 *  play pressed in the playground's tab). Saved runs alone are never fetched again. */
export const POLL_MS = { playing: 1000, paused: 4000 };

/** A run in the page address: `runs=e:<saved id>,s:<live session id>`. */
export const RUNS_PARAM = "runs";
export const RUN_SEPARATOR = ",";
export const SAVED_PREFIX = "e:";
/** What a pasted saved experiment may look like: its link (…/e/<id>), `e:<id>` or the bare id. */
export const SAVED_ID = /(?:\/e\/|^e:|^)([A-Za-z0-9_-]{22})(?:[/?#]|$)/;

export const COMPARE_URL = (runs) => `/api/compare?${RUNS_PARAM}=${encodeURIComponent(runs.join(RUN_SEPARATOR))}`;
export const SESSIONS_URL = "/api/compare/sessions";

/** Overlaid curves (plotly). Test solid, training dashed, in the run's colour. */
export const CURVES = {
  height: { min: 240, max: 420, chrome: 330 },   // two charts share the window's height less `chrome`
  font: 16,
  ink: "#111418",           // app.css --ink
  invisible: "rgba(0,0,0,0)",
  lineWidth: 3,
  margin: { l: 60, r: 14, t: 8, b: 44 },
  legendFont: 15,
  yTicks: 5,
  wholeTicksUpTo: 8,        // epochs up to which the x axis ticks every epoch
  markersUpTo: 12,          // a run with this few epochs also gets a dot per epoch
  markerSize: 7,
  tickGap: 8,               // px between the y numbers and the plot (keeps 0 off the x axis's first number)
};
/** "Download PNG": the image is drawn at this size (CSS px) and scale, titled, on white. */
export const PNG = { width: 1200, height: 600, scale: 2, margin: { t: 70, r: 36 }, titleFont: 22, background: "#ffffff" };

/** Digits of the numbers in the run cards and the table. */
export const LOSS_DIGITS = 3;
export const PERCENT_DIGITS = 1;
/** What the table shows for a field a run's spec does not have (e.g. a layer it lacks). */
export const MISSING = "—";
/** Status words of a run. */
export const STATUS_TEXT = { playing: "training", paused: "paused", stopped: "stopped", diverged: "diverged", saved: "saved" };
