/**
 * Text the network writes, live: a prompt box and a temperature slider (both sent with the
 * `view` event by the sequence panel), and the frame's scalar `text: {prompt, temperature,
 * sample}` shown large: the prompt as the server read it, highlighted, then the 200 characters
 * it generated. The server regenerates them whenever the weights change.
 */
import { formatNumber } from "../dom.js";
import { TEXT_VIEW } from "../constants.js";

export class TextGenView {
  /** onChange({prompt, temperature}) when a person edits either. */
  constructor(panel, onChange) {
    this.panel = panel;
    const find = (id) => panel.querySelector(`[data-testid="${id}"]`);
    this.promptInput = find("text-prompt");
    this.slider = find("text-temperature");
    this.value = find("text-temperature-value");
    this.promptOut = find("generated-prompt");
    this.sampleOut = find("generated-sample");
    this.caption = find("text-caption");
    this.prompt = TEXT_VIEW.prompt;
    this.temperature = TEXT_VIEW.temperature;
    this.promptInput.maxLength = TEXT_VIEW.maxPrompt;
    this.promptInput.value = this.prompt;
    Object.assign(this.slider, { min: "0", max: String(TEXT_VIEW.maxTemperature), step: String(TEXT_VIEW.temperatureStep) });
    this.slider.value = String(this.temperature);
    this.#showTemperature();
    // Sent as typed: the server reads it in the text's characters (a capital the text lacks as
    // its lower case) and answers what it read.
    this.promptInput.addEventListener("input", () => {
      this.prompt = this.promptInput.value;
      onChange(this.options());
    });
    this.slider.addEventListener("input", () => {
      this.temperature = Number(this.slider.value);
      this.#showTemperature();
      onChange(this.options());
    });
  }

  options() {
    return { prompt: this.prompt, temperature: this.temperature };
  }

  #showTemperature() {
    this.value.textContent = this.temperature.toFixed(TEXT_VIEW.temperatureDigits);
    this.slider.setAttribute("aria-valuetext", this.value.textContent);
  }

  update(frame) {
    const text = frame.text;
    if (!text) return;
    this.promptOut.textContent = text.prompt;
    this.sampleOut.textContent = text.sample;
    const greedy = text.temperature === 0 ? " (always the likeliest character)" : "";
    this.caption.textContent = `Written at temperature ${formatNumber(text.temperature, TEXT_VIEW.captionDigits)}${greedy}, `
      + `${text.sample.length} characters after the highlighted prompt. Epoch ${frame.epoch ?? 0}.`;
    this.caption.dataset.temperature = String(text.temperature);
  }

  render() {}

  show() {}
}
