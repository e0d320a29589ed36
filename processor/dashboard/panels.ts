// One dashboard refresh: every panel's query over the same [from, to) window, run together, and
// the broker's offsets and the alert list beside them. The browser gets one JSON document per
// refresh, so all numbers on screen belong to the same moment (`to`).
import type { OffsetSource } from "../kafka_offsets.ts";
import { chDateTime, type PanelQuery, type QueryFiles, type RunSql } from "./queries.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const RANGES = {
  "15m": 15 * MINUTE,
  "1h": 60 * MINUTE,
  "24h": DAY,
  "7d": 7 * DAY,
  "30d": 30 * DAY,
} as const;
export type RangeName = keyof typeof RANGES;

export function isRange(value: string | undefined): value is RangeName {
  return value !== undefined && Object.hasOwn(RANGES, value);
}

/** The charts' step in seconds: minutes up to a day, hours beyond (the panel queries switch alike). */
export function stepOf(range: RangeName): number {
  return RANGES[range] > DAY ? 3600 : 60;
}

export type PanelSources = {
  run: RunSql;
  queries: QueryFiles;
  kafka?: OffsetSource;
  /** Active alerts and recent transitions, from the alert service. */
  alerts?: () => unknown;
  clock?: () => number;
};

export type PanelRequest = { site?: string; range: RangeName };

/** A panel's query failed: which panel, and the engine's error (a timeout on a large site, say). */
export class PanelError extends Error {
  constructor(readonly panel: string, override readonly cause: unknown) {
    super(`The ${panel} panel's query failed: ${(cause as Error).message?.split("\n")[0] ?? cause}`);
  }
}

export async function loadPanels(sources: PanelSources, request: PanelRequest) {
  const now = (sources.clock ?? Date.now)();
  const to = Math.floor(now / 1000) * 1000;
  const from = to - RANGES[request.range];
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } catch (error) {
      throw new PanelError(name, error);
    } finally {
      timings[name] = Math.round(performance.now() - started);
    }
  };

  const sites = await timed(
    "sites",
    () => sources.run<{ site: string; events: string }>(sources.queries.sites, {}),
  );
  const site = request.site || sites[0]?.site || "demo";
  const params = { site, from: chDateTime(from), to: chDateTime(to) };
  const run = (name: PanelQuery) => timed(name, () => sources.run(sources.queries[name], params));

  const [
    funnel,
    revenueSliding,
    revenueTotals,
    anomalies,
    kpis,
    topProducts,
    throughput,
    ingestNow,
    consumers,
    kafka,
  ] = await Promise.all([
    run("funnel"),
    run("revenue_sliding"),
    run("revenue_totals"),
    run("revenue_anomalies"),
    run("kpis"),
    run("top_products"),
    run("throughput"),
    run("ingest_now"),
    run("kafka_consumers"),
    sources.kafka ? timed("kafka_offsets", () => sources.kafka!.snapshot()) : Promise.resolve(undefined),
  ]);

  return {
    site,
    sites: sites.map((s) => s.site),
    range: request.range,
    /** The charts' step in seconds. */
    step: stepOf(request.range),
    /** The window every query used, as the SQL parameters and as Unix ms. */
    params,
    from,
    to,
    timings,
    kpis: kpis[0] ?? {},
    funnel,
    revenueSliding,
    revenueTotals,
    anomalies,
    topProducts,
    throughput,
    ingestNow: ingestNow[0] ?? {},
    consumers,
    kafka,
    alerts: sources.alerts?.(),
  };
}

export type Panels = Awaited<ReturnType<typeof loadPanels>>;
