// The bench's throughput rows: the ceiling (wrk against a bare Deno.serve handler), then the
// collector parse-only and publishing, 1- and 20-event batches, each at its maximum (wrk) and at half
// that rate for latency (oha, fixed rate), with the CPU of every process during each run so a row says
// which one was the bottleneck, and the collector's peak RSS.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { collectorConfig } from "../../collector/config.ts";
import { brokerPid } from "../../kafka/broker.ts";
import { freePort, readPid, spawnDeno, stopPid, waitForHttp } from "../../lib/process.ts";
import { cpuDuring, type CpuReport } from "./cpu.ts";
import { ensureOha, type OhaResult, runOha } from "./oha.ts";
import { peakRssDuring } from "./rss.ts";
import { ensureWrk, runWrk, type WrkResult } from "./wrk.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

type Row = { measure: string; value: string; target?: string; ok?: boolean };

/** wrk's settings for every maximum-rate run: the issue's, one thread (one core) × 64 connections. */
export const WRK = { threads: 1, connections: 64 };

/**
 * Connections for the publish rows, wrk's and oha's. A 202 waits for Kafka's `acks=all` (~10 ms after the
 * linger), so 64 connections cap a closed loop at ~6k req/s whatever the collector does (2026-12-07: 1-event
 * publishes at 4.4k req/s with 64 connections and the collector's main thread at 0.3 of a core, 13.6k at 512
 * with it at 0.83). Browsers are many clients; so is this.
 */
export const PUBLISH_CONNECTIONS = 512;

export function batchBody(events: number): string {
  const now = Date.now();
  return JSON.stringify({
    site: "bench",
    sent_at: now,
    events: Array.from({ length: events }, (_, i) => ({
      event_id: crypto.randomUUID(),
      type: i % 5 === 4 ? "add_to_cart" : "page_view",
      ts: now,
      session_id: `bench-${i}`,
      anonymous_id: `bench-${i}`,
      url: "https://shop.example/products/p-1",
      ...(i % 5 === 4 ? { product_id: "p-1", price: 19.99, quantity: 1, currency: "EUR" } : {}),
    })),
  });
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function ensureGenerators(): Promise<void> {
  await ensureWrk();
  await ensureOha();
}

/**
 * Who was at a whole core (≥ 0.9): a thread of the system under test (its JavaScript runs on one thread
 * per request worker), or the generator's threads.
 * When neither was but the cores were (≥ 90 % busy), the machine was: the processes shared them with
 * each other and with whatever else ran (then CPU per request is the figure that holds).
 */
function saturated(cpu: CpuReport, sut: string, generatorThreads: number): string[] {
  const out: string[] = [];
  if ((cpu.processes[sut]?.busiest[0] ?? 0) >= 0.9) out.push(sut);
  if ((cpu.processes.wrk?.cores ?? 0) >= 0.9 * generatorThreads) out.push("wrk");
  if (out.length === 0 && cpu.machine.busy >= 0.9 * cpu.machine.cores) {
    out.push("the machine (its cores busy)");
  }
  return out;
}

/**
 * The CPU of each process; for the system under test also its CPU per request, which holds better
 * than req/s when other work shares the cores.
 */
function cpuText(cpu: CpuReport, sut: string, rps: number): string {
  const parts = Object.entries(cpu.processes).map(([name, use]) =>
    name === sut
      ? `${name} ${fmt(use.cores, 2)} (busiest threads ${use.busiest.map((t) => fmt(t, 2)).join(", ")}; ${
        fmt(use.cores / rps * 1e6)
      } µs of CPU per request)`
      : `${name} ${fmt(use.cores, 2)}`
  );
  return `CPU cores: ${parts.join(", ")}, other processes ${fmt(cpu.machine.rest, 2)} (machine ${
    fmt(cpu.machine.busy, 2)
  } of ${cpu.machine.cores})`;
}

type MaxRun = { wrk: WrkResult; cpu: CpuReport; saturated: string[] };

async function atMaximum(
  { url, body, seconds, sut, pids, connections = WRK.connections }: {
    url: string;
    body: string;
    seconds: number;
    sut: string;
    pids: Record<string, number | undefined>;
    connections?: number;
  },
): Promise<MaxRun> {
  const settings = { ...WRK, connections };
  await runWrk({ url, body, durationS: 2, ...settings }); // warm-up: connections, JIT
  const run: { pid?: number } = {};
  const { result, cpu } = await cpuDuring(
    () => ({ ...pids, wrk: run.pid }),
    () => runWrk({ url, body, durationS: seconds, ...settings, run }),
  );
  return { wrk: result, cpu, saturated: saturated(cpu, sut, WRK.threads) };
}

/** The ceiling and the collector rows; the pipeline is running with `COLLECTOR_PARSE_ONLY`. */
export async function measureThroughput(
  { collectorUrl, dataRoot, seconds, log = console.error }: {
    collectorUrl: string;
    dataRoot: string;
    seconds: number;
    log?: (line: string) => void;
  },
): Promise<{ rows: Row[]; results: Record<string, unknown> }> {
  const rows: Row[] = [];
  const results: Record<string, unknown> = {
    generator: { wrk: WRK, publishConnections: PUBLISH_CONNECTIONS, fixedRate: "oha, same connections" },
  };
  const run = join(dataRoot, "run");
  const bodies = { 1: batchBody(1), 20: batchBody(20) } as Record<number, string>;

  // 1. The ceiling: wrk against a handler that only reads the body, same bodies.
  const barePort = await freePort();
  const bare = await spawnDeno({
    name: "bare",
    script: join(root, "loadtest/bench/bare_server.ts"),
    dir: run,
    env: { ...Deno.env.toObject(), BARE_PORT: String(barePort) },
  });
  await waitForHttp(`http://127.0.0.1:${barePort}/`, { deadlineMs: 20_000, service: bare });
  const ceiling: Record<number, MaxRun> = {};
  try {
    for (const size of [1, 20]) {
      log(`» the ceiling: wrk → bare Deno.serve, ${size}-event body`);
      ceiling[size] = await atMaximum({
        url: `http://127.0.0.1:${barePort}/`,
        body: bodies[size],
        seconds,
        sut: "bare",
        pids: { bare: bare.pid },
      });
      const c = ceiling[size];
      rows.push({
        measure:
          `the ceiling: wrk ${WRK.threads} thread × ${WRK.connections} connections → bare Deno.serve, ` +
          `${size}-event body`,
        value: `${fmt(c.wrk.rps)} req/s (${fmt(c.wrk.errors)} errors); saturated: ${
          c.saturated.join(", ") || "neither"
        }; ${cpuText(c.cpu, "bare", c.wrk.rps)}`,
        target: size === 1 ? "≥ 100,000 req/s" : undefined,
        ok: size === 1 ? c.wrk.rps >= 100_000 : undefined,
      });
      log(`  ${rows.at(-1)!.value}`);
    }
  } finally {
    await stopPid(join(run, "bare.pid"));
  }
  results.ceiling = ceiling;

  // 2. The collector: every stage but the publish, then with the publish (acks=all).
  const collectorPid = readPid(join(run, "collector.pid"))!;
  const pids = {
    collector: collectorPid,
    broker: brokerPid(join(dataRoot, "kafka")),
    processor: readPid(join(run, "processor.pid")),
  };
  const measured: Record<string, { max: MaxRun; half: { oha: OhaResult; cpu: CpuReport } }> = {};
  let peakRss = 0;
  for (const name of ["parse-only", "publish"] as const) {
    const url = `${collectorUrl}/v1/batch${name === "parse-only" ? "/parse-only" : ""}`;
    const connections = name === "publish" ? PUBLISH_CONNECTIONS : WRK.connections;
    for (const size of [1, 20]) {
      log(`» collector ${name}, ${size}-event batches, ${connections} connections`);
      const { result: max, peakMb } = await peakRssDuring(
        collectorPid,
        () => atMaximum({ url, body: bodies[size], seconds, sut: "collector", pids, connections }),
      );
      peakRss = Math.max(peakRss, peakMb);
      const rate = Math.max(1, Math.floor(max.wrk.rps / 2));
      const half = await cpuDuring(
        () => pids,
        () => runOha({ url, body: bodies[size], durationS: seconds, rate, connections }),
      );
      measured[`${name}-${size}`] = { max, half: { oha: half.result, cpu: half.cpu } };
      const ratio = max.wrk.rps / ceiling[size].wrk.rps;
      const eps = max.wrk.rps * size;
      const [target, ok] = name === "parse-only"
        ? size === 1 ? ["≥ 0.5 × ceiling", ratio >= 0.5] : ["≥ 250,000 events/s", eps >= 250_000]
        : size === 1
        ? ["≥ 20,000 req/s", max.wrk.rps >= 20_000]
        : ["≥ 100,000 events/s, p99 ≤ 50 ms at half", eps >= 100_000 && half.result.p99 <= 50];
      const generatorBound = max.saturated.includes("wrk");
      rows.push({
        measure:
          `collector ${name}, ${size}-event batches, ${connections} connections, at maximum and at half that rate${
            generatorBound ? " ⚠ generator saturated" : ""
          }`,
        value:
          `wrk: ${fmt(max.wrk.rps)} req/s = ${fmt(eps)} events/s, ${fmt(ratio, 2)} × ceiling (${
            fmt(max.wrk.errors)
          } errors); saturated: ${max.saturated.join(", ") || "neither"}; ${
            cpuText(max.cpu, "collector", max.wrk.rps)
          }; ` +
          `at ${fmt(rate)} req/s (oha): ${fmt(half.result.rps)} req/s, p50 ${
            fmt(half.result.p50, 1)
          } ms, p99 ${fmt(half.result.p99, 1)} ms (${fmt(half.result.errors)} errors; collector ${
            fmt(half.cpu.processes.collector?.cores ?? 0, 2)
          } cores)`,
        target,
        ok,
      });
      log(`  ${rows.at(-1)!.value}`);
    }
  }
  results.collector = measured;
  results.collectorPeakRssMb = peakRss;
  // The pipeline's collector has the bench's own environment (COLLECTOR_WORKERS, else one per core).
  const workers = collectorConfig().workers;
  results.collectorWorkers = workers;
  rows.push({
    measure: "collector RSS at maximum load (wrk)",
    value: `${fmt(peakRss)} MB, ${workers} request worker${workers === 1 ? "" : "s"}: ${
      fmt(peakRss / workers)
    } MB each`,
    target: "≤ 150 MB per worker",
    ok: peakRss / workers <= 150,
  });
  return { rows, results };
}
