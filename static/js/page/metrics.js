/**
 * The numbers a class reads from across the room: epoch and step counters, test and training
 * loss and accuracy, the run status with the server's message (e.g. divergence advice) and the
 * device that trains.
 */
import { setText, setHidden } from "../dom.js";
import { LOSS_DIGITS, PERCENT, ACCURACY_DIGITS, STATUS, DEVICE_NAMES, SAVED_STATUS } from "../constants.js";

const STATUS_TEXT = {
  [STATUS.playing]: "Training…",
  [STATUS.paused]: "Paused",
  [SAVED_STATUS]: "Saved",
  [STATUS.diverged]: "Training diverged",
  [STATUS.stopped]: "Stopped",
};

function formatLoss(value) {
  return value == null || Number.isNaN(value) ? "–" : Number(value).toFixed(LOSS_DIGITS);
}

function formatAccuracy(value) {
  return value == null || Number.isNaN(value) ? "–" : `${(value * PERCENT).toFixed(ACCURACY_DIGITS)}%`;
}

export class MetricsView {
  constructor(root, compute = {}) {
    this.compute = compute;
    const find = (id) => root.querySelector(`[data-testid="${id}"]`);
    this.fields = {
      epoch: find("epoch"),
      step: find("step-count"),
      testLoss: find("test-loss"),
      trainLoss: find("train-loss"),
      testAccuracy: find("test-accuracy"),
      trainAccuracy: find("train-accuracy"),
      status: find("status"),
      message: find("message"),
      device: find("device"),
    };
    this.accuracyBoxes = [this.fields.testAccuracy, this.fields.trainAccuracy]
      .map((element) => [element, element.closest(".metric-sub")]);
    this.device = undefined;
    this.connected = true;
  }

  /** Writes only what changed: most of it is the same from one frame to the next. */
  update(frame) {
    const f = this.fields;
    const metrics = frame.metrics || {};
    setText(f.epoch, String(frame.epoch ?? 0));
    setText(f.step, String(frame.step ?? 0));
    setText(f.testLoss, formatLoss(metrics.test_loss));
    setText(f.trainLoss, formatLoss(metrics.train_loss));
    setText(f.testAccuracy, formatAccuracy(metrics.test_accuracy));
    setText(f.trainAccuracy, formatAccuracy(metrics.train_accuracy));
    for (const [element, box] of this.accuracyBoxes) setHidden(box, element.textContent === "–");
    setText(f.status, STATUS_TEXT[frame.status] || frame.status || "");
    if (f.status.dataset.state !== (frame.status || "")) f.status.dataset.state = frame.status || "";
    const message = frame.message || "";
    setText(f.message, message.charAt(0).toUpperCase() + message.slice(1));
    setHidden(f.message, !frame.message);
    if (f.message.dataset.state !== (frame.status || "")) f.message.dataset.state = frame.status || "";
    if (frame.device !== this.device) this.#showDevice(frame.device);
  }

  /** The device this session trains on: CPU, or the GPU by name when the server gave it. */
  #showDevice(device) {
    if (!device) return;
    this.device = device;
    const name = DEVICE_NAMES[device] || device;
    const gpu = device === "cuda" && this.compute.cuda_device;
    this.fields.device.textContent = gpu ? `${name} · ${this.compute.cuda_device}` : name;
    this.fields.device.dataset.device = device;
    this.fields.device.title = `PyTorch ${this.compute.torch || ""} on ${gpu ? this.compute.cuda_device : name}`;
  }

  /** Socket link state: while disconnected the status line says so. */
  setConnected(connected) {
    this.connected = connected;
    this.fields.message.hidden = connected;
    if (!connected) {
      this.fields.message.textContent = "Connection to the server lost: reconnecting…";
      this.fields.message.dataset.state = "disconnected";
    }
  }
}
