// `deno task bench`: every speed and size figure of the product, measured in one run on this
// machine with the load generator on the same box, printed as a Markdown table and written as
// JSON. Targets are reported beside the figures, never asserted.
//
//   deno task bench                 # BENCH_BACKLOG=10000000 events for catch-up and dashboard queries
//   deno task bench throughput      # only the ceiling and the collector rows (wrk, oha), ~2 minutes
//   deno task bench freshness       # only click-to-chart freshness at 5k events/s, ~1-2 minutes
//   deno task bench dashboard       # only the read path: a backlog over BENCH_BACKLOG_DAYS (30) days,
//                                   # refreshes idle and under 5k events/s, storage per event
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build as buildSdk } from "../sdk/build.ts";
import { sqlText } from "../lib/sql_client.ts";
import { startPipeline, stopPipeline } from "../stack/pipeline.ts";
import { freePort, stopPid } from "../lib/process.ts";
import { envInt, processEnv } from "../lib/env.ts";
import { topicsFromEnv } from "../contract/mod.ts";
import { simulate } from "./simulate.ts";
import { produceBacklog } from "./bench/backlog.ts";
import { measureRefreshes, measureStorage } from "./bench/dashboard.ts";
import { freshnessUnderLoad, percentile } from "./bench/freshness.ts";
import { ensureGenerators, measureThroughput } from "./bench/throughput.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const backlogEvents = envInt(processEnv, "BENCH_BACKLOG", 10_000_000, { min: 1_000_000 });
const seconds = envInt(processEnv, "BENCH_SECONDS", 10, { min: 2, max: 600 });
const mode = Deno.args[0] as "throughput" | "dashboard" | "freshness" | undefined;
// A catch-up is of recent events (one day); the dashboard's 7- and 30-day rows want a month.
const backlogDays = envInt(processEnv, "BENCH_BACKLOG_DAYS", mode === "dashboard" ? 30 : 1, {
  min: 1,
  max: 30,
});

type Row = { measure: string; value: string; target?: string; ok?: boolean };
const rows: Row[] = [];
const results: Record<string, unknown> = {
  machine: { cores: navigator.hardwareConcurrency, deno: Deno.version.deno },
};

function record(key: string, value: unknown, row?: Row) {
  results[key] = value;
  if (row) {
    rows.push(row);
    console.error(`  ${row.measure}: ${row.value}${row.target ? `  (target ${row.target})` : ""}`);
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main() {
  console.error("» load generators: wrk (Debian's package), oha (built once into .cache/oha)");
  await ensureGenerators();
  const dataRoot = await Deno.makeTempDir({ prefix: "shoptrail-bench-" });
  const ports = {
    kafkaPort: await freePort(),
    // Its own free port, not kafkaPort + 1: consecutive free ports are often adjacent, and one run's
    // broker failed to start on a taken port + 1.
    kafkaControllerPort: await freePort(),
    processorPort: await freePort(),
    collectorPort: await freePort(),
  };
  // No sites file: the collector runs open, without the rate limits that protect a real shop; the
  // parse-only route splits collector cost from Kafka cost.
  const env = { COLLECTOR_PARSE_ONLY: "true" };
  console.error(`» pipeline under ${dataRoot}`);
  // An interrupted run must not leave its broker, processor and collector on the cores: the next
  // run would measure against them (2026-12-03: a bare handler at 3k req/s instead of 15k).
  const cleanUp = async () => {
    await stopPid(join(dataRoot, "run", "bare.pid"));
    await stopPipeline(dataRoot);
    await Deno.remove(dataRoot, { recursive: true }).catch(() => {});
  };
  const interrupted = async () => {
    console.error("» interrupted: stopping the pipeline");
    await cleanUp();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", interrupted);
  Deno.addSignalListener("SIGTERM", interrupted);
  const pipeline = await startPipeline({ dataRoot, ...ports, env });
  try {
    if (mode === "freshness") return await freshnessRows(pipeline, dataRoot);
    if (mode !== "dashboard") await collectorRows(pipeline, dataRoot);
    if (mode === "throughput") return;
    await readPathRows(pipeline, { dataRoot, ports, env });
  } finally {
    await cleanUp();
  }
  if (mode === "dashboard" || mode === "freshness") return;

  // 6. SDK size, from a fresh build.
  const sdk = await buildSdk();
  record("sdkBytes", sdk, {
    measure: "SDK (sdk/dist/shoptrail.js)",
    value: `${fmt(sdk.raw)} B raw, ${fmt(sdk.gzip)} B gzip, ${fmt(sdk.brotli)} B brotli`,
    target: "≤ 3,072 B gzip",
    ok: sdk.gzip <= 3072,
  });
}

type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

async function collectorRows(pipeline: Pipeline, dataRoot: string) {
  // 1-2. The ceiling (wrk → a bare handler), the collector parse-only and publishing: at maximum
  // (wrk), at half that rate (oha), with which process was saturated (loadtest/bench/throughput.ts).
  const throughput = await measureThroughput({ collectorUrl: pipeline.collectorUrl, dataRoot, seconds });
  rows.push(...throughput.rows);
  record("throughput", throughput.results);
  if (mode === "throughput") return;
  await freshnessRows(pipeline, dataRoot);
}

/** 3. Freshness at a steady 5k events/s through the collector. */
async function freshnessRows(pipeline: Pipeline, dataRoot: string) {
  console.error("» freshness at 5,000 events/s");
  const step = await freshnessUnderLoad({ collectorUrl: pipeline.collectorUrl, sql: pipeline.sql, dataRoot });
  // What the collector made of that traffic: a request's sessions, and the requests of one
  // linger, joined per partition (collector/join_messages.ts). Catch-up speed follows it (step 4).
  const [messages, events] = (await sqlText(
    pipeline.sql,
    "SELECT uniqExact(_partition, _offset), count() FROM events WHERE site = 'load'",
    "TabSeparated",
  )).trim().split("\t").map(Number);
  record("loadEventsPerMessage", events / messages, {
    measure: "Kafka messages of that traffic (the collector joins them per partition)",
    value: `${fmt(events / messages, 1)} events per message (${fmt(events)} events in ${
      fmt(messages)
    } messages)`,
  });
  const ps = (key: keyof typeof step.probes[number]) =>
    [50, 95, 99].map((p) => percentile(step.probes.map((probe) => probe[key]), p));
  const [p50, p95, p99] = ps("toFunnelMs");
  const [e50, e95, e99] = ps("toEventsMs");
  const processor = step.cpu.processes.processor?.cores ?? 0;
  const late = step.probes.filter((probe) => probe.toFunnelMs >= step.deadlineMs).length;
  record("freshnessMs", {
    p50,
    p95,
    p99,
    toEvents: { p50: e50, p95: e95, p99: e99 },
    probes: step.probes.length,
    late,
    backgroundEps: step.backgroundEps,
    cpu: step.cpu,
  }, {
    measure: `freshness, ack → row in funnel_1m (background ${fmt(step.backgroundEps)} events/s)`,
    value: `p50 ${fmt(p50)} ms, p95 ${fmt(p95)} ms, p99 ${fmt(p99)} ms${
      late ? ` (${late} of ${step.probes.length} probes not seen in ${fmt(step.deadlineMs)} ms)` : ""
    }; ack → row in events p50 ${fmt(e50)}, p95 ${fmt(e95)}, p99 ${fmt(e99)} ms; processor ${
      fmt(processor, 2)
    } cores (${fmt(processor / step.backgroundEps * 1e6, 1)} µs of CPU per event), collector ${
      fmt(step.cpu.processes.collector?.cores ?? 0, 2)
    }, broker ${fmt(step.cpu.processes.broker?.cores ?? 0, 2)}, machine ${
      fmt(step.cpu.machine.busy, 2)
    } of ${step.cpu.machine.cores}`,
    target: "p95 ≤ 1,000 ms, p99 ≤ 2,000 ms",
    ok: p95 <= 1000 && p99 <= 2000,
  });
}

/** 4-5. Catch-up of a backlog, then the dashboard's refreshes over it and the storage per event. */
async function readPathRows(
  pipeline: Pipeline,
  { dataRoot, ports, env }: {
    dataRoot: string;
    ports: { kafkaPort: number; kafkaControllerPort: number; processorPort: number; collectorPort: number };
    env: Record<string, string>;
  },
) {
  {
    // 4. Catch-up: a backlog written while ClickHouse is stopped, then consumed from a cold start.
    // The collector joins a linger's events per partition (the events-per-message row of step 3
    // shows what traffic gives): 1 per message is the floor, a lone beacon in a quiet linger; 20 is
    // one full SDK batch. The big backlog stays for the dashboard queries.
    let count = Number((await sqlText(pipeline.sql, "SELECT count() FROM events", "TabSeparated")).trim());
    const catchUp: Record<string, unknown> = {};
    const backlogs: [number, number][] = mode === "dashboard"
      ? [[backlogEvents, 20]]
      : [[1_000_000, 1], [backlogEvents, 20]];
    for (const [events, perMessage] of backlogs) {
      console.error(
        `» catch-up over ${fmt(events)} events over ${backlogDays} day(s), ${perMessage} per Kafka message`,
      );
      await stopPid(join(dataRoot, "run", "processor.pid"));
      const produced = await produceBacklog({
        bootstrap: pipeline.kafkaBootstrap,
        topic: topicsFromEnv((n) => pipeline.env[n]).events.name,
        events,
        perMessage,
        days: backlogDays,
        onProgress: (n) => n % 1_000_000 === 0 && console.error(`  produced ${fmt(n)}`),
      });
      const restarted = performance.now();
      await startPipeline({ dataRoot, ...ports, env });
      const ready = performance.now();
      const before = count;
      const target = count + events;
      // From the first rows on, the rate no longer holds the consumer group's join (a restarted
      // processor waits for the broker to drop its old members): the sustained rate. The rows seen
      // first were read before that moment, so they do not count.
      let firstRow = 0;
      let firstCount = before;
      while (count < target) {
        await new Promise((r) => setTimeout(r, 250));
        count = Number((await sqlText(pipeline.sql, "SELECT count() FROM events", "TabSeparated")).trim());
        if (!firstRow && count > before) [firstRow, firstCount] = [performance.now(), count];
      }
      const done = performance.now();
      const seconds = (done - ready) / 1000;
      const rate = events / seconds;
      const sustained = (count - firstCount) / ((done - firstRow) / 1000);
      const toFirstRowS = (firstRow - ready) / 1000;
      catchUp[`${perMessage}PerMessage`] = {
        events,
        produceEventsPerSecond: events / produced.seconds,
        startSeconds: (ready - restarted) / 1000,
        secondsFromReady: seconds,
        secondsToFirstRow: toFirstRowS,
        eventsPerSecond: rate,
        eventsPerSecondFromFirstRow: sustained,
      };
      rows.push({
        measure: `Kafka → ClickHouse catch-up, ${
          fmt(events)
        } events over ${backlogDays} day(s), ${perMessage} per message`,
        value: `${fmt(rate)} events/s (${fmt(seconds, 1)} s after the processor was ready; ${
          fmt(sustained)
        } events/s from the first row, ${fmt(toFirstRowS, 1)} s after ready)`,
        target: "≥ 200,000 events/s",
        ok: rate >= 200_000,
      });
      console.error(`  ${rows.at(-1)!.value}`);
    }
    record("catchUp", catchUp);

    // The refreshable view counts each hour's funnel once the catch-up is done: until then a long
    // range merges the states of every hour not yet counted. The rows measure the steady state.
    await untilHoursCounted(pipeline);

    // 5. The dashboard's panel request (all its queries, as the page refreshes) over the backlog's
    // site, per range: idle, then while the pipeline ingests 5k events/s of another site. Targets
    // of issue 27: idle p95 ≤ 50 ms over 10M events (≤ 200 ms over 100M), ≤ 100 ms under load.
    const idleTarget = count > 50_000_000 ? 200 : 50;
    console.error("» dashboard refreshes, idle");
    const idle = await measureRefreshes({
      sql: pipeline.sql,
      site: "bench",
      label: "idle",
      targetMs: idleTarget,
    });
    rows.push(...idle.rows);
    console.error("» dashboard refreshes while 5,000 events/s are ingested");
    const stopTraffic = new AbortController();
    const traffic = simulate({
      collector: pipeline.collectorUrl,
      site: "load",
      eps: 5000,
      durationMs: 600_000,
      seed: 6,
      signal: stopTraffic.signal,
    });
    await new Promise((r) => setTimeout(r, 3000)); // let the load reach its rate before measuring
    const loaded = await measureRefreshes({
      sql: pipeline.sql,
      site: "bench",
      label: "while 5k events/s are ingested",
      // Issue 27 sets this target over 10M events; over 100M it sets only the idle one.
      targetMs: count > 50_000_000 ? undefined : 100,
    });
    stopTraffic.abort();
    const load = await traffic;
    rows.push(...loaded.rows);
    record("dashboard", {
      idle: idle.results,
      underLoad: { ...loaded.results, backgroundEps: load.meanEps },
    });

    // Storage per event of the backlog: raw deliveries, the gates, each aggregate family.
    const storage = await measureStorage({ sql: pipeline.sql });
    record("storage", storage.results, storage.row);
  }
}

/** Waits (up to 2 minutes) until funnel_hour_counts holds a current count of every hour. */
async function untilHoursCounted(pipeline: Pipeline) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const stale = Number((await sqlText(
      pipeline.sql,
      `SELECT count() FROM (SELECT site, hour, sum(inserts) AS version FROM traffic_hours GROUP BY site, hour) AS n
       LEFT JOIN (SELECT site, hour, max(version) AS counted FROM funnel_hour_counts GROUP BY site, hour) AS c
       USING (site, hour) WHERE c.counted != n.version`,
      "TabSeparated",
    )).trim());
    if (stale === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.error("  (some hours still uncounted after 2 minutes: long ranges merge their states)");
}

/** The table on stdout, everything measured as JSON under .data/bench/. */
async function report() {
  const table = [
    "| measure | value | target |",
    "| --- | --- | --- |",
    ...rows.map((r) =>
      `| ${r.measure} | ${r.value} | ${r.target ? `${r.target} ${r.ok ? "✅" : "❌"}` : ""} |`
    ),
  ].join("\n");
  console.log(table);
  const out = join(root, ".data", "bench", `bench-${new Date().toISOString().replaceAll(":", "-")}.json`);
  await Deno.mkdir(join(root, ".data", "bench"), { recursive: true });
  await Deno.writeTextFile(out, JSON.stringify({ at: new Date().toISOString(), ...results, table }, null, 2));
  console.error(`\nwritten: ${out}`);
}

await main();
await report();
