// The package as installed, under plain Node (no DOM): what it exports, and that without a window
// the SDK does nothing rather than throw (server-side rendering imports it too).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { expect, it } from "vitest";
import * as sdk from "@shoptrail/sdk";

const require = createRequire(import.meta.url);

it("exports the ESM build with its types, and the script-tag bundle as a file", () => {
  const manifest = require("@shoptrail/sdk/package.json");
  const dir = require.resolve("@shoptrail/sdk/package.json").replace(
    /package\.json$/,
    "",
  );
  expect(require.resolve("@shoptrail/sdk")).toBe(dir + "dist/shoptrail.mjs");
  expect(require.resolve("@shoptrail/sdk/shoptrail.js")).toBe(
    dir + "dist/shoptrail.js",
  );
  expect(existsSync(dir + manifest.exports["."].types)).toBe(true);
  const types = readFileSync(dir + manifest.exports["."].types, "utf8");
  for (const name of Object.keys(sdk)) {
    expect(types).toContain(`export declare function ${name}(`);
  }
  expect(Object.keys(sdk).sort()).toEqual([
    "addToCart",
    "beginCheckout",
    "flush",
    "identify",
    "init",
    "optIn",
    "optOut",
    "pageview",
    "purchase",
    "removeFromCart",
    "track",
    "viewProduct",
  ]);
});

it("without a window, init() and every call do nothing and never throw", async () => {
  expect(typeof globalThis.window).toBe("undefined");
  sdk.init({ site: "demo", endpoint: "https://collector.test" });
  sdk.viewProduct({ product_id: "sku-1" });
  sdk.beginCheckout();
  await expect(sdk.flush()).resolves.toBeUndefined();
});
