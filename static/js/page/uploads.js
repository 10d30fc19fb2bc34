/**
 * "Your own data" in the image and table group: upload a table (CSV) or images (a zip, one
 * folder per class). The file goes to the server as it is (POST /api/uploads/table or
 * /images), which parses it, keeps the arrays and answers an id; choosing that id as the
 * dataset (DatasetsView.choose) opens it like iris or digits. The label column, the feature
 * columns, the image size and colour re-send the same file with the new choice. Caps come from
 * /api/schema (limits.uploads); refusals name the row, column or zip entry and the limit, and
 * are shown beside the control that sent the file. The per-class counts come from the spec's
 * answer, so a shared link shows them too.
 */
import { cloneTemplate, part } from "../dom.js";
import { UPLOAD_TABLE_URL, UPLOAD_IMAGES_URL } from "../constants.js";

const KB = 1024;
const MB = 1024 * KB;

function size(bytes) {
  return bytes >= MB ? `${Math.round(bytes / MB)} MB` : `${Math.round(bytes / KB)} KB`;
}

function option(value, text) {
  const element = cloneTemplate("tpl-option");
  element.value = String(value);
  element.textContent = text;
  return element;
}

/** One file chooser: the file's bytes, re-sent with the current choices on every change. */
class Sender {
  constructor(box, url) {
    this.box = box;
    this.url = url;
    this.status = part(box, "status");
    this.body = null;
    this.name = "";
  }

  async take(input) {
    const file = input.files[0];
    if (!file) return false;
    this.body = await file.arrayBuffer();
    this.name = file.name;
    input.value = "";                    // the same file chosen again reloads it
    return true;
  }

  /** The server's answer, or null after showing its refusal. */
  async send(query) {
    query.set("name", this.name);
    this.say(`${this.name}: reading…`, "busy");
    let response, answer;
    try {
      response = await fetch(`${this.url}?${query}`, {
        method: "POST", headers: { "Content-Type": "application/octet-stream" }, body: this.body,
      });
      answer = await response.json();
    } catch {
      this.say(`${this.name}: the server could not be reached; try again.`, "error");
      return null;
    }
    if (!response.ok) {
      this.say(`${this.name}: ${answer.errors.map((e) => e.message).join("; ")}`, "error");
      return null;
    }
    return answer;
  }

  say(text, state) {
    this.status.textContent = text;
    this.status.dataset.state = state;
  }
}

export class UploadsView {
  constructor(root, schema, store, datasets) {
    this.store = store;
    this.datasets = datasets;
    const box = root.querySelector('[data-testid="uploads"]');
    this.counts = box.querySelector('[data-testid="upload-counts"]');
    this.countList = part(this.counts, "count-list");
    this.#buildTable(box.querySelector('[data-testid="upload-table"]'), schema.limits.uploads.table);
    this.#buildImages(box.querySelector('[data-testid="upload-images"]'), schema.limits.uploads.images);
  }

  #buildTable(box, caps) {
    this.table = new Sender(box, UPLOAD_TABLE_URL);
    this.choices = part(box, "choices");
    this.label = part(box, "label");
    this.features = part(box, "feature-list");
    part(box, "caps").textContent = `(at most ${caps.max_rows.toLocaleString("en")} rows, `
      + `${caps.max_columns} columns, ${caps.max_classes} classes, ${size(caps.max_bytes)})`;
    const file = part(box, "file");
    file.addEventListener("change", async () => {
      if (await this.table.take(file)) this.#sendTable(null, null);
    });
    this.label.addEventListener("change", () => this.#sendTable(this.label.value, null));
    this.features.addEventListener("change", () => this.#sendTable(this.label.value, this.#checked()));
  }

  #buildImages(box, caps) {
    this.images = new Sender(box, UPLOAD_IMAGES_URL);
    this.size = part(box, "size");
    this.colour = part(box, "colour");
    this.size.replaceChildren(...caps.sizes.map((n) => option(n, `${n}×${n}`)));
    this.size.value = String(caps.default_size);
    part(box, "caps").textContent = `(one folder per class, PNG or JPEG; at most `
      + `${caps.max_files.toLocaleString("en")} files, ${caps.max_classes} classes, `
      + `${size(caps.max_bytes)})`;
    const file = part(box, "file");
    file.addEventListener("change", async () => {
      if (await this.images.take(file)) this.#sendImages();
    });
    for (const control of [this.size, this.colour]) {
      control.addEventListener("change", () => { if (this.images.body) this.#sendImages(); });
    }
  }

  #checked() {
    return [...this.features.querySelectorAll("input:checked")].map((input) => input.value);
  }

  async #sendTable(label, features) {
    if (!this.table.body) return;
    const query = new URLSearchParams();
    if (label) query.set("label", label);
    for (const name of features || []) query.append("feature", name);
    const answer = await this.table.send(query);
    if (!answer) return;
    this.#fillColumns(answer);
    if (await this.#open(this.table, answer)) {
      const { features: used } = answer.upload;
      this.table.say(`${this.table.name}: ${this.#rows(answer.upload)} rows; label `
        + `“${answer.label}”, ${used.length} feature${used.length === 1 ? "" : "s"} `
        + `(${used.join(", ")}).`, "ok");
    }
  }

  #fillColumns(answer) {
    this.choices.hidden = false;
    this.label.replaceChildren(...answer.columns.map((name) => option(name, name)));
    this.label.value = answer.label;
    const boxes = answer.numeric.filter((name) => name !== answer.label).map((name) => {
      const item = cloneTemplate("tpl-upload-feature");
      const check = part(item, "check");
      check.value = name;
      check.checked = answer.upload.features.includes(name);
      check.dataset.testid = `upload-table-feature-${name}`;
      part(item, "name").textContent = name;
      return item;
    });
    this.features.replaceChildren(...boxes);
  }

  async #sendImages() {
    const query = new URLSearchParams({ size: this.size.value, colour: String(this.colour.checked) });
    const answer = await this.images.send(query);
    if (!answer || !await this.#open(this.images, answer)) return;
    const [channels, side] = answer.upload.shape;
    const notes = answer.notes.length ? ` ${answer.notes.join("; ")}.` : "";
    this.images.say(`${this.images.name}: ${this.#rows(answer.upload)} images at ${side}×${side} `
      + `${channels === 1 ? "grey" : "colour"}.${notes}`, "ok");
  }

  #rows(upload) {
    return upload.counts.reduce((a, b) => a + b, 0).toLocaleString("en");
  }

  /** Train on the upload; false (with the reason beside the control) if the spec is refused. */
  async #open(sender, answer) {
    const ok = await this.datasets.choose(answer.dataset, answer.upload.id);
    if (ok === false) sender.say(`${sender.name}: read, but the session refused it (see the message above).`, "error");
    return ok !== false;
  }

  /** The per-class counts of the upload on screen (also after a shared link opened it). */
  render(spec) {
    const upload = this.store.upload;
    const shown = Boolean(upload && spec.data.upload === upload.id);
    this.counts.hidden = !shown;
    if (!shown) return;
    const key = upload.id;
    if (this.counts.dataset.key === key) return;
    this.counts.dataset.key = key;
    this.countList.replaceChildren(...upload.class_names.map((name, k) => {
      const item = cloneTemplate("tpl-upload-count");
      part(item, "name").textContent = name;
      part(item, "count").textContent = upload.counts[k].toLocaleString("en");
      item.dataset.testid = `upload-count-${name}`;
      return item;
    }));
  }
}
