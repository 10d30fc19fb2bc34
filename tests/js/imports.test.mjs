/** static/js has no import circles, no broken imports, and imports only go down its layers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ALLOWED, specifiers, importGraph, findCycles, layerOf, layerViolations,
} from "./imports.mjs";

test("specifiers: single- and multi-line imports, re-exports, bare and dynamic imports", () => {
  const source = [
    'import { a } from "./a.js";',
    "import {",
    "  b, c,",
    '} from "../b.js";',
    'import d, { e } from "./d.js";',
    'import * as f from "./f.js";',
    'export { g } from "./g.js";',
    'export * from "./h.js";',
    'import "./side.js";',
    'const lazy = () => import("./lazy.js");',
    'export const URL = (x) => `/api/${x}`;      // not an import',
    ' * import { nope } from "./comment.js" inside a doc comment',
    'const s = "from \\"./string.js\\"";',
  ].join("\n");
  assert.deepEqual(specifiers(source),
    ["./a.js", "../b.js", "./d.js", "./f.js", "./g.js", "./h.js", "./side.js", "./lazy.js"]);
});

test("findCycles finds a circle of three and a self-import, and nothing in a tree", () => {
  assert.deepEqual(findCycles({ "a.js": ["b.js"], "b.js": ["c.js"], "c.js": ["a.js"] }),
    [["a.js", "b.js", "c.js", "a.js"]]);
  assert.deepEqual(findCycles({ "a.js": ["a.js"] }), [["a.js", "a.js"]]);
  assert.deepEqual(findCycles({ "a.js": ["b.js", "c.js"], "b.js": ["c.js"], "c.js": [] }), []);
});

test("layerViolations flags upward and sideways imports only", () => {
  assert.equal(layerOf("page/save.js"), "page");
  assert.equal(layerOf("colors.js"), "top");
  assert.equal(layerOf("socket.js"), "socket.js");
  const graph = {
    "widgets/tabs.js": ["constants.js", "page/save.js"],       // up: wrong
    "points/output.js": ["widgets/tabs.js", "points/links.js"],
    "images/confusion.js": ["sequences/series.js"],             // sideways: wrong
    "page/save.js": ["images/confusion.js", "widgets/tabs.js"],
    "constants.js": [],
  };
  assert.deepEqual(layerViolations(graph), [
    "widgets/tabs.js → page/save.js (widgets may not import page)",
    "images/confusion.js → sequences/series.js (images may not import sequences)",
  ]);
});

test("static/js: every relative import names a module that exists", () => {
  const { graph, errors } = importGraph();
  assert.ok(Object.keys(graph).length > 40, "the walk found the modules");
  assert.deepEqual(errors, []);
});

test("static/js: no import circles", () => {
  const { graph } = importGraph();
  assert.deepEqual(findCycles(graph).map((cycle) => cycle.join(" → ")), []);
});

test("static/js: imports only go down (main → page → points/images/sequences → widgets → top)", () => {
  const { graph } = importGraph();
  assert.deepEqual(layerViolations(graph), []);
  // Every module sits in a layer the rule knows (a new folder must be placed in ALLOWED).
  const unknown = Object.keys(graph).filter((module) => !(layerOf(module) in ALLOWED));
  assert.deepEqual(unknown, []);
});
