/** Small DOM helpers shared by the views: templates, named parts, canvas sizing without layout
 * reads, text writes that skip unchanged text, spec paths. */

/** A fresh copy of the first element inside <template id="...">. */
export function cloneTemplate(id) {
  const template = document.getElementById(id);
  if (!template) throw new Error(`missing <template id="${id}">`);
  return template.content.firstElementChild.cloneNode(true);
}

/** The element marked data-part="name" inside root. */
export function part(root, name) {
  return root.querySelector(`[data-part="${name}"]`);
}

/** "training.batch_size" → "batch-size"; full=true → "training-batch-size". */
export function testIdFor(path, full = false) {
  const name = full ? path : path.split(".").pop();
  return name.replaceAll("_", "-").replaceAll(".", "-");
}

/** Split "model.layers[2].units" into ["model", "layers", 2, "units"]. */
export function pathKeys(path) {
  const keys = [];
  for (const piece of path.split(".")) {
    const match = /^([^[]*)((?:\[\d+\])*)$/.exec(piece);
    if (match[1]) keys.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) keys.push(Number(index[1]));
  }
  return keys;
}

export function getPath(obj, path) {
  return pathKeys(path).reduce((node, key) => (node == null ? undefined : node[key]), obj);
}

export function setPath(obj, path, value) {
  const keys = pathKeys(path);
  const last = keys.pop();
  const parent = keys.reduce((node, key) => node[key], obj);
  parent[last] = value;
}

/**
 * CSS sizes of the elements views draw into, kept by one ResizeObserver so that drawing never
 * reads layout (a getBoundingClientRect per canvas per frame forced a layout each time). It is
 * made when this module loads, before any view's own observer, so in a resize its callback runs
 * first and a view redrawing from its own callback reads the new size.
 */
const sizes = new WeakMap();
const sizeObserver = typeof ResizeObserver === "undefined" ? null : new ResizeObserver((entries) => {
  for (const entry of entries) {
    sizes.set(entry.target, { width: entry.contentRect.width, height: entry.contentRect.height });
  }
});

/** {width, height} of an element's content box in CSS pixels; measured once, then observed.
 *  `fresh`: measure now (a layout read), for drawing that happens once, not every frame. */
export function sizeOf(element, { fresh = false } = {}) {
  let size = sizes.get(element);
  if (!size || fresh) {
    if (!size) sizeObserver?.observe(element);
    size = { width: element.clientWidth, height: element.clientHeight };
    sizes.set(element, size);
  }
  return size;
}

/** The font family an element draws its canvas text in (computed once: styling is static). */
const fonts = new WeakMap();
export function fontOf(element) {
  if (!fonts.has(element)) fonts.set(element, getComputedStyle(element).fontFamily);
  return fonts.get(element);
}

/**
 * Give a canvas a backing store matching its CSS size times the device pixel ratio and return a
 * context scaled so that drawing happens in CSS pixels. `height`: the CSS height the caller has
 * just set (the observer reports it only after the next layout); `fresh`: as for sizeOf, for a
 * canvas drawn once (it may have been measured while hidden).
 */
export function fitCanvas(canvas, { height: knownHeight = null, fresh = false } = {}) {
  const ratio = window.devicePixelRatio || 1;
  const size = sizeOf(canvas, { fresh });
  const width = size.width;
  const height = knownHeight ?? size.height;
  const pixelWidth = Math.max(1, Math.round(width * ratio));
  const pixelHeight = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== pixelWidth || canvas.height !== pixelHeight) {
    canvas.width = pixelWidth;
    canvas.height = pixelHeight;
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { ctx, width, height };
}

/**
 * Canvases drawn now and then (dataset thumbnails, input maps, colour legends) are shown as an
 * <img> of their pixels in their place: every canvas on screen is a composited layer the
 * browser carries through every frame it draws, an image is not. `showStill` after drawing
 * (the image replaces the canvas once decoded, so nothing blinks), `editStill` before drawing
 * again (the canvas back in the layout, to be measured and read as before).
 */
const stills = new WeakMap();     // canvas → the <img> that shows it

export function showStill(canvas) {
  let still = stills.get(canvas);
  if (!still) {
    still = document.createElement("img");
    still.className = canvas.className;
    still.alt = "";
    still.setAttribute("aria-hidden", "true");
    still.style.display = "none";
    canvas.after(still);
    stills.set(canvas, still);
  }
  const url = canvas.toDataURL();
  still.src = url;
  still.decode().then(() => {
    if (still.getAttribute("src") !== url) return;      // drawn again meanwhile
    still.style.display = "";
    canvas.style.display = "none";
  }).catch(() => {});    // a canvas of no size: it stays a canvas
}

export function editStill(canvas) {
  const still = stills.get(canvas);
  if (!still) return;
  still.removeAttribute("src");
  still.style.display = "none";
  canvas.style.display = "";
}

/** Set an element's text only when it changes (an unchanged write still costs a layout). */
export function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

/** Set `hidden` only when it changes. */
export function setHidden(element, hidden) {
  if (element.hidden !== hidden) element.hidden = hidden;
}

/** Format a number for a control or a tooltip without float noise (0.30000000000000004 → 0.3). */
export function formatNumber(value, digits) {
  if (value == null || Number.isNaN(value)) return "–";
  return String(Number(Number(value).toPrecision(digits)));
}

/** Disable every enabled control inside the elements matching `selector`, except those matching
 * `keep`; returns the undo. */
export function lockControls(root, selector, keep = null) {
  const locked = [];
  for (const scope of root.querySelectorAll(selector)) {
    for (const control of scope.querySelectorAll("button, input, select, textarea")) {
      if (control.disabled || (keep && control.matches(keep))) continue;
      control.disabled = true;
      locked.push(control);
    }
  }
  return () => locked.forEach((control) => { control.disabled = false; });
}
