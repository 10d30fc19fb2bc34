/**
 * Visual and behavioural constants of the page: the one home for numbers and names the views
 * need. Spec defaults, bounds and choices are NOT here: they come from /api/schema.
 */

/** TF Playground's diverging scale for values in [-1, 1]: orange (−) → light grey (0) → blue (+). */
export const SCALE_COLORS = {
  negative: [245, 147, 34],
  neutral: [232, 234, 235],
  positive: [8, 119, 189],
};

/** Two classes are drawn on the orange–blue scale; more use the palette below. */
export const BINARY_CLASSES = 2;

/** Okabe–Ito colour-blind-safe palette for k > 2 classes (class index → colour). */
export const CLASS_PALETTE = [
  [230, 159, 0],    // orange
  [0, 114, 178],    // blue
  [0, 158, 115],    // bluish green
  [204, 121, 167],  // reddish purple
  [86, 180, 233],   // sky blue
  [213, 94, 0],     // vermillion
  [240, 228, 66],   // yellow
  [0, 0, 0],        // black
];

/** Background heatmaps are mixed towards white by this much so points stay visible on top. */
export const HEATMAP_WHITE_MIX = 0.18;
/** Multi-class maps: confidence at or below chance is white; full confidence is the class colour. */
export const CLASS_MAX_STRENGTH = 0.6;
/** uint8 map coding: v in [-1, 1] is stored as round((v + 1) * 127.5). */
export const UINT8_HALF = 127.5;
export const UINT8_MAX = 255;
export const RGBA = 4;
export const OPAQUE = 255;

/** Output plot geometry, in CSS pixels. */
export const PLOT_MARGIN = { left: 40, right: 10, top: 10, bottom: 34 };
export const AXIS_TICK_STEP = 2;
export const AXIS_FONT_PX = 15;
export const AXIS_TICK_LENGTH = 5;
export const AXIS_LABEL_GAP = 2;
export const TICK_DIGITS = 2;
/** Slack for float steps when a loop must reach its end value. */
export const EPSILON = 1e-9;
export const POINT_RADIUS = 4;
export const POINT_OUTLINE = 1.25;
export const TRAIN_OUTLINE = "#ffffff";
export const TEST_OUTLINE = "#000000";
export const AXIS_COLOR = "#333333";
export const CURVE_COLOR = "#1a1a1a";
export const CURVE_WIDTH = 3;
export const CURVE_Y_PADDING = 0.15;
export const CURVE_Y_TICKS = 4;
/** "Nice" tick steps: a raw step below limit[i] × 10^k becomes step[i] × 10^k. */
export const NICE_STEPS = { limit: [1.5, 3, 7, Infinity], step: [1, 2, 5, 10] };
/** Dataset thumbnails: point radius in CSS pixels and the share of the canvas the data fills. */
export const THUMB_POINT_RADIUS = 1.6;
export const THUMB_FILL = 0.92;
export const THUMB_BACKGROUND = "#f4f5f6";

/** Network diagram. */
export const NODE_SIZE = { max: 56, min: 22 };
export const NODE_GAP = 10;
/** Room a layer column needs besides its nodes (bias squares, gaps), in CSS pixels. */
export const LAYER_COLUMN_PAD = 30;
export const LINK_WIDTH = { min: 0.6, max: 9, saturation: 2.5 };   // |w| ≥ saturation → max width
export const LINK_OPACITY = { min: 0.35, max: 1 };
export const BIAS_SIZE = 10;
export const BIAS_GAP = 2;
export const OUTPUT_NODE_SIZE = 22;
/** A hidden layer added with "+" copies the last layer; with no layers at all it starts like this. */
export const NEW_LAYER_UNITS = 2;
export const WEIGHT_DIGITS = 3;

/** Number formats. */
export const LOSS_DIGITS = 3;
export const PERCENT = 100;
export const ACCURACY_DIGITS = 1;
export const SLIDER_DIGITS = 4;
/** A bounded number gets a slider when it has at most this many steps; else a number box. */
export const SLIDER_MAX_STEPS = 200;

/** Socket requests that get no acknowledgement in this time are reported as errors. */
export const ACK_TIMEOUT_MS = 15000;
/** Binary arrays one frame may carry (see socket.js). */
export const FRAME_MAX_ATTACHMENTS = 64;

/** Loss chart (plotly). */
export const CHART = {
  height: 120,
  font: 14,
  lineWidth: 2.5,
  bestWidth: 2,
  maxPoints: 50000,
  yTicks: 4,
  colors: { train: "#6b6b6b", test: "#1a1a1a", val: "#0072b2", best: "#009e73" },
  margin: { l: 52, r: 10, t: 4, b: 34 },
};

/** Spec paths drawn by a dedicated view, not by the generic controls view. */
export const OWNED_PATHS = [
  "data.dataset", "data.classes", "data.features", "view.hidden", "view.hide_text",
];
/** The dataset family this page draws (2-D points); other families need their own views. */
export const POINT_FAMILY = "points";
/**
 * Workaround until the schema says where a field applies: the families each of these fields
 * is for (fields not listed apply everywhere). A schema field's own `families` wins.
 */
export const FIELD_FAMILIES = {
  "data.augment": ["images"],
  "data.normalize": ["images", "tabular"],
  "model.task": ["images", "tabular"],
  "model.bottleneck": ["images", "tabular"],
};

/** Paths with array indexes (model.layers[...]) belong to the network view. */
export const OWNED_PATH_MARK = "[";

/** TF Playground's hide key for each input feature (its `<feature>_hide` URL keys). */
export const FEATURE_HIDE_KEYS = {
  x1: "x", x2: "y", x1x2: "xTimesY", x1sq: "xSquared", x2sq: "ySquared",
  sinx1: "sinX", sinx2: "sinY", cosx1: "cosX", cosx2: "cosY",
};

/** Frame status names. */
export const STATUS = { playing: "playing", paused: "paused", diverged: "diverged", stopped: "stopped" };

/** Loss names: more than two classes need cross-entropy (the server rejects mse with k > 2). */
export const LOSS = { mse: "mse", crossEntropy: "cross_entropy" };
export const PREVIEW_URL = (name, classes) => `/api/datasets/${encodeURIComponent(name)}/preview?classes=${classes}`;
