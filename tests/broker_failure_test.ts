// `kill -9` of one Kafka broker of three during a steady stream through the collector. With
// RF 3 / min.insync.replicas 2 and an idempotent acks=all producer, the promise is: every event
// the collector acknowledged (202) reaches ClickHouse, nothing is counted twice in the analytics,
// and the killed broker rejoins and catches up (back in every partition's ISR).
//
// Delivery is at-least-once end to end, so "nothing counted twice" is asserted where it is
// promised, not on the raw table:
// - a client that got a 503 (or no answer) sends the same events again, as the SDK does; if the
//   first attempt was written after all, Kafka holds that event twice, at two offsets;
// - the collector hands a batch whose produce timed out (written or not: unknown) to its spool,
//   which replays it, so such an event may sit at two offsets; the idempotent producer adds none;
// - ClickHouse's Kafka engine may re-read an offset after a failed commit (same partition+offset);
// - the analytics (here funnel_1m's exact distinct users) count each event once whatever the copies.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { groupCoordinator, killNode, partitionStates, restartNode } from "../kafka/cluster.ts";
import { topicsFromEnv } from "../contract/mod.ts";
import { processorConfig } from "../processor/config.ts";
import { KafkaOffsets } from "../processor/kafka_offsets.ts";
import { type ClusterStack, pollUntil, startClusterStack } from "../stack/testing.ts";

const SITE = "failover";
const WORKERS = 4;
const BATCH = 10;
const BATCH_EVERY_MS = 100; // per worker: 4 × 10 events × 10/s = 400 events/s
const KILL_AT_MS = 8_000;
const RESTART_AT_MS = 22_000;
const STREAM_MS = 36_000;

type Sent = { acked: Set<string>; resent: Set<string>; attempts: number; failures: Map<string, number> };

function batchOf(worker: number, n: number) {
  const now = Date.now();
  return Array.from({ length: BATCH }, (_, i) => {
    const event_id = crypto.randomUUID();
    // One visitor per event, so funnel_1m's distinct viewers must equal the events acknowledged.
    return {
      event_id,
      type: "page_view",
      ts: now,
      session_id: `s-${worker}-${n}-${i % 3}`,
      anonymous_id: `u-${event_id}`,
      url: `https://shop.test/p/${i}`,
    };
  });
}

/** One client: a batch every BATCH_EVERY_MS, each retried (same event ids) until acknowledged. */
async function worker(url: string, id: number, until: number, sent: Sent) {
  for (let n = 0; Date.now() < until; n++) {
    const started = Date.now();
    const events = batchOf(id, n);
    for (let attempt = 0;; attempt++) {
      if (attempt > 0) { for (const e of events) sent.resent.add(e.event_id); }
      sent.attempts++;
      let outcome: string;
      try {
        const response = await fetch(`${url}/v1/batch`, {
          method: "POST",
          headers: { "Content-Type": "text/plain" },
          body: JSON.stringify({ site: SITE, sent_at: Date.now(), events }),
          signal: AbortSignal.timeout(15_000),
        });
        await response.body?.cancel();
        outcome = `HTTP ${response.status}`;
        if (response.status === 202) {
          for (const e of events) sent.acked.add(e.event_id);
          break;
        }
      } catch (error) {
        outcome = (error as Error).name;
      }
      sent.failures.set(outcome, (sent.failures.get(outcome) ?? 0) + 1);
      if (attempt >= 200) {
        throw new Error(`batch ${id}/${n} not acknowledged after ${attempt} attempts (${outcome})`);
      }
      await new Promise((r) => setTimeout(r, Math.min(1000, 100 * 2 ** attempt)));
    }
    await new Promise((r) => setTimeout(r, Math.max(0, BATCH_EVERY_MS - (Date.now() - started))));
  }
}

/** Events in the batches the collector's Kafka sink gave up on or left unanswered (the spool sends them again), from its log. */
async function collectorSpooledEvents(logFile: string): Promise<number> {
  const log = await Deno.readTextFile(logFile);
  // Batches whose produce went unanswered: the spool sends them again, as it does after a
  // producer was replaced (kafka_sink.ts), so either may add copies. A message holds a session's
  // events of one batch, one per line: the bound is in events, as the copies are counted.
  // The services log JSON lines to their files (lib/log.ts): `failed` and `unanswered` count them.
  return log.split("\n").filter((line) => line.startsWith("{")).reduce((n, line) => {
    const entry = JSON.parse(line) as { failed?: { records: number }; unanswered?: { records: number } };
    return n + (entry.failed?.records ?? 0) + (entry.unanswered?.records ?? 0);
  }, 0);
}

/**
 * Where ClickHouse's Kafka consumers stand, for a failure message: a stall is otherwise opaque.
 * Each broker's view of the partitions, the end offsets a fresh client reads and the collector's
 * log are here too: in the stalls seen (about one run in eight, before kafka_sink.ts replaced a
 * stuck producer) consumer, committed and end offsets all agreed, far below what the collector
 * had acknowledged, and its log showed a produce that never came back: the batches were in the
 * collector's spool, not lost by ClickHouse.
 */
async function consumerState(stack: ClusterStack): Promise<string> {
  const topics = topicsFromEnv(() => undefined);
  const offsets = new KafkaOffsets({
    brokers: stack.cluster.bootstrap.split(","),
    eventsTopic: topics.events.name,
    dlqTopic: topics.dlq.name,
    group: processorConfig(() => undefined).sqlValues.KAFKA_GROUP,
  });
  const lag = await offsets.snapshot();
  await offsets.close();
  const views = await Promise.all(
    stack.cluster.bootstrap.split(",").map(async (broker) => {
      const states = await partitionStates(broker, topics.events.name).catch((e) => (e as Error).message);
      return `${broker}: ${JSON.stringify(states)}`;
    }),
  );
  const collectorLog = await Deno.readTextFile(stack.collectorLog).catch(() => "");
  const consumers = await stack.rows(
    `SELECT consumer_id, assignments.partition_id AS partitions, assignments.current_offset AS offsets,
            last_poll_time, num_messages_read, last_commit_time, num_commits, num_rebalance_assignments,
            arrayMap(e -> splitByChar('\\n', e)[1], exceptions.text) AS exceptions
     FROM system.kafka_consumers`,
  ).catch((error) => [`system.kafka_consumers: ${(error as Error).message}`]);
  const log = await Deno.readTextFile(stack.processorLog).catch(() => "");
  return [
    `kafka consumers: ${JSON.stringify(consumers)}`,
    `end and committed offsets (fresh client): ${JSON.stringify(lag)}`,
    `each broker's view of ${topics.events.name}:\n${views.join("\n")}`,
    `processor log tail:\n${log.split("\n").slice(-30).join("\n")}`,
    `collector log tail:\n${collectorLog.split("\n").slice(-20).join("\n")}`,
  ].join("\n");
}

Deno.test({
  name: "kill -9 of one broker of three loses no acknowledged event and the broker catches up",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const began = performance.now();
    const stack = await startClusterStack();
    const topics = topicsFromEnv(() => undefined);
    const seconds = (from: number) => `${((performance.now() - from) / 1000).toFixed(1)} s`;
    const report: Record<string, unknown> = { stack_start: seconds(began) };
    try {
      const bootstrap = stack.cluster.bootstrap;
      const before = await partitionStates(bootstrap, topics.events.name);
      for (const p of before) {
        assertEquals(p.isr.length, 3, `partition ${p.partition} starts fully replicated`);
      }
      // The broker coordinating ClickHouse's consumer group: losing it moves the group, so both of
      // its consumers (clickhouse/018_kafka.sql) must rejoin and resume, besides the partitions it leads.
      // A fresh cluster answers "coordinator not available" until __consumer_offsets has its leaders.
      const victim = await pollUntil(
        () => groupCoordinator(bootstrap, processorConfig(() => undefined).sqlValues.KAFKA_GROUP),
        () => true,
        { what: "a coordinator for ClickHouse's consumer group", deadlineMs: 60_000, intervalMs: 250 },
      );
      report.victim_leads = before.filter((p) => p.leader === victim).length;

      const sent: Sent = { acked: new Set(), resent: new Set(), attempts: 0, failures: new Map() };
      const streamStart = performance.now();
      const until = Date.now() + STREAM_MS;
      const stream = Promise.all(
        Array.from({ length: WORKERS }, (_, i) => worker(stack.collectorUrl, i, until, sent)),
      );
      let killedAt = 0;
      let restartedAt = 0;
      let fencedAfter = "";

      await t.step(`the stream flows, then broker ${victim} is killed with SIGKILL`, async () => {
        await new Promise((r) => setTimeout(r, KILL_AT_MS));
        assert(sent.acked.size > 0, "events were acknowledged before the kill");
        await pollUntil(
          () => stack.rows<{ n: string }>(`SELECT count() AS n FROM events WHERE site = '${SITE}'`),
          (rows) => Number(rows[0]?.n) > 0,
          { what: "ClickHouse consuming before the kill", deadlineMs: 30_000, intervalMs: 250 },
        );
        await killNode(stack.kafkaDir, victim);
        killedAt = performance.now();
        report.acked_before_kill = sent.acked.size;
      });

      await t.step("the cluster moves leadership off the dead broker and keeps accepting", async () => {
        await pollUntil(
          () => partitionStates(bootstrap, topics.events.name),
          (ps) => ps.every((p) => p.leader !== victim && !p.isr.includes(victim)),
          { what: `leaders and ISR without broker ${victim}`, deadlineMs: 30_000, intervalMs: 250 },
        );
        fencedAfter = seconds(killedAt);
        const ackedAtFence = sent.acked.size;
        await pollUntil(() => Promise.resolve(sent.acked.size), (n) => n > ackedAtFence, {
          what: "acknowledgements with a broker down",
          deadlineMs: 30_000,
        });
      });

      await t.step(`broker ${victim} restarts with its old data and rejoins every ISR`, async () => {
        const wait = RESTART_AT_MS - (performance.now() - streamStart);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await restartNode(stack.kafkaDir, victim);
        restartedAt = performance.now();
        for (const topic of [topics.events.name, topics.dlq.name, "__consumer_offsets"]) {
          await pollUntil(
            () => partitionStates(bootstrap, topic),
            (ps) => ps.every((p) => p.isr.length === 3 && p.isr.includes(victim)),
            { what: `${topic}: broker ${victim} back in every ISR`, deadlineMs: 60_000, intervalMs: 250 },
          );
        }
        report.isr_rejoined_after_restart = seconds(restartedAt);
      });

      await t.step("every acknowledged event is in ClickHouse, and only those", async () => {
        await stream;
        const expected = sent.acked.size;
        const counts = await pollUntil(
          () =>
            stack.rows<{ ids: string; rows: string }>(
              `SELECT uniqExact(event_id) AS ids, count() AS rows FROM events WHERE site = '${SITE}'`,
            ),
          (rows) => Number(rows[0]?.ids) >= expected,
          {
            what: `${expected} distinct acknowledged events in ClickHouse`,
            deadlineMs: 120_000,
            intervalMs: 500,
          },
        ).catch(async (error) => {
          throw new Error(`${(error as Error).message}\n${await consumerState(stack)}`);
        });
        // Every batch was retried until acknowledged, so the events sent are exactly those acknowledged.
        assertEquals(Number(counts[0].ids), expected);
        const ids = await stack.rows<{ event_id: string }>(
          `SELECT DISTINCT event_id FROM events WHERE site = '${SITE}'`,
        );
        assertEquals(
          ids.filter((r) => !sent.acked.has(r.event_id)),
          [],
          "no event that was never acknowledged",
        );
        report.acked = expected;
        report.raw_rows = Number(counts[0].rows);
      });

      await t.step("copies come only from retries or redelivery, and the analytics count once", async () => {
        const copies = await stack.rows<{ event_id: string; copies: string; offsets: string }>(
          `SELECT event_id, count() AS copies, uniqExact(_partition, _offset) AS offsets
           FROM events WHERE site = '${SITE}' GROUP BY event_id HAVING copies > 1`,
        );
        // An event at two offsets was produced twice: by a client retry, or by the collector
        // handing a batch whose produce timed out (its fate unknown) to the spool, which replays
        // it. The idempotent producer itself adds no copies, so there are at most that many.
        const twiceInKafka = copies.filter((c) =>
          Number(c.offsets) > 1 && !sent.resent.has(c.event_id)
        ).length;
        const spooled = await collectorSpooledEvents(stack.collectorLog);
        assert(
          twiceInKafka <= spooled,
          `${twiceInKafka} events sent once are in Kafka twice, but the collector spooled only ${spooled} events`,
        );
        report.events_resent_by_clients = sent.resent.size;
        report.events_spooled_by_collector = spooled;
        // kafka_sink.ts: producers given up on after a produce went unanswered for good.
        report.producers_replaced =
          ((await Deno.readTextFile(stack.collectorLog)).match(/replacing the producer/g) ?? [])
            .length;
        report.events_twice_in_kafka = copies.filter((c) => Number(c.offsets) > 1).length;
        report.events_redelivered_by_consumer = copies.filter((c) =>
          Number(c.copies) > Number(c.offsets)
        ).length;

        // What the product reports: events_unique (the analytics' deduplicated events) and
        // funnel_1m (distinct visitors per minute) count each acknowledged event exactly once.
        const unique = await stack.rows<{ n: string }>(
          `SELECT count() AS n FROM events_unique WHERE site = '${SITE}'`,
        );
        assertEquals(Number(unique[0].n), sent.acked.size, "events_unique holds each event once");
        const funnel = await pollUntil(
          () =>
            stack.rows<{ viewers: string }>(
              `SELECT sum(viewers) AS viewers FROM funnel_1m WHERE site = '${SITE}'`,
            ),
          (rows) => Number(rows[0]?.viewers) >= sent.acked.size,
          { what: "funnel_1m viewers", deadlineMs: 30_000, intervalMs: 500 },
        );
        assertEquals(Number(funnel[0].viewers), sent.acked.size, "funnel_1m counts each visitor once");
      });

      report.victim = victim;
      report.leader_moved_after_kill = fencedAfter;
      report.requests = sent.attempts;
      report.failed_requests = Object.fromEntries(sent.failures);
      report.total = seconds(began);
      console.log(`broker failure result: ${JSON.stringify(report)}`);
    } finally {
      await stack.stop();
    }
  },
});
