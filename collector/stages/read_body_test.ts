import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { testApp } from "../fixtures.ts";

const MB = 1024 * 1024;
/** 200 MB of zeros: 200 KB of gzip, inflating ~1030-fold. */
const BOMB = gzipSync(new Uint8Array(200 * MB), { level: 9 });

/** The body as a server hands it over: in 64 KB chunks (Deno.serve's size on a local socket). */
function networkChunks(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, offset += 64 * 1024));
    },
  });
}

/** A size from Linux's /proc/self/status: VmRSS now, VmHWM the peak since `resetPeak()`. */
const statusBytes = (field: "VmRSS" | "VmHWM") =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(Deno.readTextFileSync("/proc/self/status"))![1]) * 1024;
const resetPeak = () => Deno.writeTextFileSync("/proc/self/clear_refs", "5");

Deno.test({
  name: "four gzip bombs at once are refused with 413 while the process grows by less than 32 MB",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const { app } = testApp();
    const before = statusBytes("VmRSS");
    resetPeak();
    const responses = await Promise.all(Array.from({ length: 4 }, () =>
      app.request("/v1/batch", {
        method: "POST",
        headers: { "Content-Type": "text/plain", "Content-Encoding": "gzip" },
        body: networkChunks(BOMB),
      })));
    const grown = statusBytes("VmHWM") - before;
    for (const response of responses) {
      assertEquals([response.status, (await response.json()).error.code], [413, "payload_too_large"]);
    }
    ok(grown < 32 * MB, `the peak grew by ${(grown / MB).toFixed(1)} MB`);
  },
});
