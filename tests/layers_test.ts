// The layout's rule, checked from the import lines of every module: an import never runs from a
// lower floor to a higher one, two folders never import each other, and no module imports itself
// back through others. The floors, lowest first (README, "Layers"):
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const FLOORS: { floor: string; paths: string[] }[] = [
  { floor: "ground: the contract and helpers", paths: ["contract/", "lib/"] },
  { floor: "the browser tracker and the dev broker", paths: ["sdk/", "kafka/"] },
  { floor: "the stages and the simulator", paths: ["collector/", "processor/", "loadtest/", "clickhouse/"] },
  { floor: "orchestration", paths: ["stack/", "loadtest/bench.ts", "loadtest/bench/"] },
  { floor: "tests of the whole pipeline", paths: ["tests/"] },
];
/** Folders that hold no modules of the project. */
const SKIP = new Set(["node_modules", "docs", "dist"]);
const SOURCE = /\.(ts|mjs|js)$/;
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*\(?\s*["']([^"']+)["']/gm;

const root = fileURLToPath(new URL("..", import.meta.url));

function modules(dir = root): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.name.startsWith(".") || SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory) found.push(...modules(path));
    else if (entry.isFile && SOURCE.test(entry.name) && dir !== root) found.push(relative(root, path));
  }
  return found.sort();
}

/** The module's own imports of the project's modules (relative specifiers), comments left out. */
function importsOf(path: string): string[] {
  const text = Deno.readTextFileSync(join(root, path)).replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "");
  return [...text.matchAll(IMPORT)]
    .map((m) => m[1] ?? m[2])
    .filter((spec) => spec.startsWith("./") || spec.startsWith("../"))
    .map((spec) => normalize(join(dirname(path), spec)));
}

function floorOf(path: string): number {
  let best = -1, length = 0;
  FLOORS.forEach(({ paths }, floor) => {
    for (const p of paths) {
      if ((path === p || path.startsWith(p)) && p.length > length) [best, length] = [floor, p.length];
    }
  });
  return best;
}

/** The unit two modules must not import each other across: its folder, the bench apart. */
function unitOf(path: string): string {
  return path.startsWith("loadtest/bench") ? "loadtest/bench" : path.split("/")[0];
}

const graph = new Map(modules().map((m) => [m, importsOf(m)]));

Deno.test("every module stands on a floor", () => {
  assertEquals([...graph.keys()].filter((m) => floorOf(m) < 0), [], "add its folder to FLOORS");
});

Deno.test("no module imports from a floor above its own", () => {
  const up = [...graph].flatMap(([from, targets]) =>
    targets.filter((to) => floorOf(to) > floorOf(from)).map((to) =>
      `${from} (${FLOORS[floorOf(from)]?.floor}) -> ${to} (${FLOORS[floorOf(to)]?.floor})`
    )
  );
  assertEquals(up, []);
});

Deno.test("every import names a module that exists", () => {
  const missing = [...graph].flatMap(([from, targets]) =>
    targets.filter((to) => SOURCE.test(to) && !graph.has(to)).map((to) => `${from} -> ${to}`)
  );
  assertEquals(missing, []);
});

Deno.test("no two folders import each other", () => {
  const pairs = new Set<string>();
  for (const [from, targets] of graph) {
    for (const to of targets) if (unitOf(from) !== unitOf(to)) pairs.add(`${unitOf(from)} -> ${unitOf(to)}`);
  }
  const both = [...pairs].filter((p) => {
    const [a, b] = p.split(" -> ");
    return a < b && pairs.has(`${b} -> ${a}`);
  });
  assertEquals(both, []);
});

Deno.test("no module imports itself back through others", () => {
  // Tarjan's strongly connected components: any with more than one module is a cycle.
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (m: string) => {
    index.set(m, index.size);
    low.set(m, index.get(m)!);
    stack.push(m);
    for (const to of graph.get(m) ?? []) {
      if (!graph.has(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(m, Math.min(low.get(m)!, low.get(to)!));
      } else if (stack.includes(to)) low.set(m, Math.min(low.get(m)!, index.get(to)!));
    }
    if (low.get(m) !== index.get(m)) return;
    const component: string[] = [];
    let top: string;
    do component.push(top = stack.pop()!); while (top !== m);
    if (component.length > 1 || graph.get(m)!.includes(m)) cycles.push(component.sort());
  };
  for (const m of graph.keys()) if (!index.has(m)) visit(m);
  assertEquals(cycles, []);
});
