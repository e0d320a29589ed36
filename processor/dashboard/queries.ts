// The dashboard's SQL: one plain file per panel in queries/, read once at start and run with the
// same {site, from, to, filter_dim, filter_value} parameters the console or `clickhouse client` can pass by hand.
import { fileURLToPath } from "node:url";
import type { QueryFiles as Files } from "../sql_files.ts";
export { chDateTime, engineRunner, type Params, readQueryFiles, type RunSql } from "../sql_files.ts";

export const QUERIES_DIR = fileURLToPath(new URL("./queries/", import.meta.url));

export const PANEL_QUERIES = [
  "funnel",
  "revenue_sliding",
  "revenue_totals",
  "revenue_anomalies",
  "kpis",
  "top_products",
  "top_pages",
  "sources",
  "devices",
  "countries",
  "funnel_steps",
  "filtered_kpis",
  "filtered_funnel",
  "filtered_revenue_totals",
  "filtered_revenue_sliding",
  "filtered_top_pages",
  "filtered_sources",
  "filtered_devices",
  "filtered_countries",
  "filtered_funnel_steps",
  "throughput",
  "ingest_now",
  "kafka_consumers",
  "sites",
  "site_zone",
] as const;
export type PanelQuery = typeof PANEL_QUERIES[number];
export type QueryFiles<N extends string = PanelQuery> = Files<N>;
