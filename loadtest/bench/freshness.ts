// Click-to-chart freshness: while background traffic flows, send single probe events and time
// from the collector's acknowledgement to the row being counted in funnel_1m, with the stage it
// passes on the way (parsed into `events`: the block was read from Kafka and entered the views).
//
// The probe's own reads must not load the engine they time: a read of funnel_1m cost 7 ms of CPU
// with funnel_minutes merged and 33 ms at 400 parts (uniqExactMerge of every part's states), so
// polled every 10 ms from the ack it took an estimated 0.3-0.6 of a core on the machine's two, which
// the views it waited for needed (loadtest/RESULTS.md, "Freshness", 2026-12-08). So each probe
// first waits for its row in `events` (a primary-key lookup, 2-3 ms), then polls funnel_1m; a
// dashboard reads funnel_1m once per refresh, not 40 times a second.
import { join } from "node:path";
import type { SqlEndpoint } from "../../lib/sql_client.ts";
import { sqlRows } from "../../lib/sql_client.ts";
import { readPid } from "../../lib/process.ts";
import { brokerPid } from "../../kafka/broker.ts";
import { simulate } from "../simulate.ts";
import { cpuDuring, type CpuReport } from "./cpu.ts";

/** One probe: ms from the ack to its row in `events`, and to its count in funnel_1m (the deadline if later). */
export type Probe = { toEventsMs: number; toFunnelMs: number };

export async function measureFreshness(
  { collectorUrl, sql, probes = 40, site = "fresh", gapMs = 200, deadlineMs = 10_000, pollMs = 10 }: {
    collectorUrl: string;
    sql: SqlEndpoint;
    probes?: number;
    site?: string;
    gapMs?: number;
    deadlineMs?: number;
    pollMs?: number;
  },
): Promise<Probe[]> {
  const measured: Probe[] = [];
  for (let i = 1; i <= probes; i++) {
    const now = Date.now();
    const eventId = crypto.randomUUID();
    const response = await fetch(`${collectorUrl}/v1/batch`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({
        site,
        sent_at: now,
        events: [{
          event_id: eventId,
          type: "page_view",
          ts: now,
          session_id: `probe-${i}`,
          anonymous_id: `probe-${now}-${i}`,
          url: "https://shop.example/",
        }],
      }),
    });
    await response.body?.cancel();
    if (response.status !== 202) throw new Error(`probe ${i} was not accepted: HTTP ${response.status}`);
    const acked = performance.now();
    // Past the deadline a probe counts as the deadline and the next one follows: one stuck probe
    // on a loaded machine must not lose the whole bench's table.
    const until = async (query: string, enough: number) => {
      while (performance.now() - acked < deadlineMs) {
        const [row] = await sqlRows<{ n: string }>(sql, query);
        if (Number(row?.n ?? 0) >= enough) return performance.now() - acked;
        await new Promise((r) => setTimeout(r, pollMs));
      }
      return deadlineMs;
    };
    const toEventsMs = await until(
      `SELECT count() AS n FROM events WHERE site = '${site}' AND type = 'page_view' AND event_id = '${eventId}'`,
      1,
    );
    // Probe i is counted once funnel_1m holds i viewers: a late probe before it is counted too.
    const toFunnelMs = await until(`SELECT sum(viewers) AS n FROM funnel_1m WHERE site = '${site}'`, i);
    measured.push({ toEventsMs, toFunnelMs });
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return measured;
}

export type FreshnessStep = {
  probes: Probe[];
  /** A probe not in funnel_1m by then counts as this. */
  deadlineMs: number;
  backgroundEps: number;
  /** Processor, collector and broker while the probes ran (the simulator runs in the bench's process). */
  cpu: CpuReport;
};

/**
 * The bench's freshness step: `eps` events/s of a simulated shop through the collector, and
 * `probes` probes once the load has reached its rate.
 */
export async function freshnessUnderLoad(
  { collectorUrl, sql, dataRoot, eps = 5000, probes = 100, deadlineMs = 10_000 }: {
    collectorUrl: string;
    sql: SqlEndpoint;
    dataRoot: string;
    eps?: number;
    probes?: number;
    deadlineMs?: number;
  },
): Promise<FreshnessStep> {
  const stopTraffic = new AbortController();
  const traffic = simulate({
    collector: collectorUrl,
    site: "load",
    eps,
    durationMs: 300_000,
    seed: 5,
    signal: stopTraffic.signal,
  });
  await new Promise((r) => setTimeout(r, 3000)); // let the load reach its rate before probing
  const run = join(dataRoot, "run");
  const pids = {
    processor: readPid(join(run, "processor.pid")),
    collector: readPid(join(run, "collector.pid")),
    broker: brokerPid(join(dataRoot, "kafka")),
  };
  let measured: Omit<FreshnessStep, "backgroundEps" | "deadlineMs">;
  try {
    // 100 probes (~40 s): with 40, p95 was the 38th and three slow probes decided it.
    const { result, cpu } = await cpuDuring(
      () => pids,
      () => measureFreshness({ collectorUrl, sql, probes }),
    );
    measured = { probes: result, cpu };
  } finally {
    stopTraffic.abort();
  }
  return { ...measured, deadlineMs, backgroundEps: (await traffic).meanEps };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
