import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import ts from "typescript";
import { build, GZIP_BUDGET } from "./build.ts";

/** What TypeScript says about a declarations file on its own, as its messages. */
function diagnostics(path: string): string[] {
  const program = ts.createProgram([path], {
    strict: true,
    noEmit: true,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

// The byte budget is deterministic, so it is a test: `deno task test` fails when the SDK grows.
Deno.test({
  name: "build() keeps the IIFE within 3,072 gzip bytes and the README's SRI hash in step",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sizes = await build();
    console.log(`raw ${sizes.raw} B, gzip ${sizes.gzip} B, brotli ${sizes.brotli} B`);
    assert(sizes.gzip <= GZIP_BUDGET, `gzip ${sizes.gzip} B is over the ${GZIP_BUDGET} B budget`);
    const readme = await Deno.readTextFile(new URL("README.md", import.meta.url));
    assert(readme.includes(`integrity="${sizes.sri}"`), "README.md shows the current SRI hash");
    const code = await Deno.readTextFile(new URL("dist/shoptrail.js", import.meta.url));
    assertEquals(/\beval\(|new Function\(/.test(code), false, "no eval: strict CSP");
    assert(!/\bimport\(|\bzod\b/.test(code), "no runtime dependencies");
    const dts = await Deno.readTextFile(new URL("dist/shoptrail.d.ts", import.meta.url));
    assert(dts.includes("export declare function addToCart(item: CartItem): void;"));
    assert(dts.includes("export declare function viewProduct(product: Product): void;"));
    assert(dts.includes("export declare function beginCheckout(checkout?: Checkout): void;"));
    assert(!dts.includes("import"), "self-contained declarations");
    // A type the printer could not expand came out as `export type X = X;` (CartItem once did).
    assertEquals(dts.match(/^export type (\w+) = \1;$/m), null);
    assertEquals(diagnostics(new URL("dist/shoptrail.d.ts", import.meta.url).pathname), []);
  },
});
