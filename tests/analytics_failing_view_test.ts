// One aggregate view that fails on a block must not stop ingest (issue 27, item 6): on the real broker
// and the embedded engine with the processor's config, a view on `counted_events` throws on one event;
// the blocks after it still reach `events`, `counted_events` and the aggregate tables, and the failure
// shows where the dashboard's ingest-health panel reads the consumers (system.kafka_consumers) and the
// consumer-errors alert rule. What the failing block itself loses is in clickhouse/README.md, "A failing
// view". The consumers' inserts run with the settings of processor/embedded_users.d/ (a session's SET
// does not reach them): checked on the same pipeline.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { Producer, stringSerializers } from "@platformatic/kafka";
import { topicsFromEnv } from "../contract/mod.ts";
import { ensureTopics, startBroker, stopBroker } from "../kafka/broker.ts";
import { freePort } from "../lib/process.ts";
import { processorConfig } from "../processor/config.ts";
import { EmbeddedEngine } from "../processor/engine/embedded_engine.ts";
import { readAlertQueries } from "../processor/alerts/observe.ts";
import { chDateTime } from "../processor/sql_files.ts";
import { migrate } from "../processor/migrate.ts";
import { pollUntil } from "../stack/testing.ts";
import { inOwnProcess } from "../lib/own_process.ts";

const NAME = "a view that fails on a block leaves ingest running, and its error shows on the consumers";
// Its embedded engine must not share a process with another test's (lib/own_process.ts).
if (inOwnProcess(import.meta.url, NAME)) {
  Deno.test(NAME, async () => {
    const root = await Deno.makeTempDir({ prefix: "shoptrail-failing-view-" });
    const broker = await startBroker({
      dataDir: `${root}/kafka`,
      port: await freePort(),
      controllerPort: await freePort(),
      startDeadlineMs: 90_000,
    });
    const engine = new EmbeddedEngine(`${root}/clickhouse`);
    const producer = new Producer({
      clientId: "failing-view-test",
      bootstrapBrokers: [broker.bootstrap],
      serializers: stringSerializers,
    });
    try {
      const topics = topicsFromEnv(() => undefined);
      await ensureTopics(broker.bootstrap, Object.values(topics));
      const values = processorConfig(() => undefined).sqlValues;
      await migrate(engine, { values: { ...values, KAFKA_BROKERS: broker.bootstrap } });
      // A view with a bug that only some input triggers.
      await engine.command("CREATE TABLE view_bug (n UInt8) ENGINE = MergeTree ORDER BY n");
      await engine.command(
        "CREATE MATERIALIZED VIEW view_bug_mv TO view_bug AS " +
          "SELECT throwIf(url LIKE '%/poison%', 'a view failed on this block') AS n FROM counted_events",
      );
      // What the consumers' inserts run with, recorded by a view of their own.
      await engine.command("CREATE TABLE consumer_settings (optimize_on_insert String) ENGINE = Memory");
      await engine.command(
        "CREATE MATERIALIZED VIEW consumer_settings_mv TO consumer_settings AS " +
          "SELECT toString(getSetting('optimize_on_insert')) AS optimize_on_insert FROM counted_events",
      );
      const now = Date.now();
      const send = (id: string, url: string) =>
        producer.send({
          messages: [{
            topic: topics.events.name,
            partition: 0,
            value: JSON.stringify({
              event_id: id,
              type: "page_view",
              site: "v",
              ts: now,
              event_time: now,
              received_at: now,
              session_id: `s-${id}`,
              url,
            }),
          }],
        });
      const counts = () =>
        engine.rows<Record<string, number>>(
          `SELECT (SELECT uniqExact(event_id) FROM events WHERE site = 'v') AS events,
          (SELECT count() FROM counted_events WHERE site = 'v' AND event_id = 'after') AS after_counted,
          (SELECT sum(page_views) FROM funnel_minutes WHERE site = 'v') AS page_views`,
        );
      await send("before", "https://shop.test/");
      await pollUntil(counts, ([c]) => Number(c.page_views) === 1, {
        what: "the first event counted",
        deadlineMs: 60_000,
      });
      assertEquals(
        await engine.rows("SELECT DISTINCT optimize_on_insert FROM consumer_settings"),
        [{ optimize_on_insert: "false" }],
      );
      await send("poisoned", "https://shop.test/poison");
      // The failing block is read again and passes (its keys are in the gates by then): `events` has it.
      await pollUntil(
        () => engine.rows<{ n: number }>("SELECT count() AS n FROM events WHERE event_id = 'poisoned'"),
        ([r]) => Number(r.n) >= 1,
        { what: "the failing block in events", deadlineMs: 60_000 },
      );
      await send("after", "https://shop.test/after");
      const [c] = await pollUntil(
        counts,
        ([c]) => Number(c.after_counted) === 1 && Number(c.page_views) >= 2,
        { what: "the next block counted in counted_events and funnel_minutes", deadlineMs: 60_000 },
      );
      assertEquals(Number(c.events), 3);
      const consumers = await engine.rows<{ errors: string[] }>(
        "SELECT exceptions.text AS errors FROM system.kafka_consumers",
      );
      ok(
        consumers.some((r) => r.errors.some((e) => e.includes("a view failed on this block"))),
        `the view's error on a consumer: ${JSON.stringify(consumers)}`,
      );
      // The consumer-errors alert rule (processor/alerts.json) reads it: one error in the last 5 minutes.
      const { consumer_errors } = await readAlertQueries();
      const [alert] = await engine.rows<{ value: number }>(consumer_errors, {
        to: chDateTime(Date.now() + 1000),
        window_s: 300,
      });
      ok(Number(alert.value) >= 1, `consumer_errors reads ${JSON.stringify(alert)}`);
    } finally {
      await producer.close();
      await engine.close();
      await stopBroker(`${root}/kafka`);
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  });
}
