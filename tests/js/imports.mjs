/**
 * The import graph of static/js: every `import … from`, `export … from`, bare `import "…"` and
 * `import("…")` of every module, resolved to files; its circles; and the layer rule (imports
 * only go down: main.js → page/ and compare/ → points/, images/, sequences/ → widgets/ → the
 * top-level pure modules). Used by imports.test.mjs; `node tests/js/imports.mjs` prints a report.
 */
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const STATIC_JS = resolve(dirname(fileURLToPath(import.meta.url)), "../../static/js");
/** Where the Flask app serves static/ (an absolute "/static/js/x.js" is static/js/x.js). */
const STATIC_URL = "/static/";

const FROM = /^[ \t]*(?:import|export)\s+(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?)?\s*from\s*["']([^"']+)["']/gm;
const BARE = /^[ \t]*import\s*["']([^"']+)["']/gm;
const DYNAMIC = /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;

/** The module specifiers a source text imports, in order of appearance, without repeats. */
export function specifiers(source) {
  const found = [];
  for (const pattern of [FROM, BARE, DYNAMIC]) {
    for (const match of source.matchAll(pattern)) found.push({ at: match.index, name: match[1] });
  }
  return [...new Set(found.sort((a, b) => a.at - b.at).map((entry) => entry.name))];
}

/** Every .js/.mjs file below `root`, as paths relative to it with "/" separators. */
export function listModules(root) {
  const out = [];
  const walk = (folder) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.m?js$/.test(name)) out.push(relative(root, path).split(sep).join("/"));
    }
  };
  walk(root);
  return out;
}

/**
 * The graph {module: [imported module]} of the modules below `root`. A relative or /static/
 * specifier must name a file below `root` (a missing one is an error: the page would not
 * load); other absolute URLs (/vendor/…) and bare names are outside the graph.
 */
export function importGraph(root = STATIC_JS) {
  const staticDir = dirname(root);
  const graph = {};
  const errors = [];
  for (const module of listModules(root)) {
    const file = join(root, module);
    graph[module] = [];
    for (const name of specifiers(readFileSync(file, "utf8"))) {
      let target = null;
      if (name.startsWith(".")) target = resolve(dirname(file), name);
      else if (name.startsWith(STATIC_URL)) target = join(staticDir, name.slice(STATIC_URL.length));
      if (target == null) continue;
      const inside = relative(root, target).split(sep).join("/");
      if (inside.startsWith("..") || !existsSync(target)) errors.push(`${module}: imports "${name}", which is not a module under static/js`);
      else graph[module].push(inside);
    }
  }
  return { graph, errors };
}

/** Every import circle of `graph`, each as [a, b, …, a]; [] when there is none. */
export function findCycles(graph) {
  const cycles = [];
  const state = new Map();     // module → "open" while on the current path, "done" after
  const path = [];
  const visit = (module) => {
    state.set(module, "open");
    path.push(module);
    for (const next of graph[module] || []) {
      if (state.get(next) === "open") cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(module, "done");
  };
  for (const module of Object.keys(graph).sort()) if (!state.has(module)) visit(module);
  return cycles;
}

/** The layer a module belongs to: its folder, or "top" for the modules beside main.js. */
export function layerOf(module) {
  const slash = module.indexOf("/");
  if (slash < 0) return ["main.js", "state.js", "socket.js"].includes(module) ? module : "top";
  return module.slice(0, slash);
}

/**
 * What each layer may import (besides its own folder). "top" is the pure modules beside
 * main.js (constants, dom, colors, tensors, frames): they import only each other. The views of
 * one kind of model (points, images, sequences) never import another kind's.
 */
export const ALLOWED = {
  "top": [],
  "widgets": ["top"],
  "points": ["top", "widgets"],
  "images": ["top", "widgets"],
  "sequences": ["top", "widgets"],
  "page": ["top", "widgets", "points", "images", "sequences"],
  "compare": ["top", "widgets", "points", "images", "sequences"],
  "socket.js": ["top"],
  "state.js": ["top"],
  "main.js": ["top", "widgets", "points", "images", "sequences", "page", "socket.js", "state.js"],
};

/** Imports that go up or sideways: ["a.js → b.js (layer x may not import layer y)"]. */
export function layerViolations(graph, allowed = ALLOWED) {
  const found = [];
  for (const [module, targets] of Object.entries(graph)) {
    const from = layerOf(module);
    for (const target of targets) {
      const to = layerOf(target);
      if (to === from) continue;
      if (!(allowed[from] || []).includes(to)) found.push(`${module} → ${target} (${from} may not import ${to})`);
    }
  }
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { graph, errors } = importGraph();
  const problems = [...errors, ...findCycles(graph).map((c) => `circle: ${c.join(" → ")}`), ...layerViolations(graph)];
  console.log(`${Object.keys(graph).length} modules, ${Object.values(graph).flat().length} imports`);
  problems.forEach((line) => console.log(line));
  process.exitCode = problems.length ? 1 : 0;
}
