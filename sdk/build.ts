// Builds the SDK and enforces its byte budget.
//   deno task sdk:build   (deno run -A sdk/build.ts)
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
  mangle: { properties: { regex: /^(queue|inflight|dropped|persist|adopt|take|settle)$/ } },
  format: { comments: false },
});

/** Bundles both builds into `sdk/dist/` and returns the IIFE's sizes. */
export async function build(): Promise<Sizes> {
  await Deno.mkdir(dir + "dist", { recursive: true });
  const plugins = [esbuild({ target: "es2017", tsconfig: false, loaders: { ".ts": "ts" } })];
  const iife = await rollup({ input: dir + "auto.ts", plugins });
  const { output: [script] } = await iife.generate({ format: "iife", plugins: [minify], strict: false });
  await iife.close();
  const esm = await rollup({ input: dir + "index.ts", plugins });
  const { output: [module] } = await esm.generate({ format: "es" });
  await esm.close();
  const code = new TextEncoder().encode(script.code);
  const sizes = measure(code);
  await put("dist/shoptrail.js", code);
  await put("dist/shoptrail.mjs", module.code);
  await put("dist/shoptrail.d.ts", declarations(dir + "index.ts"));
  await put("dist/shoptrail.js.sri", sizes.sri + "\n");
  await refreshReadme(sizes.sri);
  return sizes;
}

/** Write then rename, so a test reading dist/ in parallel never sees half a file. */
async function put(name: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${dir}${name}.${crypto.randomUUID()}.tmp`;
  await (typeof data == "string" ? Deno.writeTextFile(tmp, data) : Deno.writeFile(tmp, data));
  await Deno.rename(tmp, dir + name);
}

/** Keeps the script tag in README.md in step with the bundle. */
async function refreshReadme(sri: string): Promise<void> {
  const path = dir + "README.md";
  const text = await Deno.readTextFile(path).catch(() => "");
  const next = text.replace(/integrity="sha384-[^"]*"/g, `integrity="${sri}"`);
  if (next != text) await Deno.writeTextFile(path, next);
}

if (import.meta.main) {
  const s = await build();
  const pct = ((s.gzip / GZIP_BUDGET) * 100).toFixed(1);
  console.log(`sdk/dist/shoptrail.js  raw ${s.raw} B  gzip ${s.gzip} B  brotli ${s.brotli} B`);
  console.log(`budget: gzip ${s.gzip} / ${GZIP_BUDGET} B (${pct}%)  ${s.sri}`);
  if (s.gzip > GZIP_BUDGET) {
    console.error(`Cannot ship the SDK: it is ${s.gzip} bytes gzipped, the budget is ${GZIP_BUDGET}.`);
    Deno.exit(1);
  }
}
