// Click-to-chart freshness: while background traffic flows, send single probe events and time
// from the collector's acknowledgement to the row being counted in funnel_1m.
import type { SqlEndpoint } from "../../lib/sql_client.ts";
import { sqlRows } from "../../lib/sql_client.ts";

export async function measureFreshness(
  { collectorUrl, sql, probes = 40, site = "fresh", gapMs = 200, deadlineMs = 10_000 }: {
    collectorUrl: string;
    sql: SqlEndpoint;
    probes?: number;
    site?: string;
    gapMs?: number;
    deadlineMs?: number;
  },
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 1; i <= probes; i++) {
    const now = Date.now();
    const response = await fetch(`${collectorUrl}/v1/batch`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({
        site,
        sent_at: now,
        events: [{
          event_id: crypto.randomUUID(),
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
    while (true) {
      const [row] = await sqlRows<{ n: string }>(
        sql,
        `SELECT sum(viewers) AS n FROM funnel_1m WHERE site = '${site}'`,
      );
      if (Number(row?.n ?? 0) >= i) break;
      if (performance.now() - acked > deadlineMs) {
        throw new Error(`probe ${i} not visible in funnel_1m after ${deadlineMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    latencies.push(performance.now() - acked);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return latencies;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
