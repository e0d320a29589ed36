import assert from "node:assert/strict";
import { parseCli, parseDuration } from "./args.ts";

Deno.test("parseDuration() reads ms, s, m, h and bare seconds", () => {
  assert.deepEqual(["250ms", "30s", "2m", "1h", "5", "1.5s"].map(parseDuration), [
    250,
    30_000,
    120_000,
    3_600_000,
    5_000,
    1_500,
  ]);
  assert.equal(parseDuration("soon"), undefined);
});

Deno.test("parseCli() turns flags into options and places --anomaly in the middle third", () => {
  const cli = parseCli([
    "--collector",
    "http://h:1",
    "--eps",
    "50",
    "--duration",
    "30s",
    "--anomaly",
    "spike",
    "--header",
    "X-Key: k",
  ]);
  assert.ok("options" in cli);
  assert.equal(cli.options.eps, 50);
  assert.deepEqual(cli.options.anomalies, [{ kind: "spike", fromMs: 10_000, toMs: 20_000 }]);
  assert.deepEqual(cli.options.headers, { "X-Key": "k" });
  assert.equal(cli.send, true);
});

Deno.test("parseCli() names each bad flag and what it expected", () => {
  const cli = parseCli(["--eps=-3", "--duration", "soon", "--anomaly", "meteor"]);
  assert.ok("error" in cli);
  assert.match(cli.error, /--eps is '-3', expected a number/);
  assert.match(cli.error, /--duration is 'soon'/);
  assert.match(cli.error, /--anomaly is 'meteor', expected one of spike, drop, broken_checkout/);
});

Deno.test("parseCli() with only --catalogue-out writes files without sending", () => {
  const cli = parseCli(["--catalogue-out", "p.jsonl"]);
  assert.ok("options" in cli && cli.send === false && cli.catalogueOut === "p.jsonl");
});
