/** Wiring only: fetch the schema, connect, build the views, route spec changes and frames. */
import { Connection } from "./socket.js";
import { DrawLoop, mergeFrames } from "./coalesce.js";
import { SpecStore } from "./state.js";
import { ControlsView } from "./page/controls.js";
import { ErrorsView } from "./page/errors.js";
import { RunBar } from "./page/runbar.js";
import { MetricsView } from "./page/metrics.js";
import { DatasetsView } from "./page/datasets.js";
import { UploadsView } from "./page/uploads.js";
import { FeaturesView } from "./points/features.js";
import { NetworkView } from "./points/network.js";
import { OutputView } from "./points/output.js";
import { PointEditor } from "./points/editor.js";
import { CsvLoader } from "./points/csvload.js";
import { ChartView, ACCURACY_CHART } from "./widgets/chart.js";
import { ClassroomView } from "./page/classroom.js";
import { FamilyView } from "./page/family.js";
import { LayersView } from "./page/layers.js";
import { ImagePanel } from "./images/imagepanel.js";
import { SequencePanel } from "./sequences/sequencepanel.js";
import { OwnTextView } from "./sequences/owntext.js";
import { ModelActions } from "./page/modelactions.js";
import { SaveView } from "./page/save.js";
import { SavedView } from "./page/saved.js";
import { SavedDelete } from "./page/savedelete.js";
import { LessonView } from "./page/lesson.js";
import { PresenterView } from "./page/presenter.js";
import { Shortcuts } from "./page/shortcuts.js";
import { RoomView } from "./page/room.js";
import { InsightsView } from "./page/insights.js";
import { Recovery } from "./page/recovery.js";
import { ScheduleView } from "./page/schedule.js";
import { lockControls } from "./dom.js";
import { SAVED_LOCKED } from "./constants.js";

async function start() {
  const response = await fetch(document.body.dataset.schemaUrl);
  if (!response.ok) throw new Error(`schema: HTTP ${response.status}`);
  const schema = await response.json();
  const root = document.body;
  const connection = new Connection();
  const store = new SpecStore(connection, schema);

  const errors = new ErrorsView(root, schema.fields);
  const showErrors = (list) => errors.show(list);
  const output = new OutputView(root, schema);
  const focus = (index, label, thumb) => {
    if (connection.readOnly) return;     // a saved experiment has no neuron maps to show
    output.setFocus(index, label, thumb);
    connection.request("view", { focus: index ?? null });
  };
  const pointEditor = new PointEditor(root, schema, store, output, () => connection.readOnly);
  new CsvLoader(root, schema, store);
  const controls = new ControlsView(root, schema, store);
  const datasets = new DatasetsView(root, schema, store);
  const uploads = new UploadsView(root, schema, store, datasets);
  const features = new FeaturesView(root, schema, store, focus);
  const network = new NetworkView(root, schema, store, features, connection, showErrors, focus);
  const metrics = new MetricsView(root, schema.compute);
  const runbar = new RunBar(root, connection, showErrors, (answer) => store.adopt(answer));
  const chart = new ChartView(root);
  const accuracy = new ChartView(root, ACCURACY_CHART);
  const schedule = new ScheduleView(root, store, [chart]);
  const insights = new InsightsView(root, store);
  const classroom = new ClassroomView(root, schema, store);
  const family = new FamilyView(root, store);
  const layers = new LayersView(root, schema, store, (blocked) => runbar.setBlocked(blocked));
  const images = new ImagePanel(root, schema, store, connection, showErrors);
  const sequences = new SequencePanel(root, schema, store, connection, showErrors);
  const ownText = new OwnTextView(root, schema, store);
  const modelActions = new ModelActions(root, store);
  const save = new SaveView(root, store);
  const lesson = LessonView.fromPage(root, store);
  // A new palette must reach the output's colour legend too (it redraws only when its key changes).
  const presenter = new PresenterView(root, store, {
    onLook: () => {
      output.legendKey = "";
      if (store.spec) output.render(store.spec);
    },
    readOnly: () => connection.readOnly,
  });
  new Shortcuts(root);
  const roomCode = root.dataset.roomCode || null;
  let unlockRoom = () => {};
  const room = new RoomView(root, store, connection, showErrors, {
    code: roomCode,
    onForked: (answer) => {             // a student's own copy: this page becomes a playground
      connection.readOnly = false;
      unlockRoom();
      root.dataset.mode = "live";
      store.adoptOwn(answer);
    },
  });

  // The family view first: the others measure what it shows; presenter's palette before drawing.
  const specViews = [family, presenter, controls, datasets, uploads, features, network, output, pointEditor, classroom, layers,
    images, sequences, ownText, modelActions, save, lesson, room, schedule, runbar].filter(Boolean);
  const frameViews = [runbar, metrics, features, network, output, chart, accuracy, images, sequences, modelActions,
    insights, schedule];

  store.onErrors(showErrors);
  store.onChange((spec, info) => specViews.forEach((view) => view.render(spec, info)));
  let early = null;   // frames that arrived before the open answer gave us a spec, merged
  let drawn = 0;
  const draw = (frame) => {
    frameViews.forEach((view) => view.update(frame));
    drawn += 1;
    root.dataset.frames = String(drawn);   // lets tests wait for a drawn frame
  };
  // Frames that arrive between two paints coalesce; every view draws the newest in one
  // animation frame. `window.nnFrames` ({received, drawn, coalesced, epoch}) is the hook
  // bench/browser_speed.py and the UI tests read: counters, nothing on the draw path.
  const loop = new DrawLoop(draw);
  window.nnFrames = loop.stats;
  const recovery = new Recovery(connection, store, { draw: (frame) => loop.push(frame), showErrors });
  connection.onFrame((frame) => {
    // Acknowledged at once, not after the paint: the server keeps its pace, the page its own.
    if (frame.seq != null) connection.ack(frame);
    if (!store.spec) {
      early = mergeFrames(early, frame);
      return;
    }
    if (!recovery.stray(frame)) loop.push(frame);
  });
  connection.onLink(({ connected, reconnected }) => {
    metrics.setConnected(connected);
    if (reconnected) store.reattach();
  });

  const experimentId = root.dataset.experimentId;
  if (experimentId) {
    await showSaved(root, experimentId, { connection, store, draw });
    root.dataset.ready = "true";
    return;
  }
  if (roomCode) {
    connection.readOnly = true;
    unlockRoom = lockControls(root, SAVED_LOCKED);
    const show = (answer) => {       // the teacher's spec; the views rebuild: lock them again
      store.showSaved(answer);
      unlockRoom();
      unlockRoom = lockControls(root, SAVED_LOCKED);
    };
    connection.on("room_spec", (answer) => {
      if (connection.readOnly) show(answer);
    });
    const answer = await room.join();
    if (answer) {
      show(answer);
      if (early) draw(early);
    }
    root.dataset.ready = "true";
    return;
  }
  lesson?.prepareUrl();
  await store.open();
  if (early && (!early.session_id || early.session_id === store.sessionId)) draw(early);
  root.dataset.ready = "true";
}

/** The page at /e/<id>: the saved experiment, read-only, until "Continue training". */
async function showSaved(root, experimentId, { connection, store, draw }) {
  connection.readOnly = true;
  const saved = new SavedView(root, experimentId, {
    onFrame: draw,
    onFork: async (id) => {
      connection.readOnly = false;
      const forked = await store.fork(id);
      connection.readOnly = !forked;
      if (forked) root.dataset.mode = "live";
      return forked;
    },
  });
  store.showSaved(await saved.load());
  saved.lock();
  new SavedDelete(root, experimentId);
  draw(saved.first());
}

start().catch((error) => {
  const message = document.querySelector('[data-testid="message"]');
  message.textContent = `The page could not start: ${error.message}`;
  message.dataset.state = "error";
  message.hidden = false;
  throw error;
});
