/** The Compare page, wiring only: fetch the schema, build the views, load the runs. */
import { RunList } from "./runs.js";
import { RunPicker } from "./picker.js";
import { CurvesChart, LOSS_CURVES, ACCURACY_CURVES, classifies } from "./curves.js";
import { OutputsView } from "./outputs.js";
import { DiffTable } from "./difftable.js";

async function start() {
  const root = document.body;
  const response = await fetch(root.dataset.schemaUrl);
  if (!response.ok) throw new Error(`schema: HTTP ${response.status}`);
  const schema = await response.json();

  const runs = new RunList(Number(root.dataset.maxRuns));
  const picker = new RunPicker(root, runs);
  const accuracy = new CurvesChart(root, { ...ACCURACY_CURVES, accepts: (run) => classifies(schema, run) });
  const loss = new CurvesChart(root, LOSS_CURVES);
  const views = [new DiffTable(root, schema), loss, accuracy, new OutputsView(root, schema)];
  const axis = root.querySelector('[data-testid="compare-x"]');
  axis.addEventListener("change", () => [loss, accuracy].forEach((chart) => chart.setAxis(axis.value)));
  const main = root.querySelector('[data-testid="compare-main"]');
  runs.onChange((answer) => {
    main.hidden = answer.runs.length === 0;
    if (answer.runs.length) views.forEach((view) => view.update(answer));
  });
  picker.render();
  await Promise.all([runs.load(), picker.loadSessions()]);
  root.dataset.ready = "true";
}

start().catch((error) => {
  const message = document.querySelector('[data-testid="compare-failed"]');
  message.textContent = `The page could not start: ${error.message}`;
  message.hidden = false;
  throw error;
});
