import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { type Alert, evaluate, type Observation } from "./evaluate.ts";
import { parseRules, type Rule } from "./rules.ts";

const rules = parseRules(JSON.stringify({
  rules: [
    { id: "lag", kind: "consumer_lag", threshold: 100 },
    { id: "conv", kind: "conversion_rate", threshold: 0.05 },
    { id: "z", kind: "revenue_anomaly", threshold: 3 },
  ],
})).rules;

function round(
  firing: ReadonlyMap<string, Alert>,
  observed: Record<string, Observation[]>,
  now: number,
  ruleSet: readonly Rule[] = rules,
) {
  return evaluate({ rules: ruleSet, observed: new Map(Object.entries(observed)), firing, now });
}

Deno.test("evaluate() fires once when a value breaches, stays silent while it holds, resolves once when clear", () => {
  let state = new Map<string, Alert>();
  const statuses: string[] = [];
  for (const [now, lag] of [[1000, 5], [2000, 500], [3000, 900], [4000, 700], [5000, 3], [6000, 2]]) {
    const r = round(state, { lag: [{ subject: "partition-0", value: lag }] }, now);
    state = r.firing;
    statuses.push(...r.transitions.map((t) => `${t.at}:${t.status}:${t.value}`));
  }
  assertEquals(statuses, ["2000:firing:500", "5000:resolved:3"]);
});

Deno.test("evaluate() keeps the start time and updates the value of a firing alert", () => {
  const first = round(new Map(), { lag: [{ subject: "partition-1", value: 200 }] }, 10);
  const second = round(first.firing, { lag: [{ subject: "partition-1", value: 300 }] }, 20);
  assertEquals(second.transitions, []);
  const alert = second.firing.get("lag:partition-1")!;
  assertEquals([alert.started_at, alert.value, alert.status], [10, 300, "firing"]);
});

Deno.test("evaluate() treats each subject as its own alert", () => {
  const r = round(new Map(), {
    lag: [{ subject: "partition-0", value: 101 }, { subject: "partition-1", value: 100 }, {
      subject: "partition-2",
      value: 5000,
    }],
  }, 1);
  assertEquals(r.transitions.map((t) => t.alert_id), ["lag:partition-0", "lag:partition-2"]);
});

Deno.test("evaluate() fires conversion below its threshold and |z| at or over it, both signs", () => {
  const r = round(new Map(), {
    conv: [{ subject: "shop-a", value: 0.01 }, { subject: "shop-b", value: 0.2 }],
    z: [{ subject: "shop-a/EUR", value: -3 }, { subject: "shop-b/EUR", value: 2.99 }, {
      subject: "shop-c/USD",
      value: 4.5,
    }],
  }, 1);
  assertEquals(r.transitions.map((t) => t.alert_id), ["conv:shop-a", "z:shop-a/EUR", "z:shop-c/USD"]);
  strictEqual(r.transitions[0].message, "conv: conversion_rate of shop-a is 0.01 (< 0.05)");
});

Deno.test("evaluate() resolves an alert whose subject has no data any more, and keeps it when the rule failed to read", () => {
  const fired = round(new Map(), { conv: [{ subject: "shop-a", value: 0 }] }, 1);
  const unread = round(fired.firing, {}, 2); // the rule's query failed: no observations at all
  assertEquals([unread.transitions.length, unread.firing.size], [0, 1]);
  const gone = round(unread.firing, { conv: [] }, 3);
  assertEquals(gone.transitions.map((t) => [t.alert_id, t.status]), [["conv:shop-a", "resolved"]]);
  strictEqual(gone.firing.size, 0);
});

Deno.test("evaluate() resolves the alerts of a rule removed from the file", () => {
  const fired = round(new Map(), { lag: [{ subject: "partition-0", value: 1000 }] }, 1);
  const after = round(fired.firing, {}, 2, rules.filter((r) => r.id !== "lag"));
  assertEquals(after.transitions.map((t) => [t.alert_id, t.status]), [["lag:partition-0", "resolved"]]);
});
