// What each rule looks at, read now: SQL files in queries/ for what ClickHouse knows, the broker's
// offsets for consumer lag and the DLQ. One failing source leaves only its own rules unread.
import { fileURLToPath } from "node:url";
import type { OffsetSource } from "../kafka_offsets.ts";
import { chDateTime, type QueryFiles, readQueryFiles, type RunSql } from "../sql_files.ts";
import type { Observation } from "./evaluate.ts";
import type { Rule, RuleKind } from "./rules.ts";

export const ALERT_QUERIES = [
  "conversion_rate",
  "cart_abandonment",
  "ingest_errors",
  "consumer_errors",
  "revenue_anomaly",
] as const;
export type AlertQuery = typeof ALERT_QUERIES[number];
export const ALERT_QUERIES_DIR = fileURLToPath(new URL("./queries/", import.meta.url));

export function readAlertQueries(dir = ALERT_QUERIES_DIR): Promise<QueryFiles<AlertQuery>> {
  return readQueryFiles(ALERT_QUERIES, dir);
}

/** Rules computed from `events`: wrong while ClickHouse is still reading a backlog (service.ts holds them). */
export const READS_EVENTS = new Set<RuleKind>(["conversion_rate", "cart_abandonment", "revenue_anomaly"]);

export type ObserveSources = { run: RunSql; queries: QueryFiles<AlertQuery>; kafka?: OffsetSource };

type Row = { subject: string; value: number | string; volume?: number | string };

export async function observe(rule: Rule, sources: ObserveSources, now: number): Promise<Observation[]> {
  if (rule.kind === "consumer_lag" || rule.kind === "dlq_rate") {
    if (!sources.kafka) throw new Error(`${rule.id}: no Kafka connection to read offsets from`);
    const snapshot = await sources.kafka.snapshot();
    if (snapshot.error) throw new Error(`${rule.id}: cannot read Kafka offsets: ${snapshot.error}`);
    return rule.kind === "consumer_lag"
      ? snapshot.partitions.map((p) => ({ subject: `partition-${p.partition}`, value: p.lag }))
      : [{ subject: "collector", value: snapshot.dlq.perMinute }];
  }
  const to = Math.floor(now / 1000) * 1000;
  const rows = await sources.run<Row>(
    sources.queries[rule.kind],
    { to: chDateTime(to), window_s: rule.windowSeconds, min_volume: rule.minVolume },
  );
  return rows.map((r) => ({ subject: r.subject, value: Number(r.value), volume: Number(r.volume ?? 0) }));
}
