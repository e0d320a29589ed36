// Per-core figures for docs/SCALING.md: events per CPU-second of the collector, the Kafka broker
// and ClickHouse's ingestion, measured on the real pipeline by each process's own CPU time
// (/proc/<pid>/stat), so the load generator sharing the machine does not skew them.
//
//   deno task capacity            # CAPACITY_SECONDS=20 CAPACITY_BATCH=100 CAPACITY_CLIENTS=8
import { join } from "node:path";
import { readPid } from "../lib/process.ts";
import { pollUntil, startTestPipeline } from "../stack/testing.ts";
import { envInt, processEnv } from "../lib/env.ts";

const seconds = envInt(processEnv, "CAPACITY_SECONDS", 20, { min: 5, max: 600 });
const batch = envInt(processEnv, "CAPACITY_BATCH", 100, { min: 1, max: 500 });
const clients = envInt(processEnv, "CAPACITY_CLIENTS", 8, { min: 1, max: 256 });
const TICKS_PER_S = 100; // Linux USER_HZ

function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S; // utime + stime
}

const pipeline = await startTestPipeline({ env: { COLLECTOR_SPOOL_DIR: "off" } });
try {
  const pids = {
    collector: readPid(join(pipeline.dataRoot, "run", "collector.pid"))!,
    kafka: readPid(join(pipeline.dataRoot, "kafka", "broker.pid"))!,
    clickhouse: readPid(join(pipeline.dataRoot, "run", "processor.pid"))!,
  };
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  let acked = 0;
  let failed = 0;
  const until = Date.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let n = 0; Date.now() < until; n++) {
      const now = Date.now();
      const events = Array.from({ length: batch }, (_, i) => ({
        event_id: crypto.randomUUID(),
        type: "page_view",
        ts: now,
        session_id: `cap-${c}-${n}-${i % 5}`,
        anonymous_id: `cap-${c}-${n}-${i}`,
        url: `https://shop.test/p/${i}`,
        title: "A product page of a typical length for a shop",
        referrer: "https://www.google.com/",
        viewport: "1440x900",
        language: "en-GB",
      }));
      const r = await fetch(`${pipeline.collectorUrl}/v1/batch`, {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body: JSON.stringify({ site: "capacity", sent_at: now, events }),
      });
      await r.body?.cancel();
      if (r.status === 202) acked += batch;
      else failed++;
    }
  }));
  const sendSeconds = (performance.now() - started) / 1000;
  const afterSend = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  await pollUntil(
    () => pipeline.rows<{ n: string }>("SELECT count() AS n FROM events WHERE site = 'capacity'"),
    (rows) => Number(rows[0]?.n) >= acked,
    { what: "ClickHouse caught up", deadlineMs: 300_000, intervalMs: 1000 },
  );
  const after = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const perCore = (cpu: number) => Math.round(acked / cpu);
  const result = {
    events: acked,
    failed_requests: failed,
    batch,
    clients,
    wall_s: Number(sendSeconds.toFixed(1)),
    wall_events_per_s: Math.round(acked / sendSeconds),
    cpu_s: Object.fromEntries(Object.keys(pids).map((k) => [k, Number((after[k] - before[k]).toFixed(1))])),
    events_per_cpu_s: {
      collector: perCore(afterSend.collector - before.collector),
      kafka: perCore(after.kafka - before.kafka),
      clickhouse_ingest: perCore(after.clickhouse - before.clickhouse),
    },
    machine: { cores: navigator.hardwareConcurrency, load: Deno.loadavg() },
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await pipeline.stop();
}
