/**
 * Live rooms (server/sockets/rooms.py; markup in templates/room.html). A teacher presses "Host a
 * class" on the session on screen and gets a code and link to show the class, how many are
 * watching, "Send my setup to the class" (pushes the spec) and "Close room". A student at
 * /r/<code> watches the teacher's session read-only, sees what the teacher sends ("try this":
 * opens in a new tab as the student's own session), and "Make my own copy" forks the session as
 * it is now into the student's own, on this page: from then on it is a playground like any
 * other, and can host a room of its own.
 *
 * Only the part in use is in the page (the other waits detached), so each test id names one
 * element: the teacher's strip, or the student's banner and suggestion.
 */
import { part, setText } from "../dom.js";
import { COPY_FEEDBACK_MS, ROOM_TEXT } from "../constants.js";

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
    this.openButton = root.querySelector('[data-testid="room-open"]');
    this.teacher = part(this.section, "teacher");
    this.student = part(this.section, "student");
    this.suggestion = part(this.section, "suggestion");
    connection.on("room", (info) => this.#count(info));
    connection.on("room_push", (pushed) => this.#pushed(pushed));
    this.#bindTeacher();
    part(this.student, "fork").addEventListener("click", () => this.#fork());
    this.#mode(this.watching ? "student" : "teacher");
  }

  /** Attach the parts of one role, detach the other's; the section shows while a room is on. */
  #mode(role) {
    const student = role === "student";
    this.teacher.remove();
    this.student.remove();
    this.suggestion.remove();
    if (student) this.section.append(this.student, this.suggestion);
    else this.section.append(this.teacher);
    this.student.hidden = !student;
    this.teacher.hidden = student;
    this.section.hidden = !student;
    this.openButton.hidden = student;
  }

  // ---- teacher ------------------------------------------------------------------------------
  #bindTeacher() {
    const t = (name) => part(this.teacher, name);
    setText(t("join-url"), new URL("/join", location.origin).href);
    this.openButton.addEventListener("click", () => this.#open());
    t("close").addEventListener("click", () => this.#close());
    t("push").addEventListener("click", () => this.#push());
    const copy = t("copy");
    copy.addEventListener("click", async () => {
      t("link").select();
      try {
        await navigator.clipboard.writeText(t("link").value);
        copy.textContent = ROOM_TEXT.copied;
      } catch {
        copy.textContent = ROOM_TEXT.copyByHand;
      }
      setTimeout(() => { copy.textContent = ROOM_TEXT.copy; }, COPY_FEEDBACK_MS);
    });
  }

  async #open() {
    const answer = await this.connection.request("room_open", {});
    if (!answer.ok) return this.showErrors(answer.errors);
    this.code = answer.code;
    setText(part(this.teacher, "code"), answer.code);
    part(this.teacher, "link").value = new URL(answer.url, location.origin).href;
    this.#count({ code: answer.code, viewers: answer.viewers, open: true });
    this.section.hidden = false;
    this.openButton.hidden = true;
  }

  async #close() {
    const answer = await this.connection.request("room_close", { code: this.code });
    if (!answer.ok) return this.showErrors(answer.errors);
    this.code = null;
    this.section.hidden = true;
    this.openButton.hidden = false;
  }

  async #push() {
    const answer = await this.connection.request("room_push", { code: this.code, spec: this.store.spec });
    if (!answer.ok) return this.showErrors(answer.errors);
    const n = answer.viewers;
    setText(part(this.teacher, "push-status"), `Sent to ${n} student${n === 1 ? "" : "s"}`);
  }

  // ---- student ------------------------------------------------------------------------------
  /** Join the room: the answer the spec store shows (spec, plan), or null: the banner says why. */
  async join() {
    const answer = await this.connection.request("room_join", { code: this.code });
    if (!answer.ok) {
      // Nothing to watch: the page shows the banner and its way out, not a playground.
      this.root.dataset.room = "gone";
      this.#closed(answer.errors.map((error) => error.message.replace(/^code: /, "")).join("; "));
      return null;
    }
    this.#count(answer);
    if (answer.pushed) this.#pushed(answer.pushed);
    return answer;
  }

  async #fork() {
    const fork = part(this.student, "fork");
    fork.disabled = true;
    const answer = await this.connection.request("room_fork", { code: this.code });
    if (!answer.ok) {
      fork.disabled = false;
      return this.showErrors(answer.errors);
    }
    this.watching = false;
    await this.connection.request("room_leave", { code: this.code });
    this.code = null;
    this.#mode("teacher");
    this.onForked(answer);
  }

  #pushed(pushed) {
    if (!this.watching) return;
    setText(part(this.suggestion, "suggested"), describeSpec(pushed.spec));
    part(this.suggestion, "try").href = `/#${pushed.hash}`;
    this.suggestion.hidden = false;
  }

  /** The room is gone (closed by the teacher, or never joined): say so, offer another code. */
  #closed(reason = ROOM_TEXT.closed) {
    this.student.dataset.state = "closed";
    setText(part(this.student, "state"), ROOM_TEXT.closedBadge);
    setText(part(this.student, "count"), reason);
    part(this.student, "fork").hidden = true;
    part(this.student, "leave").hidden = false;
    this.suggestion.hidden = true;
  }

  // ---- both ---------------------------------------------------------------------------------
  #count(info) {
    if (info.code !== this.code) return;
    if (info.open === false) return this.#closed();
    const viewers = this.watching ? part(this.student, "count") : part(this.teacher, "viewers");
    setText(viewers, `${info.viewers} watching`);
    viewers.dataset.count = String(info.viewers);
  }

  render() {
    this.openButton.disabled = this.watching || !this.store.sessionId;
  }

  update() {}
}
