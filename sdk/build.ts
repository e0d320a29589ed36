// Builds the SDK and enforces its byte budget.
//   deno task sdk:build   (deno run -A sdk/build.ts)
//   deno run -A sdk/build.ts --if-stale   (only when dist/ is missing or older than a source)
// Writes dist/shoptrail.js (IIFE, minified, ES2017), dist/shoptrail.mjs (ESM), dist/shoptrail.d.ts
// and dist/shoptrail.js.sri, prints raw/gzip/brotli sizes, refreshes the SRI hash in README.md, and
// exits 1 when the IIFE is over 3,072 bytes gzipped.
import { type Plugin, rollup } from "rollup";
import terserPlugin from "@rollup/plugin-terser";
import esbuild from "rollup-plugin-esbuild";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import nodeCrypto from "node:crypto";
import { declarations } from "./dts.ts";

export const GZIP_BUDGET = 3072;
const dir = new URL(".", import.meta.url).pathname;
/** The SDK's modules; this folder holds the tools that build and serve them. */
const src = `${dir}src/`;
/** Where the collector serves the bundle from unless SDK_DIST_DIR names another folder. */
export const DIST_DIR = `${dir}dist/`;

export type Sizes = { raw: number; gzip: number; brotli: number; sri: string };

export function measure(code: Uint8Array): Sizes {
  return {
    raw: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    sri: "sha384-" + btoa(String.fromCharCode(...sha384(code))),
  };
}

function sha384(code: Uint8Array): Uint8Array {
  // node:crypto keeps this synchronous; WebCrypto's digest is async only.
  return nodeCrypto.createHash("sha384").update(code).digest();
}

// Deno reads this package's types as CommonJS; at run time the default export is the plugin.
const terser = terserPlugin as unknown as (options: object) => Plugin;
const minify = terser({
  ecma: 2017,
  compress: { passes: 3, unsafe_arrows: true, pure_getters: true },
  // The outbox's members never leave the bundle (stored data uses short fixed keys), so their
  // names may shrink. Keep this list to SDK-internal names that no DOM API uses.
  mangle: { properties: { regex: /^(queue|inflight|evicted|persist|adopt|take|settle|respectSignals)$/ } },
  format: { comments: false },
});

/** Bundles both builds into `outDir` (sdk/dist/) and returns the IIFE's sizes. */
export async function build({ outDir = DIST_DIR }: { outDir?: string } = {}): Promise<Sizes> {
  const out = outDir.endsWith("/") ? outDir : `${outDir}/`;
  await Deno.mkdir(out, { recursive: true });
  const plugins = [esbuild({ target: "es2017", tsconfig: false, loaders: { ".ts": "ts" } })];
  const iife = await rollup({ input: src + "auto.ts", plugins });
  const { output: [script] } = await iife.generate({ format: "iife", plugins: [minify], strict: false });
  await iife.close();
  const esm = await rollup({ input: src + "index.ts", plugins });
  const { output: [module] } = await esm.generate({ format: "es" });
  await esm.close();
  const code = new TextEncoder().encode(script.code);
  const sizes = measure(code);
  await put(`${out}shoptrail.js`, code);
  await put(`${out}shoptrail.mjs`, module.code);
  await put(`${out}shoptrail.d.ts`, declarations(src + "index.ts"));
  await put(`${out}shoptrail.js.sri`, sizes.sri + "\n");
  await refreshReadme(sizes.sri);
  return sizes;
}

/** Write then rename, so a test reading dist/ in parallel never sees half a file. */
async function put(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  await (typeof data == "string" ? Deno.writeTextFile(tmp, data) : Deno.writeFile(tmp, data));
  await Deno.rename(tmp, path);
}

/**
 * A fresh clone has no dist/ (it is not committed), and an edited source makes it stale: either way
 * the collector would serve no SDK, or an old one. Builds then; returns undefined when up to date.
 */
export async function buildIfStale(
  { outDir = DIST_DIR }: { outDir?: string } = {},
): Promise<Sizes | undefined> {
  const built = await Deno.stat(`${outDir.replace(/\/$/, "")}/shoptrail.js`).then((s) => s.mtime, () => null);
  if (built && (await newestSource()) <= built) return undefined;
  return await build({ outDir });
}

/** The newest modification time of the SDK's sources: its TypeScript files in src/ other than tests. */
async function newestSource(): Promise<Date> {
  let newest = new Date(0);
  for await (const entry of Deno.readDir(src)) {
    if (!entry.isFile || !entry.name.endsWith(".ts") || entry.name.endsWith("_test.ts")) continue;
    const { mtime } = await Deno.stat(src + entry.name);
    if (mtime && mtime > newest) newest = mtime;
  }
  return newest;
}

/** Keeps the script tag in README.md in step with the bundle. */
async function refreshReadme(sri: string): Promise<void> {
  const path = dir + "README.md";
  const text = await Deno.readTextFile(path).catch(() => "");
  const next = text.replace(/integrity="sha384-[^"]*"/g, `integrity="${sri}"`);
  if (next != text) await Deno.writeTextFile(path, next);
}

if (import.meta.main) {
  const s = Deno.args.includes("--if-stale") ? await buildIfStale() : await build();
  if (!s) {
    console.log("sdk/dist is up to date");
    Deno.exit(0);
  }
  const pct = ((s.gzip / GZIP_BUDGET) * 100).toFixed(1);
  console.log(`sdk/dist/shoptrail.js  raw ${s.raw} B  gzip ${s.gzip} B  brotli ${s.brotli} B`);
  console.log(`budget: gzip ${s.gzip} / ${GZIP_BUDGET} B (${pct}%)  ${s.sri}`);
  if (s.gzip > GZIP_BUDGET) {
    console.error(`Cannot ship the SDK: it is ${s.gzip} bytes gzipped, the budget is ${GZIP_BUDGET}.`);
    Deno.exit(1);
  }
}
