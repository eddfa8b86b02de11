import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, test } from "vitest";

// Imports point downwards only: routes → components → .server → domain. A lower layer that
// imports a higher one (or two server modules that import each other) means a type or rule is
// in the wrong place; move it down instead of importing up.
const appDir = path.resolve(import.meta.dirname);
const LAYERS = ["domain", ".server", "components", "routes"] as const;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** Our own modules a file imports (type-only imports too), as absolute paths without extension. */
function localImports(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
  return importedFiles.flatMap(({ fileName }) => {
    if (fileName.startsWith("~/")) return [path.join(appDir, fileName.slice(2))];
    if (fileName.startsWith(".")) return [path.resolve(path.dirname(file), fileName)];
    return [];
  }).map((target) => target.replace(/\.tsx?$/, ""));
}

function layerOf(file: string): number {
  const top = path.relative(appDir, file).split(path.sep)[0];
  return LAYERS.indexOf(top as (typeof LAYERS)[number]);
}

const files = sourceFiles(appDir);
const graph = new Map(files.map((file) => [file.replace(/\.tsx?$/, ""), localImports(file)]));

describe("import layering", () => {
  test("no module imports a layer above its own", () => {
    const upward = [...graph].flatMap(([from, targets]) =>
      targets
        .filter((to) => layerOf(from) >= 0 && layerOf(to) > layerOf(from))
        .map((to) => `${path.relative(appDir, from)} → ${path.relative(appDir, to)}`),
    );
    expect(upward).toEqual([]);
  });

  test("no import cycles", () => {
    const cycles: string[] = [];
    const done = new Set<string>();
    const visit = (module: string, trail: string[]) => {
      const seen = trail.indexOf(module);
      if (seen >= 0) return void cycles.push([...trail.slice(seen), module].map((m) => path.relative(appDir, m)).join(" → "));
      if (done.has(module)) return;
      for (const next of graph.get(module) ?? []) visit(next, [...trail, module]);
      done.add(module);
    };
    for (const module of graph.keys()) visit(module, []);
    expect(cycles).toEqual([]);
  });

  test("sees the imports it judges", () => {
    // Guards the test itself: a parser that found nothing would pass the two checks above.
    expect(graph.get(path.join(appDir, ".server/webhooks"))).toContain(path.join(appDir, ".server/db"));
    expect(graph.get(path.join(appDir, ".server/launch-problems"))).toContain(path.join(appDir, "domain/problem"));
  });
});
