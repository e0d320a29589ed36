import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { breaches, DEFAULT_RULES_FILE, parseRules, readRules } from "./rules.ts";

Deno.test("the shipped alerts.json is valid and covers every rule kind of the issue", async () => {
  const config = await readRules(DEFAULT_RULES_FILE);
  assertEquals(
    new Set(config.rules.map((r) => r.kind)),
    new Set([
      "consumer_lag",
      "conversion_rate",
      "cart_abandonment",
      "ingest_errors",
      "consumer_errors",
      "dlq_rate",
      "revenue_anomaly",
    ]),
  );
});

Deno.test("parseRules() fills defaults", () => {
  const config = parseRules('{"rules":[{"id":"c","kind":"conversion_rate","threshold":0.1}]}');
  assertEquals(config.evaluateEverySeconds, 15);
  assertEquals([config.rules[0].windowSeconds, config.rules[0].minVolume, config.rules[0].severity], [
    600,
    0,
    "warning",
  ]);
});

Deno.test("parseRules() names the path and problem of a bad rule", () => {
  throws(
    () => parseRules('{"rules":[{"id":"x","kind":"nope","threshold":1}]}', "rules.json"),
    /rules\.json is not valid: rules\.0\.kind: /,
  );
  throws(() => parseRules('{"rules":[{"id":"x","kind":"dlq_rate"}]}'), /rules\.0\.threshold/);
  throws(
    () =>
      parseRules(
        '{"rules":[{"id":"a","kind":"dlq_rate","threshold":1},{"id":"a","kind":"dlq_rate","threshold":2}]}',
      ),
    /rule ids must be unique/,
  );
  throws(() => parseRules("{rules:"), /is not JSON/);
});

Deno.test("breaches() compares on the side each kind fires", () => {
  const [lag, conv, z] = parseRules(JSON.stringify({
    rules: [
      { id: "l", kind: "consumer_lag", threshold: 10 },
      { id: "c", kind: "conversion_rate", threshold: 0.1 },
      { id: "z", kind: "revenue_anomaly", threshold: 3 },
    ],
  })).rules;
  assertEquals([breaches(lag, 10), breaches(lag, 11)], [false, true]);
  assertEquals([breaches(conv, 0.1), breaches(conv, 0.09)], [false, true]);
  assertEquals([breaches(z, 2.9), breaches(z, 3), breaches(z, -3.1)], [false, true, true]);
});
