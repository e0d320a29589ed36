// The alert service with a fixed clock, a fake query function and fake notifiers: the schedule's
// rounds are driven by calling tick() directly.
import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import type { KafkaSnapshot, OffsetSource } from "../kafka_offsets.ts";
import type { Params, RunSql } from "../sql_files.ts";
import type { Alert } from "./evaluate.ts";
import type { Notifier } from "./notify.ts";
import { ALERT_QUERIES, type AlertQuery } from "./observe.ts";
import { parseRules } from "./rules.ts";
import { AlertService } from "./service.ts";
import { type AlertStore, MemoryAlertStore } from "./store.ts";
import { createLogger } from "../../lib/log.ts";

const queries = Object.fromEntries(ALERT_QUERIES.map((q) => [q, `-- ${q}`])) as Record<AlertQuery, string>;

class MemoryNotifier implements Notifier {
  sent: Alert[] = [];
  failNext = 0;
  constructor(readonly name: string) {}
  send(alerts: readonly Alert[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error("connection refused"));
    }
    this.sent.push(...alerts);
    return Promise.resolve();
  }
}

function fakeKafka(lags: () => number[], dlqPerMinute = () => 0): OffsetSource {
  return {
    snapshot: (): Promise<KafkaSnapshot> =>
      Promise.resolve({
        at: 0,
        partitions: lags().map((lag, partition) => ({ partition, end: lag, committed: 0, lag })),
        totalLag: lags().reduce((a, b) => a + b, 0),
        dlq: { total: 0, perMinute: dlqPerMinute() },
      }),
    close: () => Promise.resolve(),
  };
}

function setup(
  rulesJson: unknown,
  values: Partial<Record<AlertQuery, () => Record<string, unknown>[]>>,
  kafka?: OffsetSource,
  store?: AlertStore,
) {
  let now = Date.UTC(2025, 10, 22, 10, 0, 0);
  const calls: { sql: string; params: Params }[] = [];
  const run: RunSql = <T>(sql: string, params: Params) => {
    calls.push({ sql, params });
    const name = sql.slice(3) as AlertQuery;
    return Promise.resolve((values[name]?.() ?? []) as T[]);
  };
  const kafkaNotifier = new MemoryNotifier("kafka");
  const webhook = new MemoryNotifier("webhook");
  const logs: string[] = [];
  const service = new AlertService({
    config: parseRules(JSON.stringify(rulesJson)),
    sources: { run, queries, kafka },
    notifiers: [kafkaNotifier, webhook],
    store,
    clock: () => now,
    log: createLogger("alerts", { format: "text", write: (line) => logs.push(line) }),
  });
  return { service, calls, kafkaNotifier, webhook, logs, advance: (ms: number) => now += ms };
}

Deno.test("AlertService: a conversion drop (broken checkout) fires once and resolves once, on Kafka and the webhook", async () => {
  const conversion = [0.04, 0.0, 0.0, 0.0, 0.035, 0.04];
  let i = 0;
  const t = setup(
    {
      rules: [{
        id: "low-conversion",
        kind: "conversion_rate",
        threshold: 0.01,
        windowSeconds: 600,
        minVolume: 50,
      }],
    },
    { conversion_rate: () => [{ subject: "demo", value: conversion[i], volume: "120" }] },
  );
  for (; i < conversion.length; i++) {
    await t.service.tick();
    t.advance(15_000);
  }
  for (const notifier of [t.kafkaNotifier, t.webhook]) {
    assertEquals(notifier.sent.map((a) => [a.alert_id, a.status, a.value]), [
      ["low-conversion:demo", "firing", 0],
      ["low-conversion:demo", "resolved", 0.035],
    ]);
  }
  const [fired, resolved] = t.kafkaNotifier.sent;
  strictEqual(resolved.started_at, fired.at);
  strictEqual(resolved.at - fired.at, 3 * 15_000);
  // The rule's window and volume reach the SQL as parameters, with the clock's time.
  assertEquals(t.calls[0].params, {
    to: "2025-11-22 10:00:00",
    window_s: 600,
    min_volume: 50,
  });
});

Deno.test("AlertService: a failed webhook delivery waits in its outbox and goes out, in order, with the next round", async () => {
  let lag = 50_000;
  const t = setup(
    { rules: [{ id: "lag", kind: "consumer_lag", threshold: 10_000 }] },
    {},
    fakeKafka(() => [lag, 0]),
  );
  t.webhook.failNext = 1;
  await t.service.tick();
  assertEquals([t.kafkaNotifier.sent.length, t.webhook.sent.length], [1, 0]);
  lag = 0;
  await t.service.tick();
  assertEquals(t.webhook.sent.map((a) => a.status), ["firing", "resolved"]);
  assertEquals(t.kafkaNotifier.sent.map((a) => [a.alert_id, a.status]), [["lag:partition-0", "firing"], [
    "lag:partition-0",
    "resolved",
  ]]);
  strictEqual(t.logs.filter((l) => l.includes("alert delivery failed notifier=webhook")).length, 1);
});

Deno.test("AlertService: a rule whose source fails is reported in the view and leaves the other rules running", async () => {
  const t = setup(
    {
      rules: [
        { id: "dlq", kind: "dlq_rate", threshold: 10 },
        { id: "errors", kind: "ingest_errors", threshold: 5, windowSeconds: 60 },
      ],
    },
    { ingest_errors: () => [{ subject: "pipeline", value: 12, volume: "12" }] },
    undefined, // no Kafka: the dlq rule cannot read
  );
  const transitions = await t.service.tick();
  assertEquals(transitions.map((a) => a.alert_id), ["errors:pipeline"]);
  const view = t.service.view();
  assertEquals(view.firing.map((a) => a.alert_id), ["errors:pipeline"]);
  assertEquals(
    view.rules.find((r) => r.id === "dlq")?.error,
    "dlq: no Kafka connection to read offsets from",
  );
  assertEquals(view.recent.map((a) => a.status), ["firing"]);
});

Deno.test("AlertService: a revenue spike on one site's currency fires for that subject only", async () => {
  let z = [{ subject: "demo/EUR", value: 1.2 }, { subject: "demo/USD", value: -0.4 }];
  const t = setup({ rules: [{ id: "revenue-anomaly", kind: "revenue_anomaly", threshold: 3 }] }, {
    revenue_anomaly: () => z,
  });
  await t.service.tick();
  z = [{ subject: "demo/EUR", value: 7.5 }, { subject: "demo/USD", value: -0.2 }];
  await t.service.tick();
  await t.service.tick();
  z = [{ subject: "demo/EUR", value: 0.3 }, { subject: "demo/USD", value: 0.1 }];
  await t.service.tick();
  assertEquals(t.kafkaNotifier.sent.map((a) => [a.subject, a.status]), [["demo/EUR", "firing"], [
    "demo/EUR",
    "resolved",
  ]]);
});

Deno.test("AlertService: while a consumer-lag rule breaches, the rules that read events are held, their alerts kept", async () => {
  let lag = 0;
  const t = setup(
    {
      rules: [
        { id: "lag", kind: "consumer_lag", threshold: 10_000 },
        { id: "low-conversion", kind: "conversion_rate", threshold: 0.01, windowSeconds: 600, minVolume: 50 },
        { id: "errors", kind: "ingest_errors", threshold: 5, windowSeconds: 60 },
      ],
    },
    {
      conversion_rate: () => [{ subject: "demo", value: 0, volume: "120" }],
      ingest_errors: () => [{ subject: "pipeline", value: 0, volume: "0" }],
    },
    fakeKafka(() => [lag, 0]),
  );
  const queried = () => t.calls.map((c) => c.sql.slice(3));
  assertEquals((await t.service.tick()).map((a) => [a.alert_id, a.status]), [[
    "low-conversion:demo",
    "firing",
  ]]);
  assertEquals(queried(), ["conversion_rate", "ingest_errors"]);

  // A backlog: the conversion rule is neither read nor resolved; the ingest-error rule still runs.
  lag = 2_000_000;
  t.calls.length = 0;
  const behind = await t.service.tick();
  assertEquals(behind.map((a) => [a.alert_id, a.status]), [["lag:partition-0", "firing"]]);
  assertEquals(queried(), ["ingest_errors"]);
  const view = t.service.view();
  assertEquals(view.firing.map((a) => a.alert_id).sort(), ["lag:partition-0", "low-conversion:demo"]);
  assertEquals(view.rules.find((r) => r.id === "low-conversion")?.error?.startsWith("held while"), true);

  // Caught up: read again, and the hold leaves the view.
  lag = 0;
  t.calls.length = 0;
  await t.service.tick();
  assertEquals(queried(), ["conversion_rate", "ingest_errors"]);
  assertEquals(t.service.view().rules.find((r) => r.id === "low-conversion")?.error, undefined);
});

Deno.test("AlertService: after a restart, an alert still firing is neither sent again nor forgotten, and resolves once", async () => {
  const rules = {
    rules: [{ id: "errors", kind: "ingest_errors", threshold: 5, windowSeconds: 60 }],
  };
  const store = new MemoryAlertStore();
  let errors = 30;
  const values = { ingest_errors: () => [{ subject: "pipeline", value: errors }] };
  const before = setup(rules, values, undefined, store);
  await before.service.tick();
  assertEquals(before.webhook.sent.map((a) => [a.alert_id, a.status]), [["errors:pipeline", "firing"]]);
  // The processor restarts: a new service on the same store, the condition still holding.
  const after = setup(rules, values, undefined, store);
  await after.service.tick();
  await after.service.tick();
  strictEqual(after.webhook.sent.length, 0, "no second firing");
  assertEquals(after.service.view().firing.map((a) => a.alert_id), ["errors:pipeline"]);
  assertEquals(after.service.view().recent.map((a) => `${a.alert_id}:${a.status}`), [
    "errors:pipeline:firing",
  ]);
  errors = 0;
  await after.service.tick();
  assertEquals(after.webhook.sent.map((a) => [a.alert_id, a.status]), [["errors:pipeline", "resolved"]]);
  assertEquals(store.saved.map((s) => s.alert.status), ["firing", "resolved"]);
});

const ERRORS_RULE = { rules: [{ id: "errors", kind: "ingest_errors", threshold: 5, windowSeconds: 60 }] };
const sentOf = (n: MemoryNotifier) => n.sent.map((a) => `${a.alert_id} ${a.status} ${a.at}`);

Deno.test("AlertService: what the webhook had not accepted before a restart is sent by the restarted service, every transition, oldest first, once", async () => {
  const store = new MemoryAlertStore();
  let errors = 30;
  const values = { ingest_errors: () => [{ subject: "pipeline", value: errors }] };
  const before = setup(ERRORS_RULE, values, undefined, store);
  before.webhook.failNext = 10; // down the whole time: fires and resolves unseen
  await before.service.tick();
  before.advance(15_000);
  errors = 0;
  await before.service.tick();
  assertEquals(before.webhook.sent, []);
  strictEqual(before.kafkaNotifier.sent.length, 2);

  const after = setup(ERRORS_RULE, values, undefined, store);
  await after.service.tick();
  await after.service.tick();
  assertEquals(
    sentOf(after.webhook),
    sentOf(before.kafkaNotifier),
    "the firing, then the resolution, once each",
  );
  assertEquals(after.kafkaNotifier.sent, [], "Kafka had them: not sent again");
  assertEquals(after.webhook.sent.map((a) => a.status), ["firing", "resolved"]);
  // A third run owes nobody anything.
  const third = setup(ERRORS_RULE, values, undefined, store);
  await third.service.tick();
  assertEquals([third.webhook.sent, third.kafkaNotifier.sent], [[], []]);
});

Deno.test("AlertService: a delivery whose acknowledgement was not stored before a restart goes out again, with the same alert_id and at", async () => {
  const store = new MemoryAlertStore();
  const values = { ingest_errors: () => [{ subject: "pipeline", value: 30 }] };
  const before = setup(ERRORS_RULE, values, undefined, store);
  store.fail.delivered = 2; // the process dies before either acknowledgement is written
  await before.service.tick();
  strictEqual(before.logs.filter((l) => l.includes("alert delivery not recorded")).length, 2);

  const after = setup(ERRORS_RULE, values, undefined, store);
  await after.service.tick();
  assertEquals(sentOf(after.webhook), sentOf(before.webhook), "at-least-once: the same transition again");
  assertEquals(sentOf(after.kafkaNotifier), sentOf(before.kafkaNotifier));
});

Deno.test("AlertService: an acknowledgement whose write failed is written with the next round, so a later restart sends nothing again", async () => {
  const store = new MemoryAlertStore();
  const values = { ingest_errors: () => [{ subject: "pipeline", value: 30 }] };
  const before = setup(ERRORS_RULE, values, undefined, store);
  store.fail.delivered = 1;
  await before.service.tick();
  await before.service.tick();
  const after = setup(ERRORS_RULE, values, undefined, store);
  await after.service.tick();
  assertEquals([after.webhook.sent, after.kafkaNotifier.sent], [[], []]);
});

Deno.test("AlertService: a transition decided while ClickHouse's write failed is delivered all the same and stored with the next round", async () => {
  const store = new MemoryAlertStore();
  let errors = 30;
  const values = { ingest_errors: () => [{ subject: "pipeline", value: errors }] };
  const before = setup(ERRORS_RULE, values, undefined, store);
  store.fail.save = 2;
  await before.service.tick();
  assertEquals(before.webhook.sent.map((a) => a.status), ["firing"], "the owner is told without waiting");
  strictEqual(store.saved.length, 0);
  before.advance(15_000);
  await before.service.tick(); // still down
  strictEqual(store.saved.length, 0);
  strictEqual(before.logs.filter((l) => l.includes("alert state not saved")).length, 1, "said once");
  before.advance(15_000);
  await before.service.tick();
  assertEquals(store.saved.map((s) => [s.alert.status, s.notifiers]), [["firing", ["kafka", "webhook"]]]);

  // Restarted once it is stored: still firing, not fired again, resolved once.
  const after = setup(ERRORS_RULE, values, undefined, store);
  await after.service.tick();
  strictEqual(after.webhook.sent.length, 0);
  errors = 0;
  await after.service.tick();
  assertEquals(after.webhook.sent.map((a) => a.status), ["resolved"]);
});

Deno.test("AlertService: a notifier configured after a transition is not sent it; one no longer configured is reported", async () => {
  const store = new MemoryAlertStore();
  const values = { ingest_errors: () => [{ subject: "pipeline", value: 30 }] };
  const before = setup(ERRORS_RULE, values, undefined, store);
  before.webhook.failNext = 1;
  await before.service.tick();
  // The webhook was owed the firing; the restarted processor has Kafka only.
  store.saved.forEach((s) => assertEquals(s.notifiers, ["kafka", "webhook"]));
  const logs: string[] = [];
  const kafkaOnly = new MemoryNotifier("kafka");
  const after = new AlertService({
    config: parseRules(JSON.stringify(ERRORS_RULE)),
    sources: { run: <T>() => Promise.resolve(values.ingest_errors() as T[]), queries },
    notifiers: [kafkaOnly],
    store,
    log: createLogger("alerts", { format: "text", write: (line) => logs.push(line) }),
  });
  await after.tick();
  assertEquals(kafkaOnly.sent, []);
  strictEqual(
    logs.filter((l) => l.includes("notifiers no longer configured") && l.includes("webhook")).length,
    1,
  );
});
