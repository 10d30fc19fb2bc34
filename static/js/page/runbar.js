/**
 * The run buttons: play/pause (one toggle that follows the server's status), step one epoch,
 * step one batch, reset and regenerate. Answers with errors go to the errors view; answers
 * carrying a spec (regenerate's new data seed, reset's new initialisation seed) go to the spec
 * store. Beside Reset it shows the start: the initialisation seed the weights were drawn from.
 */
import { setText } from "../dom.js";
import { STATUS, START_PREFIX } from "../constants.js";

export class RunBar {
  constructor(root, connection, showErrors, adopt) {
    this.connection = connection;
    this.showErrors = showErrors;
    this.adopt = adopt;
    this.playButton = root.querySelector('[data-action="toggle"]');
    this.seed = root.querySelector('[data-testid="start-seed"]');
    this.blockable = [...root.querySelectorAll('[data-action="toggle"], [data-action="step"], [data-action="step-batch"]')];
    this.status = STATUS.paused;
    const actions = {
      toggle: () => this.#send(this.status === STATUS.playing ? "pause" : "play"),
      step: () => this.#send("step", { unit: "epoch" }),
      "step-batch": () => this.#send("step", { unit: "batch" }),
      reset: () => this.#send("reset"),
      regenerate: () => this.#send("regenerate"),
    };
    for (const [action, run] of Object.entries(actions)) {
      for (const button of root.querySelectorAll(`[data-action="${action}"]`)) {
        button.addEventListener("click", run);
      }
    }
  }

  async #send(event, payload = {}) {
    const answer = await this.connection.request(event, payload);
    if (!answer.ok) {
      this.showErrors(answer.errors);
      return;
    }
    if (answer.status) this.#setStatus(answer.status);
    this.adopt(answer);     // regenerate and reset answer with the spec's new seed and hash
  }

  #setStatus(status) {
    this.status = status;
    const playing = status === STATUS.playing;
    this.playButton.dataset.state = playing ? "playing" : "paused";
    this.playButton.setAttribute("aria-label", playing ? "Pause" : "Play");
    this.playButton.setAttribute("aria-pressed", String(playing));
  }

  update(frame) {
    if (frame.status) this.#setStatus(frame.status);
  }

  /** The start on screen: "start #<training.seed>" (a reset draws the next, Same start keeps it). */
  render(spec) {
    setText(this.seed, `${START_PREFIX}${spec.training.seed}`);
  }

  /** While the network on screen cannot be built, nothing may train (the old one would). */
  setBlocked(blocked) {
    for (const button of this.blockable) button.disabled = blocked;
    this.playButton.title = blocked ? "Fix the layer marked in red to train" : "Run / pause";
    if (blocked && this.status === STATUS.playing) this.#send("pause");
  }
}
