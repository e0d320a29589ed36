// A crash's replay: the processor is killed once ClickHouse has read every delivery, its consumer
// group forgotten, and the pipeline started again, so ClickHouse reads every message a second time at
// the same offsets (as after a commit lost in a crash or a rebalance).
import { Admin } from "@platformatic/kafka";
import { readPid } from "../../lib/process.ts";
import { processorConfig } from "../../processor/config.ts";
import { startPipeline } from "../../stack/pipeline.ts";
import { pollUntil, type TestPipeline } from "../../stack/testing.ts";

/** Kills the processor, forgets its consumer group, restarts, and waits until each delivery (of every site) was read twice. */
export async function readEverythingTwice(pipeline: TestPipeline, deliveries: number): Promise<void> {
  // The same messages at the same offsets again, as after a commit lost in a crash or a
  // rebalance, and the gates of clickhouse/005_first_delivery.sql must survive the kill (they live in .data).
  // Killed once the chain behind `events` has finished its last block (a kill inside a block
  // can leave it in some aggregate tables and not others: clickhouse/README.md, "Killed mid-block").
  await chainCaughtUp(pipeline);
  const pidFile = `${pipeline.dataRoot}/run/processor.pid`;
  Deno.kill(readPid(pidFile)!, "SIGKILL");
  await pollUntil(() => Promise.resolve(readPid(pidFile)), (pid) => pid === undefined, {
    what: "processor gone",
  });
  const group = processorConfig((name) => pipeline.env[name]).sqlValues.KAFKA_GROUP;
  const admin = new Admin({ clientId: "truth-test", bootstrapBrokers: [pipeline.kafkaBootstrap] });
  try {
    // The killed consumers stay members until their session times out (10 s).
    await pollUntil(() => admin.deleteGroups({ groups: [group] }).then(() => true), (done) => done, {
      what: `consumer group ${group} deleted`,
      deadlineMs: 60_000,
      intervalMs: 1000,
    });
  } finally {
    await admin.close();
  }
  await startPipeline({
    dataRoot: pipeline.dataRoot,
    kafkaPort: Number(new URL(`http://${pipeline.kafkaBootstrap}`).port),
    processorPort: Number(new URL(pipeline.sql.url).port),
    collectorPort: Number(new URL(pipeline.collectorUrl).port),
  });
  await pollUntil(
    () =>
      pipeline.rows<{ reads: string; positions: string; counted: string; copies: string }>(
        `SELECT count() AS reads, uniqExact(_partition, _offset, event_id) AS positions,
          (SELECT count() FROM counted_events) AS counted,
          (SELECT sum(copies) FROM copies WHERE kind = 'event') AS copies
        FROM events`,
      ),
    // The gates' views are siblings of the one that writes `events` and may finish a block later:
    // every read is either an event's first delivery or a copy once they have.
    ([r]) =>
      Number(r.reads) === 2 * deliveries && Number(r.positions) === deliveries &&
      Number(r.counted) + Number(r.copies) === Number(r.reads),
    { what: "every delivery read twice, and counted or turned away", deadlineMs: 120_000, intervalMs: 250 },
  );
}

/** Waits until the chain behind `events` has finished its last block: every table it writes agrees. */
export async function chainCaughtUp(pipeline: TestPipeline): Promise<void> {
  await pollUntil(
    () =>
      pipeline.rows<Record<string, string>>(
        `SELECT (SELECT uniqExact(event_id) FROM events) AS ids, (SELECT count() FROM counted_events) AS counted,
          (SELECT count() FROM event_gate) AS gated,
          (SELECT countIf(type = 'page_view' AND is_replay = 0) FROM counted_events) AS views,
          (SELECT sum(page_views) FROM traffic_hours) AS hourly_views,
          (SELECT uniqExactIf(session_id, is_replay = 0) FROM counted_events) AS sessions,
          (SELECT uniqExactMerge(sessions) FROM traffic_days) AS daily_sessions,
          (SELECT countIf(type = 'purchase' AND is_replay = 0) FROM counted_events) AS orders,
          (SELECT sum(orders) FROM revenue_minutes) AS minute_orders,
          (SELECT sum(purchases) FROM product_hours) AS product_orders,
          (SELECT uniqExactIf(order_id, type = 'purchase' AND is_replay = 0 AND length(items) > 0)
            FROM counted_events) AS orders_with_lines,
          (SELECT countIf((type = 'product_view' OR (type = 'page_view' AND product_id != '')) AND is_replay = 0)
            FROM counted_events) AS product_views,
          (SELECT sum(views) FROM product_hours) AS hourly_product_views,
          (SELECT sum(views) FROM product_minutes) AS minute_product_views,
          (SELECT uniqExactIf((site, session_id), is_replay = 0) FROM counted_events) AS all_sessions,
          (SELECT sum(sessions) FROM session_starts) AS started_sessions,
          (SELECT sum(carts) FROM cart_states) AS carts,
          (SELECT sum(carts) FROM cart_minutes) AS minute_carts,
          (SELECT sum(orders) FROM revenue_five_minutes) AS five_minute_orders,
          (SELECT sum(orders) FROM revenue_hours) AS hour_orders,
          (SELECT sum(views) FROM product_days) AS daily_product_views`,
      ),
    // Every table the chain writes: the views of one table run one after another, in no fixed order.
    ([r]) =>
      r.ids === r.counted && r.counted === r.gated && r.views === r.hourly_views &&
      r.sessions === r.daily_sessions && r.orders === r.minute_orders &&
      Number(r.product_orders) >= Number(r.orders_with_lines) && r.product_views === r.hourly_product_views &&
      r.product_views === r.minute_product_views && r.all_sessions === r.started_sessions &&
      // and the sums chained from those tables (a CI run's kill fell between cart_states and cart_minutes)
      r.carts === r.minute_carts && r.minute_orders === r.five_minute_orders &&
      r.minute_orders === r.hour_orders &&
      r.hourly_product_views === r.daily_product_views,
    { what: "the aggregate views caught up with events", deadlineMs: 60_000, intervalMs: 250 },
  );
}
