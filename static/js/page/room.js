/**
 * Live rooms (server/rooms.py). A teacher opens a room on the session on screen and gets a code
 * and link to show the class, how many are watching, "Send my setup to the class" (pushes the
 * spec) and "Close room". A student at /r/<code> watches the teacher's session read-only, sees
 * what the teacher sends ("try this": opens in a new tab as the student's own session), and
 * "Make my own copy" forks the session as it is now into the student's own, on this page.
 */
import { COPY_FEEDBACK_MS } from "../constants.js";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "testid") node.dataset.testid = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

/** "spiral · 2 features · 4-2 tanh" for a pushed spec. */
export function describeSpec(spec) {
  const layers = (spec.model?.layers || []).filter((l) => l.units != null && l.kind !== "output");
  const shape = layers.length ? layers.map((l) => l.units).join("-") : "no hidden layer";
  const activation = layers[0]?.activation ? ` ${layers[0].activation}` : "";
  const features = spec.data?.features?.length;
  return [spec.data?.dataset, features ? `${features} feature${features > 1 ? "s" : ""}` : null,
    `${shape}${activation}`, spec.training?.learning_rate != null ? `learning rate ${spec.training.learning_rate}` : null]
    .filter(Boolean).join(" · ");
}

export class RoomView {
  /**
   * `code`: the room this page watches (a student), or null (the playground: a teacher may open
   * one). `onForked(answer)`: a student's own copy was made (the page turns into a playground).
   */
  constructor(root, store, connection, showErrors, { code = null, onForked = () => {} } = {}) {
    this.root = root;
    this.store = store;
    this.connection = connection;
    this.showErrors = showErrors;
    this.code = code;
    this.onForked = onForked;
    this.watching = Boolean(code);
    this.section = root.querySelector('[data-testid="room"]');
    this.section.hidden = !this.watching;
    connection.on("room", (info) => this.#count(info));
    connection.on("room_push", (pushed) => this.#pushed(pushed));
    if (this.watching) this.#buildStudent();
    else this.#buildTeacher();
  }

  // ---- teacher ------------------------------------------------------------------------------
  #buildTeacher() {
    this.openButton = el("button", { type: "button", class: "header-button room-open", testid: "room-open" }, "Live room");
    this.openButton.title = "Show this session to a class: students join with a code and watch it train";
    this.panel = el("div", { class: "room-panel", testid: "room-panel" });
    this.panel.hidden = true;
    this.codeText = el("strong", { class: "room-code", testid: "room-code" });
    this.link = el("input", { class: "room-link", testid: "room-link", readonly: "", "aria-label": "Room link" });
    this.copy = el("button", { type: "button", testid: "room-copy" }, "Copy link");
    this.viewers = el("span", { class: "room-viewers", testid: "room-viewers" }, "0 watching");
    this.push = el("button", { type: "button", class: "room-push", testid: "room-push" }, "Send my setup to the class");
    this.pushStatus = el("span", { class: "room-status", testid: "room-push-status", role: "status" });
    this.close = el("button", { type: "button", testid: "room-close" }, "Close room");
    this.panel.append(
      el("span", { class: "room-label" }, "Join code"), this.codeText,
      el("span", { class: "room-join" }, this.link, this.copy), this.viewers,
      el("span", { class: "room-actions" }, this.push, this.close), this.pushStatus);
    this.root.querySelector(".header-actions").prepend(this.openButton);
    this.section.append(this.panel);
    this.openButton.addEventListener("click", () => this.#open());
    this.close.addEventListener("click", () => this.#close());
    this.push.addEventListener("click", () => this.#push());
    this.copy.addEventListener("click", async () => {
      this.link.select();
      try {
        await navigator.clipboard.writeText(this.link.value);
        this.copy.textContent = "Copied";
      } catch {
        this.copy.textContent = "Press Ctrl+C";
      }
      setTimeout(() => { this.copy.textContent = "Copy link"; }, COPY_FEEDBACK_MS);
    });
  }

  async #open() {
    const answer = await this.connection.request("room_open", {});
    if (!answer.ok) return this.showErrors(answer.errors);
    this.code = answer.code;
    this.codeText.textContent = answer.code;
    this.link.value = new URL(answer.url, location.origin).href;
    this.#count({ code: answer.code, viewers: answer.viewers, open: true });
    this.panel.hidden = false;
    this.section.hidden = false;
    this.openButton.hidden = true;
  }

  async #close() {
    const answer = await this.connection.request("room_close", { code: this.code });
    if (!answer.ok) return this.showErrors(answer.errors);
    this.code = null;
    this.panel.hidden = true;
    this.section.hidden = true;
    this.openButton.hidden = false;
  }

  async #push() {
    const answer = await this.connection.request("room_push", { code: this.code, spec: this.store.spec });
    if (!answer.ok) return this.showErrors(answer.errors);
    const n = answer.viewers;
    this.pushStatus.textContent = `Sent to ${n} student${n === 1 ? "" : "s"}`;
  }

  // ---- student ------------------------------------------------------------------------------
  #buildStudent() {
    this.banner = el("div", { class: "room-banner", testid: "room-banner" });
    this.viewers = el("span", { class: "room-viewers", testid: "room-viewers" });
    this.fork = el("button", { type: "button", class: "room-fork", testid: "room-fork" }, "Make my own copy");
    this.fork.title = "Copy the network as it is now into your own session, to change and train yourself";
    this.banner.append(
      el("span", { class: "room-live" }, "Live"),
      el("span", {}, "Watching room ", el("strong", { class: "room-code", testid: "room-code" }, this.code)),
      this.viewers, this.fork);
    this.suggestion = el("div", { class: "room-suggestion", testid: "room-suggestion", role: "status" });
    this.suggestion.hidden = true;
    this.section.append(this.banner, this.suggestion);
    this.fork.addEventListener("click", () => this.#fork());
  }

  /** Join the room: the answer the spec store shows (spec, plan), or null with errors shown. */
  async join() {
    const answer = await this.connection.request("room_join", { code: this.code });
    if (!answer.ok) {
      this.showErrors(answer.errors);
      this.#closed();
      return null;
    }
    this.#count(answer);
    if (answer.pushed) this.#pushed(answer.pushed);
    return answer;
  }

  async #fork() {
    this.fork.disabled = true;
    const answer = await this.connection.request("room_fork", { code: this.code });
    if (!answer.ok) {
      this.fork.disabled = false;
      return this.showErrors(answer.errors);
    }
    this.watching = false;
    await this.connection.request("room_leave", { code: this.code });
    this.section.hidden = true;
    this.onForked(answer);
  }

  #pushed(pushed) {
    if (!this.watching) return;
    const open = el("a", { href: `/#${pushed.hash}`, target: "_blank", rel: "noopener", testid: "room-try" },
      "Try it in my own session");
    this.suggestion.replaceChildren(
      el("span", { class: "room-label" }, "Your teacher suggests"),
      el("span", { testid: "room-suggested" }, describeSpec(pushed.spec)), open);
    this.suggestion.hidden = false;
  }

  #closed() {
    if (this.banner) {
      this.viewers.textContent = "This room has closed";
      this.fork.disabled = true;
      this.banner.dataset.state = "closed";
    }
  }

  // ---- both ---------------------------------------------------------------------------------
  #count(info) {
    if (info.code !== this.code) return;
    if (info.open === false) return this.#closed();
    const n = info.viewers;
    this.viewers.textContent = `${n} watching`;
    this.viewers.dataset.count = String(n);
  }

  render() {
    if (this.openButton) this.openButton.disabled = !this.store.sessionId;
  }

  update() {}
}
