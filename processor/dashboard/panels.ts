// One dashboard refresh: every panel's query over the same [from, to) window, run together, and
// the broker's offsets and the alert list beside them. The browser gets one JSON document per
// refresh, so all numbers on screen belong to the same moment (`to`). The KPIs run a second time
// over the previous period of the same length, for their change. With a filter, the panels whose
// aggregate tables hold no dimension run their `filtered_*` file instead (the same columns, from the
// filtered visits' counted events); the breakdowns and the funnel steps take the filter themselves;
// top products, the anomalies and the pipeline's panels stay the site's (the page says so).
import type { OffsetSource } from "../kafka_offsets.ts";
import { localHours } from "../site_zones.ts";
import { chDateTime, type PanelQuery, type QueryFiles, type RunSql } from "./queries.ts";
import { type Filter, previousOf, type Window } from "./window.ts";

export { isRange, type RangeName, RANGES, stepOf } from "./window.ts";

export type PanelSources = {
  run: RunSql;
  queries: QueryFiles;
  kafka?: OffsetSource;
  /** Active alerts and recent transitions, from the alert service. */
  alerts?: () => unknown;
};

export type PanelRequest = {
  site?: string;
  /** The window in the site's time zone (IANA), once the site is known. */
  window: (timeZone: string) => Window;
  filter?: Filter;
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

export function panelParams(
  site: string,
  window: Window,
  filter: Filter | undefined,
): Record<string, string> {
  return {
    site,
    from: chDateTime(window.from),
    to: chDateTime(window.to),
    filter_dim: filter?.dimension ?? "",
    filter_value: filter?.value ?? "",
  };
}

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

  const sites = await timed(
    "sites",
    () => sources.run<{ site: string; events: string }>(sources.queries.sites, {}),
  );
  const site = request.site || sites[0]?.site || "demo";
  const zone = await timed(
    "site_zone",
    () => sources.run<{ time_zone: string }>(sources.queries.site_zone, { site }),
  );
  const timeZone = zone[0]?.time_zone || "UTC";
  const window = request.window(timeZone);
  const params = panelParams(site, window, filter);
  const previousParams = panelParams(site, previousOf(window), filter);
  /** Each panel's file and parameters, as run: the test and the console rerun exactly these. */
  const files: Record<string, string> = {};
  const run = (name: PanelQuery, p = params, label: string = name) => {
    const file = panelFile(name, filter);
    files[label] = file;
    return timed(label, () => sources.run(sources.queries[file], p));
  };

  const [
    funnel,
    funnelSteps,
    revenueSliding,
    revenueTotals,
    anomalies,
    kpis,
    previousKpis,
    previousRevenueTotals,
    topProducts,
    topPages,
    trafficSources,
    devices,
    countries,
    throughput,
    ingestNow,
    consumers,
    kafka,
  ] = await Promise.all([
    run("funnel"),
    run("funnel_steps"),
    run("revenue_sliding"),
    run("revenue_totals"),
    run("revenue_anomalies"),
    run("kpis"),
    run("kpis", previousParams, "previous_kpis"),
    run("revenue_totals", previousParams, "previous_revenue_totals"),
    run("top_products"),
    run("top_pages"),
    run("sources"),
    run("devices"),
    run("countries"),
    run("throughput"),
    run("ingest_now"),
    run("kafka_consumers"),
    sources.kafka ? timed("kafka_offsets", () => sources.kafka!.snapshot()) : Promise.resolve(undefined),
  ]);

  return {
    site,
    sites: sites.map((s) => s.site),
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
