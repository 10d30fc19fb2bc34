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
export const LINK_LEVELS = 64;     // steps of |w| a link is drawn at: finer is invisible, and costs writes
export const LINK_DIGITS = 3;      // decimals of a link's width and opacity attributes
export const BIAS_SIZE = 10;
export const BIAS_GAP = 2;
export const OUTPUT_NODE_SIZE = 22;
/** A hidden layer added with "+" copies the last layer; with no layers at all it starts like this. */
export const NEW_LAYER_UNITS = 2;
/** Words after a count, singular and plural ("1 hidden layer", "2 hidden layers"). */
export const PLURAL = {
  layer: { one: " hidden layer", many: " hidden layers" },
  neuron: { one: " neuron", many: " neurons" },
};
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

/** Options every plotly chart is drawn with. */
export const PLOTLY_CONFIG = { displayModeBar: false, responsive: true };
/** Arrow keys that move between tabs: one tab right or left (wrapping around). */
export const TAB_KEYS = { ArrowRight: 1, ArrowLeft: -1 };

/** The live loss and accuracy charts (widgets/chart.js: SVG drawn by the page). */
export const CHART = {
  height: 120,
  font: 14,
  lineWidth: 2.5,
  bestWidth: 2,
  yTicks: 4,
  colors: { train: "#6b6b6b", test: "#1a1a1a", val: "#0072b2", best: "#009e73" },
  margin: { l: 52, r: 10, t: 4, b: 34 },
  wholeTicksUpTo: 8,        // epochs up to which the x axis ticks every epoch
  redrawMs: 500,            // plotly panels (widgets/panelview.js): a redraw costs 10–45 ms, two a second
  drawPoints: 1500,         // points per line drawn at most; a longer history is drawn strided
  clipPad: 2,               // px a line may stand out of the plot (its width), no more
  yMargin: 0.05,            // room above the largest value, as a fraction of the range
  // Axis ends are rounded up to one of these × 10^k, so they (and the ticks and gridlines
  // drawn with them) change now and then, not on every frame.
  axisEnds: [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10],
  logStep: 0.5,             // log axis ends on whole half decades
  markColor: "#b35900",     // the learning-rate schedule's marks (warm-up's end, decays)
  markWidth: 1.5,
  emptyNote: "Epochs appear here",
};
/** The small learning-rate schedule curve beside the learning-rate control (CSS pixels). */
export const SCHEDULE_CURVE = { width: 120, height: 36, pad: 3, color: "#b35900", lineWidth: 2 };
/** Significant digits of the current learning rate under the schedule curve. */
export const RATE_DIGITS = 3;
/** Decimals of F1, R² and similar report figures. */
export const REPORT_DIGITS = 3;

/** Spec paths drawn by a dedicated view, not by the generic controls view. */
export const OWNED_PATHS = [
  "data.dataset", "data.classes", "data.features", "view.hidden", "view.hide_text", "model.activation",
];
/** Dataset families (schema datasets[].family): 2-D points get the TF-style diagram. */
export const POINT_FAMILY = "points";
export const IMAGE_FAMILY = "images";
export const TABLE_FAMILY = "tabular";
export const SEQUENCE_FAMILY = "sequences";
export const AUTOENCODER = "autoencoder";

/**
 * Spec paths whose value belongs to a dataset (its net, sample count, loss, ...). Leaving a
 * dataset remembers them; arriving at one restores what was remembered there, or sends null so
 * the server fills that dataset's defaults (e.g. the LeNet-like net for digits). All 2-D point
 * sets share one memory, so switching among them keeps the network as TF Playground does.
 */
export const DATASET_PATHS = [
  "data.samples", "data.features", "data.classes", "data.seq_length", "model.layers", "model.init",
  "model.task", "model.bottleneck", "training.loss", "training.optimizer", "training.learning_rate",
  "training.batch_size",
];
/** The dataset families this page has views for (others are left out of the picker). */
export const PAGE_FAMILIES = [POINT_FAMILY, IMAGE_FAMILY, TABLE_FAMILY, SEQUENCE_FAMILY];
/** Short card labels for fields whose schema label is too long for a layer card. */
export const CARD_LABELS = { kernel: "Kernel", rate: "Rate", units: "Neurons", num_layers: "Stacked", dim: "Size" };
/** Changing the key path sends the listed paths as null: the server refills their defaults. */
export const RESET_WITH = {
  "model.task": ["model.layers", "training.loss"],
};

/** Paths with array indexes (model.layers[...]) belong to the network view. */
export const OWNED_PATH_MARK = "[";

/** TF Playground's hide key for each input feature (its `<feature>_hide` URL keys). */
export const FEATURE_HIDE_KEYS = {
  x1: "x", x2: "y", x1x2: "xTimesY", x1sq: "xSquared", x2sq: "ySquared",
  sinx1: "sinX", sinx2: "sinY", cosx1: "cosX", cosx2: "cosY",
};

/** What the live room's strips say (page/room.js). */
export const ROOM_TEXT = {
  copy: "Copy link", copied: "Copied", copyByHand: "Press Ctrl+C",
  closed: "Your teacher closed this room: the picture stays as it was", closedBadge: "Closed",
};
/** The run bar's start: the initialisation seed, as "start #12345". */
export const START_PREFIX = "start #";
/** Frame status names. */
export const STATUS = { playing: "playing", paused: "paused", diverged: "diverged", stopped: "stopped" };

/** Loss names: more than two classes need cross-entropy (the server rejects mse with k > 2). */
export const LOSS = { mse: "mse", crossEntropy: "cross_entropy" };
export const PREVIEW_URL = (name, classes) => `/api/datasets/${encodeURIComponent(name)}/preview?classes=${classes}`;

/** Ten strong, distinct class colours (matplotlib's tab10) for image and table classes. */
export const CLASS_COLORS_10 = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];
/** Feature maps: a perceptual scale (viridis stops, low → high). */
export const VIRIDIS_STOPS = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
];
/** Images are drawn as dark ink on white paper: pixel 255 → this ink, 0 → white. */
export const INK = [17, 20, 24];
export const PAPER = [255, 255, 255];

/** Image views: tile sizes in CSS pixels (canvases keep their native size, CSS upscales). */
export const IMAGE_VIEWS = {
  /** Views that ride along on every frame (tiny: 24 bins per weight tensor) so the
   *  over-time picture has no gaps while another tab is open. */
  always: ["histograms"],
  tileGap: 1,               // native pixels between tiles of a mosaic
  minTile: 20,              // CSS px: a tile is never drawn smaller than this
  maxScale: 24,             // CSS px per native pixel at most
  sampleSize: 128,          // CSS px of the picked sample image
  thumbSize: 64,            // CSS px of a gallery / examples tile
  reconSize: 56,            // CSS px of an original / reconstruction tile
  denseColumns: 16,         // a dense layer's units are drawn in rows of this many
  histColumns: 120,         // epochs kept in the histograms-over-time picture
  probDigits: 0,
  cellShadeMax: 0.85,       // strongest confusion-cell tint
  cellInkSwitch: 0.5,       // tint above which the count is written in white
  shortName: 3,             // class names longer than this get upright column headings
  topProbs: 3,              // classes listed under the picked example
  histRows: 48,             // native rows of a histogram strip (its common value axis)
  thumbMosaic: 2,           // an image set's picker thumbnail: 2 × 2 sample images
};
/** Embedding scatter and accuracy chart (plotly). */
export const EMBED = {
  aspect: 0.6, minHeight: 300, maxHeight: 520, markerSize: 7, opacity: 0.8, margin: { l: 44, r: 10, t: 10, b: 36 }, background: "#f4f5f6",
};
/** Compact number format for parameters and FLOPs ("18.4K"). */
export const COMPACT = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
export const WHOLE = new Intl.NumberFormat("en");
/** The layer-card field a new spatial layer is recognised by (conv, pool and residual have one). */
export const SPATIAL_FIELD = "kernel";
/** Symbols of the device names the frame carries. */
export const DEVICE_NAMES = { cpu: "CPU", cuda: "GPU", mps: "GPU (Apple)" };

/* ======================================================================
   Sequence models
   ====================================================================== */
/** Layer kinds with a hidden state over time, and the gates each one's probe reports (in the
 *  order they are drawn; LSTM's `cell` is the cell state, not a gate: drawn on ± scale). */
export const RECURRENT_KINDS = ["rnn", "lstm", "gru"];
export const GATES = {
  lstm: [
    { name: "input", label: "Input gate", hint: "how much new information is written" },
    { name: "forget", label: "Forget gate", hint: "how much of the memory is kept (1 = all)" },
    { name: "output", label: "Output gate", hint: "how much of the memory is shown" },
    { name: "cell", label: "Cell state (the memory)", hint: "what is remembered", signed: true },
  ],
  gru: [
    { name: "reset", label: "Reset gate", hint: "how much of the past the new candidate reads" },
    { name: "update", label: "Update gate", hint: "how much of the state is replaced" },
  ],
};
/** Kinds that read token ids, so only datasets with a vocabulary (text) take them, first. */
export const VOCAB_KINDS = ["embedding"];
/** Which tabs each kind of sequence dataset shows (when the net has a recurrent layer). */
export const SEQUENCE_TABS = {
  series: ["series", "hidden", "gates", "gradients", "histograms"],
  text: ["text", "hidden", "gates", "gradients", "histograms"],
  labels: ["hidden", "gates", "gradients", "histograms"],
};
/** Tabs that draw the probe of one recurrent layer, and the ones that draw one test sequence. */
export const LAYER_TABS = ["hidden", "gates", "gradients"];
export const SAMPLE_TABS = ["series", "hidden", "gates", "gradients"];
/** The page's own starting prompt and temperature (what it sends until a person changes them);
 *  the bounds mirror engine/sequence_views.py (MAX_PROMPT, MAX_TEMPERATURE), not in the schema. */
export const TEXT_VIEW = {
  prompt: "the ", temperature: 0.8, maxPrompt: 100, maxTemperature: 2, temperatureStep: 0.1,
  temperatureDigits: 1, captionDigits: 2,
};
/** The drawing pad of image classifiers (images/drawpad.js). Sizes in the pad's own pixels
 *  (schema limits.draw.size a side, what is sent); the canvas holds `scale` of them each.
 *  A drawing goes to the server at most every `sendMs` (10 a second), rounded to `digits`. */
export const DRAW_PAD = {
  scale: 4, brush: { min: 2, max: 12, value: 5 }, sendMs: 100, digits: 2, ink: "#fff", paper: "#000",
};
/** Your own text for the character model (sequences/owntext.js): the file's encoding, and the
 *  room a byte-order mark takes beyond the schema's limits.text.max_bytes. */
export const OWN_TEXT = { encoding: "utf-8", bomBytes: 3 };
/** Picker thumbnails of sequence sets (page/datasetthumbs.js). */
export const SEQ_THUMB = {
  lines: 2, steps: 40, lineWidth: 2.5, colors: ["#0b5cad", "#d55e00"],
  bitRows: 4, bitSteps: 10, bitPitch: 1.5, textLines: 4, charWidth: 0.62, fontScale: 0.85, indent: 0.4,
  mono: '"DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace',
};
/** Sequence charts (plotly) and heatmaps (canvas), in CSS pixels. */
export const SEQ = {
  seriesHeight: { min: 320, max: 440, aspect: 0.55 },
  gradHeight: { min: 260, max: 380, aspect: 0.45 },
  font: 16,
  margin: { l: 64, r: 16, t: 10, b: 52 },
  noteTop: 34,                                         // room above a chart for a one-line note
  gradTicks: 5,                                        // decades labelled on the gradient chart's log axis
  gradRange: [-16, 1],                                 // its fixed log10 ends (widened, never narrowed)
  colors: {
    input: "#6b7480", target: "#111418", prediction: "#0b5cad", forecast: "#d55e00",
    truth: "#111418", divider: "#6b7480", bars: "#0b5cad",
  },
  lineWidth: 3,
  underWidth: 7,                                       // a target line drawn under its prediction
  markerSize: 7,
  heat: {
    axisLeft: 62, axisBottom: 40, top: 6, right: 8,   // room for the axes' numbers and titles
    rowMax: 16, rowMin: 3,                             // px per unit (row), as room allows
    maxHeight: 420, gateMaxHeight: 190,
    font: 15, tick: 5, ticksX: 6, ticksY: 5, labelGap: 3, labelSpacing: 1.6,   // spacing: label heights between unit ticks
  },
};

/* ======================================================================
   Export and quantise (page/modelactions.js, server/downloads.py)
   ====================================================================== */
export const EXPORT_URL = (sessionId) => `/api/sessions/${encodeURIComponent(sessionId)}/export.zip`;
export const QUANTIZE_URL = (sessionId) => `/api/sessions/${encodeURIComponent(sessionId)}/quantize`;
/** A saved experiment's model, restored server-side (the /e/<id> page has no live session). */
export const SAVED_EXPORT_URL = (id) => `/api/experiments/${encodeURIComponent(id)}/export.zip`;
export const SAVED_QUANTIZE_URL = (id) => `/api/experiments/${encodeURIComponent(id)}/quantize`;
/** sessionStorage key: the session this tab forked (a saved run or a room), reopened on reload. */
export const OWN_SESSION_KEY = "nn-playground-own-session";
/** The zip's name when the answer does not give one (Content-Disposition). */
export const EXPORT_FALLBACK_NAME = "nn-playground-model.zip";
/** The object URL of a downloaded zip is released this long after the click started the save. */
export const DOWNLOAD_REVOKE_MS = 60000;
/** Byte sizes: binary steps, named as file browsers do. */
export const BYTE_STEP = 1024;
export const BYTE_UNITS = ["B", "KB", "MB", "GB"];
export const BYTE_DIGITS = 1;
/** How each quantisation method works, in a few words (engine/quantize.py). */
export const QUANTIZE_METHODS = {
  static: "weights and activations in int8",
  dynamic: "int8 weights, activations quantised on the fly",
};

// ---- saved experiments (page/save.js, page/saved.js; server/experiments.py) ----
export const EXPERIMENT_URL = (id) => `/api/experiments/${encodeURIComponent(id)}`;
export const EXPERIMENT_FRAMES_URL = (id) => `/api/experiments/${encodeURIComponent(id)}/frames`;
export const SAVED_STATUS = "saved";             // the status line of a saved experiment
export const READ_ONLY_MESSAGE = "This saved experiment is read-only: press Continue training to change it.";
export const UNTITLED = "Untitled experiment";
export const COPY_FEEDBACK_MS = 2000;
// What a saved page locks: everything that would change the experiment.
export const SAVED_LOCKED = ".topbar, .column-data, .column-network, "
  + ".view-toggles, .classroom";
/** ...but not these, which act on the saved model itself (the 2-D page keeps them under the net). */
export const SAVED_KEPT = '[data-testid="export"], [data-testid="quantize"]';

// ---- keeping a session across a lost trainer or a server restart (page/recovery.js) ----
/** Waits before a refused socket tries again (a fresh cookie first), growing to the last. */
export const RECONNECT_DELAYS_MS = [1000, 2000, 5000, 10000];

/** Point editor (hand-placed 2-D sets): how near a click must be to grab a point, in CSS px. */
export const HIT_RADIUS_PX = 9;
/** PointerEvent.button of the secondary (right) button. */
export const RIGHT_BUTTON = 2;
/** Where a CSV file is read into hand-placed points (server/pages/uploads.py). */
export const UPLOAD_POINTS_URL = "/api/uploads/points";
/** A person's table (CSV) and images (zip): kept on the server, named by id in data.upload. */
export const UPLOAD_TABLE_URL = "/api/uploads/table";
export const UPLOAD_IMAGES_URL = "/api/uploads/images";
