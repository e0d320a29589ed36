// The read path's rows of the bench: a dashboard refresh per range (the whole refresh and each
// panel's own time), and the bytes on disk per event of each table family (clickhouse/, one family
// per file), the gates included.
import { type SqlEndpoint, sqlRows } from "../../lib/sql_client.ts";
import { readSqlFiles } from "../../processor/migrate.ts";
import { RANGES } from "../../processor/dashboard/panels.ts";
import { percentile } from "./freshness.ts";

export type BenchRow = { measure: string; value: string; target?: string; ok?: boolean };

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * `runs` refreshes of each range over `site`, as the page asks for them (/dashboard/api/panels): p95
 * of the whole request; then `runs` more with `timing=each`, where the processor runs each panel's
 * read alone, one after the other, for each panel's own time (p95). `label` says what ran beside them.
 */
export async function measureRefreshes(
  { sql, site, runs = 7, label, targetMs }: {
    sql: SqlEndpoint;
    site: string;
    runs?: number;
    label: string;
    targetMs?: number;
  },
): Promise<{ rows: BenchRow[]; results: Record<string, unknown> }> {
  const rows: BenchRow[] = [];
  const results: Record<string, unknown> = {};
  const refresh = async (range: string, timing: "together" | "each") => {
    const started = performance.now();
    const response = await fetch(
      `${new URL(sql.url).origin}/dashboard/api/panels?site=${site}&range=${range}&timing=${timing}`,
      {
        headers: {
          Authorization: `Basic ${btoa(`${sql.user}:${sql.password}`)}`,
          "X-Requested-With": "bench",
        },
      },
    );
    const text = await response.text();
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${text.slice(0, 160)}`);
    const body = JSON.parse(text) as { from: number; to: number; timings: Record<string, number> };
    return { ms: performance.now() - started, body };
  };
  for (const range of Object.keys(RANGES)) {
    const totals: number[] = [];
    const perQuery: Record<string, number[]> = {};
    let window = { from: 0, to: 0 };
    try {
      for (let i = 0; i < runs; i++) {
        const { ms, body } = await refresh(range, "together");
        totals.push(ms);
        window = { from: body.from, to: body.to };
      }
      for (let i = 0; i < runs; i++) {
        const { body } = await refresh(range, "each");
        // sites and site_zone are read once a minute (the first refresh of the minute waits for them).
        for (const [name, ms] of Object.entries(body.timings)) {
          if (name !== "sites" && name !== "site_zone") (perQuery[name] ??= []).push(ms);
        }
      }
      const [{ events }] = await sqlRows<{ events: string }>(
        sql,
        `SELECT count() AS events FROM counted_events
         WHERE site = '${site}' AND event_time >= fromUnixTimestamp64Milli(${window.from})
           AND event_time < fromUnixTimestamp64Milli(${window.to})`,
      );
      const queryP95Ms = Object.fromEntries(Object.entries(perQuery).map(([n, t]) => [n, percentile(t, 95)]));
      const p95 = percentile(totals, 95);
      const sumOfPanels = Object.entries(perQuery).filter(([n]) => n !== "kafka_offsets")
        .reduce((sum, [, t]) => sum + percentile(t, 50), 0);
      results[range] = {
        p95Ms: p95,
        medianMs: percentile(totals, 50),
        queryP95Ms,
        sumOfPanelMediansMs: sumOfPanels,
        eventsInRange: Number(events),
      };
      const panels = Object.entries(queryP95Ms).sort((a, b) => b[1] - a[1]);
      rows.push({
        measure: `dashboard refresh, range ${range} (${
          fmt(Number(events))
        } events in it; ${label}; ${runs} runs)`,
        value: `p95 ${fmt(p95)} ms, median ${fmt(percentile(totals, 50))} ms; each panel alone (p95): ${
          panels.map(([n, t]) => `${n} ${fmt(t)}`).join(", ")
        } (medians sum to ${fmt(sumOfPanels)} ms)`,
        ...(targetMs === undefined ? {} : { target: `≤ ${fmt(targetMs)} ms`, ok: p95 <= targetMs }),
      });
    } catch (error) {
      // The SQL endpoint's max_execution_time stops a runaway query: report it, keep measuring.
      results[range] = `failed: ${(error as Error).message.split("\n")[0].slice(0, 160)}`;
      rows.push({ measure: `dashboard refresh, range ${range} (${label})`, value: `${results[range]}` });
    }
    console.error(`  ${rows.at(-1)!.measure}: ${rows.at(-1)!.value}`);
  }
  return { rows, results };
}

/**
 * Bytes on disk per stored event (`events`: every delivery) of each table family, i.e. of the tables
 * each clickhouse/ file creates: MergeTree parts from system.parts, the EmbeddedRocksDB gates from
 * system.tables' total_bytes (system.parts does not list them).
 */
export async function measureStorage(
  { sql }: { sql: SqlEndpoint },
): Promise<{ row: BenchRow; results: Record<string, unknown> }> {
  const familyOf = new Map<string, string>();
  for (const file of await readSqlFiles()) {
    const family = file.name.replace(/^\d+_|\.sql$/g, "");
    for (const [, table] of file.sql.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)) {
      familyOf.set(table, family);
    }
  }
  const tables = await sqlRows<{ table: string; bytes: string }>(
    sql,
    `SELECT t.name AS table, if(t.engine = 'EmbeddedRocksDB', ifNull(t.total_bytes, 0), ifNull(p.bytes, 0)) AS bytes
     FROM system.tables AS t
     LEFT JOIN (SELECT table, sum(bytes_on_disk) AS bytes FROM system.parts
                WHERE active AND database = currentDatabase() GROUP BY table) AS p ON p.table = t.name
     WHERE t.database = currentDatabase() AND (t.engine LIKE '%MergeTree' OR t.engine = 'EmbeddedRocksDB')`,
  );
  const [{ events }] = await sqlRows<{ events: string }>(sql, "SELECT count() AS events FROM events");
  const perTable: Record<string, number> = {};
  for (const t of tables) perTable[t.table] = Number(t.bytes) / Number(events);
  const perFamily: Record<string, number> = {};
  for (const [table, b] of Object.entries(perTable)) {
    const family = familyOf.get(table) ?? table;
    perFamily[family] = (perFamily[family] ?? 0) + b;
  }
  const byTable = (family: string) =>
    Object.entries(perTable).filter(([t]) => (familyOf.get(t) ?? t) === family && perTable[t] >= 0.05)
      .sort((a, b) => b[1] - a[1]).map(([t, b]) => `${t} ${b.toFixed(1)}`).join(", ");
  const families = Object.entries(perFamily).sort((a, b) => b[1] - a[1]);
  return {
    results: { events: Number(events), perTable, perFamily },
    row: {
      measure: `storage per stored event over ${
        fmt(Number(events))
      } events (bytes on disk, by clickhouse/ file)`,
      value: families.map(([f, b]) => `${f} ${b.toFixed(1)} (${byTable(f)})`).join("; "),
    },
  };
}
