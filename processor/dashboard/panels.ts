// One dashboard refresh: every panel's query over the same [from, to) window, run together, and
// the broker's offsets and the alert list beside them. The browser gets one JSON document per
// refresh, so all numbers on screen belong to the same moment (`to`). The KPIs run a second time
// over the previous period of the same length, for their change. With a filter, the panels whose
// aggregate tables hold no dimension run their `filtered_*` file instead (the same columns, from the
// filtered visits' counted events); the breakdowns and the funnel steps take the filter themselves;
// top products, the anomalies and the pipeline's panels stay the site's (the page says so).
import type { OffsetSource } from "../kafka_offsets.ts";
import { localHours } from "../site_zones.ts";
import { chDateTime, type PanelQuery, type Params, type QueryFiles, type RunSql } from "./queries.ts";
import type { SiteLookups } from "./site_lookups.ts";
import { type Filter, previousOf, type Window } from "./window.ts";

export { isRange, type RangeName, RANGES, stepOf } from "./window.ts";

export type PanelSources = {
  /** Runs a panel's file; the panels' reads are started together (the embedded engine runs two at once). */
  run: RunSql;
  queries: QueryFiles;
  /** The site picker's list and the site's time zone. */
  sites: SiteLookups;
  kafka?: OffsetSource;
  /** Active alerts and recent transitions, from the alert service. */
  alerts?: () => unknown;
};

export type PanelRequest = {
  site?: string;
  /** The window in the site's time zone (IANA), once the site is known. */
  window: (timeZone: string) => Window;
  filter?: Filter;
  /**
   * "each": every panel's read alone, one after the other, so `timings` holds each panel's own time
   * (the bench's per-panel rows); otherwise all together as the page asks, `timings.panels` their time.
   */
  timing?: "together" | "each";
};

/** A panel's query failed: which panel, and the engine's error (a timeout on a large site, say). */
export class PanelError extends Error {
  constructor(readonly panel: string, override readonly cause: unknown) {
    super(`The ${panel} panel's query failed: ${(cause as Error).message?.split("\n")[0] ?? cause}`);
  }
}

/** The panels a filter changes, and the file each then runs (the others read no site data, or filter). */
const FILTERED: Partial<Record<PanelQuery, PanelQuery>> = {
  kpis: "filtered_kpis",
  funnel: "filtered_funnel",
  revenue_totals: "filtered_revenue_totals",
  revenue_sliding: "filtered_revenue_sliding",
  top_pages: "filtered_top_pages",
  sources: "filtered_sources",
  devices: "filtered_devices",
  countries: "filtered_countries",
  funnel_steps: "filtered_funnel_steps",
};

/** The SQL file a panel runs under this request: its own, or its filtered form. */
export function panelFile(name: PanelQuery, filter: Filter | undefined): PanelQuery {
  return (filter && FILTERED[name]) || name;
}

/**
 * The tables and columns of each grain, for the files' `{…:Identifier}` parameters: a file reads only
 * its range's grain instead of planning a read of every grain (a read whose condition is false costs
 * ~2 ms of CPU to plan all the same, loadtest/RESULTS.md). Fixed names, picked by the range's length
 * as the files' own `to - from > 86400` picks, never taken from the request.
 */
export const GRAINS = {
  minute: { grain: "minute", revenue_table: "revenue_minutes" },
  hour: { grain: "hour", revenue_table: "revenue_hours" },
} as const;

export function panelParams(
  site: string,
  window: Window,
  filter: Filter | undefined,
): Record<string, string> {
  const from = chDateTime(window.from);
  const to = chDateTime(window.to);
  const seconds = (Date.parse(`${to}Z`) - Date.parse(`${from}Z`)) / 1000;
  return {
    site,
    from,
    to,
    filter_dim: filter?.dimension ?? "",
    filter_value: filter?.value ?? "",
    ...GRAINS[seconds > 86400 ? "hour" : "minute"],
  };
}

/**
 * The panels of a refresh: the name each has in `timings` and `files`, its file (or that file's filtered
 * form), and whether it reads the previous period of the same length instead of the window.
 */
const PANELS: readonly { label: string; file: PanelQuery; previous?: true }[] = [
  { label: "funnel", file: "funnel" },
  { label: "funnel_steps", file: "funnel_steps" },
  { label: "revenue_sliding", file: "revenue_sliding" },
  { label: "revenue_totals", file: "revenue_totals" },
  { label: "revenue_anomalies", file: "revenue_anomalies" },
  { label: "kpis", file: "kpis" },
  { label: "previous_kpis", file: "kpis", previous: true },
  { label: "previous_revenue_totals", file: "revenue_totals", previous: true },
  { label: "top_products", file: "top_products" },
  { label: "top_pages", file: "top_pages" },
  { label: "sources", file: "sources" },
  { label: "devices", file: "devices" },
  { label: "countries", file: "countries" },
  { label: "throughput", file: "throughput" },
  { label: "ingest_now", file: "ingest_now" },
  { label: "kafka_consumers", file: "kafka_consumers" },
];

export async function loadPanels(sources: PanelSources, request: PanelRequest) {
  const { filter } = request;
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

  const sites = await timed("sites", () => sources.sites.list());
  const site = request.site || sites[0] || "demo";
  const timeZone = await timed("site_zone", () => sources.sites.zone(site));
  const window = request.window(timeZone);
  const params = panelParams(site, window, filter);
  const previousParams = panelParams(site, previousOf(window), filter);
  /** Each panel's file and parameters, as run: the test and the console rerun exactly these. */
  const files: Record<string, string> = {};
  const statements = PANELS.map(({ label, file, previous }) => {
    const run = panelFile(file, filter);
    files[label] = run;
    return { sql: sources.queries[run], params: previous ? previousParams : params };
  });
  const [settled, kafka] = await Promise.all([
    runPanels(sources.run, statements, request.timing ?? "together", timings),
    sources.kafka ? timed("kafka_offsets", () => sources.kafka!.snapshot()) : Promise.resolve(undefined),
  ]);
  const rows: Record<string, Record<string, unknown>[]> = {};
  PANELS.forEach(({ label }, i) => {
    const result = settled[i];
    if (result.status === "rejected") throw new PanelError(label, result.reason);
    rows[label] = result.value;
  });
  const {
    funnel,
    funnel_steps: funnelSteps,
    revenue_sliding: revenueSliding,
    revenue_totals: revenueTotals,
    revenue_anomalies: anomalies,
    kpis,
    previous_kpis: previousKpis,
    previous_revenue_totals: previousRevenueTotals,
    top_products: topProducts,
    top_pages: topPages,
    sources: trafficSources,
    devices,
    countries,
    throughput,
    ingest_now: ingestNow,
    kafka_consumers: consumers,
  } = rows;

  return {
    site,
    sites,
    /** The site's time zone (IANA): the custom dates' days, the charts' and labels' hours. */
    timeZone,
    range: window.range,
    filter: filter ?? null,
    /** The charts' step in seconds. */
    step: window.step,
    /**
     * For a step of an hour, the site's hours overlapping the window (Unix s, each the UTC instant it
     * starts, as the hourly tables key them: :30 UTC in a zone half an hour off); null for minutes.
     */
    hours: window.step === 3600 ? localHours(timeZone, window.from / 1000, window.to / 1000) : null,
    /** The window every query used, as the SQL parameters and as Unix ms; the previous period's. */
    params,
    previousParams,
    files,
    from: window.from,
    to: window.to,
    timing: request.timing ?? "together",
    timings,
    kpis: kpis[0] ?? {},
    previous: { kpis: previousKpis[0] ?? {}, revenueTotals: previousRevenueTotals },
    funnel,
    funnelSteps: funnelSteps[0] ?? {},
    revenueSliding,
    revenueTotals,
    anomalies,
    topProducts,
    topPages,
    sources: trafficSources,
    devices,
    countries,
    throughput,
    ingestNow: ingestNow[0] ?? {},
    consumers,
    kafka,
    alerts: sources.alerts?.(),
  };
}

export type Panels = Awaited<ReturnType<typeof loadPanels>>;

type Statement = { sql: string; params: Params };

async function runPanels(
  run: RunSql,
  statements: Statement[],
  timing: "together" | "each",
  timings: Record<string, number>,
): Promise<PromiseSettledResult<Record<string, unknown>[]>[]> {
  if (timing === "together") {
    const started = performance.now();
    const settled = await Promise.allSettled(statements.map(({ sql, params }) => run(sql, params)));
    timings.panels = Math.round(performance.now() - started);
    return settled;
  }
  const settled: PromiseSettledResult<Record<string, unknown>[]>[] = [];
  for (const [i, { sql, params }] of statements.entries()) {
    const started = performance.now();
    settled.push(...await Promise.allSettled([run(sql, params)]));
    timings[PANELS[i].label] = Math.round(performance.now() - started);
  }
  return settled;
}
