import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, test } from "vitest";

// Imports point downwards only. Each layer lists what it may import besides itself: the pure
// rules at the bottom, e-mails (server-rendered React) on them, then server code and components
// side by side (a component never imports server code, not even a type: move the type down), and
// the routes and the two documents at the top. A lower layer that imports a higher one (or two
// modules that import each other) means a type or rule is in the wrong place; move it down.
const appDir = path.resolve(import.meta.dirname);
type Layer = "domain" | "emails" | ".server" | "components" | "routes" | "documents";
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  domain: [],
  emails: ["domain"],
  ".server": ["domain", "emails"],
  components: ["domain"],
  routes: ["domain", "emails", ".server", "components"],
  documents: ["domain", "emails", ".server", "components"],
};
const DOCUMENTS = new Set(["root", "entry.server"]);

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
  return importedFiles
    .flatMap(({ fileName }) => {
      if (fileName.startsWith("~/")) return [path.join(appDir, fileName.slice(2))];
      if (fileName.startsWith(".")) return [path.resolve(path.dirname(file), fileName)];
      return [];
    })
    .map((target) => target.replace(/\.tsx?$/, ""));
}

/** The layer a module belongs to, or null for what no rule covers (routes.ts, generated code). */
function layerOf(module: string): Layer | null {
  const relative = path.relative(appDir, module);
  if (DOCUMENTS.has(relative)) return "documents";
  const top = relative.split(path.sep)[0] ?? "";
  return top in MAY_IMPORT ? (top as Layer) : null;
}

const files = sourceFiles(appDir);
const graph = new Map(files.map((file) => [file.replace(/\.tsx?$/, ""), localImports(file)]));

describe("import layering", () => {
  test("no module imports a layer it may not", () => {
    const forbidden = [...graph].flatMap(([from, targets]) => {
      const fromLayer = layerOf(from);
      if (fromLayer === null) return [];
      return targets
        .filter((to) => {
          const toLayer = layerOf(to);
          return toLayer !== null && toLayer !== fromLayer && !MAY_IMPORT[fromLayer].includes(toLayer);
        })
        .map((to) => `${path.relative(appDir, from)} → ${path.relative(appDir, to)}`);
    });
    expect(forbidden).toEqual([]);
  });

  test("no import cycles", () => {
    const cycles: string[] = [];
    const done = new Set<string>();
    const visit = (module: string, trail: string[]) => {
      const seen = trail.indexOf(module);
      if (seen >= 0)
        return void cycles.push([...trail.slice(seen), module].map((m) => path.relative(appDir, m)).join(" → "));
      if (done.has(module)) return;
      for (const next of graph.get(module) ?? []) visit(next, [...trail, module]);
      done.add(module);
    };
    for (const module of graph.keys()) visit(module, []);
    expect(cycles).toEqual([]);
  });

  test("the webhook hot path's inlined-literal SQL stays private to app/.server/lessonspace", () => {
    const inline = path.join(appDir, ".server/lessonspace/sql-inline");
    const outside = [path.resolve(appDir, "../bench"), path.resolve(appDir, "../scripts")].flatMap(sourceFiles);
    const everyImport = new Map([...graph, ...outside.map((file) => [file, localImports(file)] as const)]);
    const importers = [...everyImport].filter(([, targets]) => targets.includes(inline)).map(([module]) => module);
    expect(importers.filter((module) => path.dirname(module) !== path.dirname(inline))).toEqual([]);
    expect(importers).toContain(path.join(appDir, ".server/lessonspace/webhooks"));
  });

  test("statement modules hold no database handle (the bench runs them on its own pool)", () => {
    const statementModules = [...graph.keys()].filter((module) => module.endsWith("-sql"));
    expect(statementModules.length).toBeGreaterThan(3);
    const withHandle = statementModules.filter((module) =>
      graph.get(module)!.some((target) => target === path.join(appDir, ".server/db")),
    );
    expect(withHandle).toEqual([]);
  });

  test("sees the imports it judges", () => {
    // Guards the test itself: a parser that found nothing would pass the two checks above.
    expect(graph.get(path.join(appDir, ".server/lessonspace/webhooks"))).toContain(path.join(appDir, ".server/db"));
    expect(graph.get(path.join(appDir, ".server/lessonspace/launch-problems"))).toContain(
      path.join(appDir, "domain/problem"),
    );
    expect(graph.get(path.join(appDir, "root"))).toContain(path.join(appDir, ".server/security"));
    expect(graph.get(path.join(appDir, "emails/calendar"))).toContain(path.join(appDir, "domain/notification-kinds"));
    expect(layerOf(path.join(appDir, "entry.server"))).toBe("documents");
  });
});
