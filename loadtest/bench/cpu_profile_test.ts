import assert from "node:assert/strict";
import { type CpuProfile, summarise } from "./cpu_profile.ts";
import { statTicks } from "./cpu.ts";

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url, lineNumber: 0 },
  children,
});

Deno.test("summarise() counts a sample for the nearest of our stages on its stack, else its leaf's part", () => {
  const profile: CpuProfile = {
    nodes: [
      frame(1, "(root)", "", [2, 5, 6]),
      frame(2, "handler", "file:///r/collector/app.ts", [3]),
      frame(3, "readBody", "file:///r/collector/stages/read_body.ts", [4]),
      frame(4, "decode", "ext:deno_web/08_text_encoding.js"),
      frame(5, "(program)", ""),
      frame(6, "parse", "file:///r/node_modules/.deno/zod@4/node_modules/zod/v4/core/schemas.js"),
    ],
    // 1 ms apart; a sample lasts until the next, the last one the mean.
    samples: [4, 4, 5, 6, 2],
    timeDeltas: [1000, 1000, 1000, 1000, 1000],
  };
  const s = summarise(profile);
  assert.deepEqual(s.totalMs, 5);
  assert.deepEqual(Object.fromEntries(s.byStage), {
    "read_body": 2, // the runtime's text decoder, called by read_body
    "native outside JS (Rust HTTP server, ops, V8)": 1,
    "validate (incl. zod)": 1,
    "app, Hono, metrics": 1,
  });
  assert.deepEqual(s.topSelf[0], ["decode 08_text_encoding.js:1", 2]);
});

Deno.test("statTicks() reads utime + stime past a command name with spaces and parentheses", () => {
  const line = "4242 (tokio (rt) w) S 1 4242 4242 0 -1 4194560 100 0 0 0 700 300 0 0 20 0 9 0 1 1 1";
  assert.deepEqual(statTicks(line), 1000);
});
