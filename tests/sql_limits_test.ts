// The SQL users' limits on a real pipeline: a runaway console query holds the one SQL slot until its
// time limit stops it (159), while events posted to the collector reach ClickHouse and the dashboard
// API shows them; past the slot and the queue a query is refused at once (202), and reading too many
// rows or using too much memory gets its own error.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { pollUntil, startTestPipeline, type TestPipeline } from "../stack/testing.ts";

const TIME_LIMIT_S = 12;
const ENV = {
  SQL_MAX_EXECUTION_TIME_S: String(TIME_LIMIT_S),
  SQL_MAX_MEMORY_BYTES: String(200_000_000),
  SQL_MAX_ROWS_TO_READ: String(50_000_000),
  SQL_MAX_THREADS: "1",
  SQL_MAX_CONCURRENT_QUERIES: "1",
  SQL_MAX_QUEUED_QUERIES: "1",
};
/** Reads 2 million rows (within the limit) and pairs them all: 10^12 rows to count, minutes of CPU. */
const RUNAWAY = "SELECT count() FROM numbers(1000000) AS a CROSS JOIN numbers(1000000) AS b";

type Answer = { status: number; code: string | null; retryAfter: string | null; text: string; at: number };

async function sql(p: TestPipeline, body: string, signal?: AbortSignal): Promise<Answer> {
  const response = await fetch(p.sql.url, {
    method: "POST",
    body,
    signal,
    headers: { "X-ClickHouse-User": p.sql.user, "X-ClickHouse-Key": p.sql.password },
  });
  return {
    status: response.status,
    code: response.headers.get("X-ClickHouse-Exception-Code"),
    retryAfter: response.headers.get("Retry-After"),
    text: await response.text(),
    at: Date.now(),
  };
}

async function panels(p: TestPipeline, site: string) {
  const response = await fetch(`${p.sql.url}dashboard/api/panels?site=${site}&range=15m`, {
    headers: {
      Authorization: `Basic ${btoa(`${p.sql.user}:${p.sql.password}`)}`,
      "X-Requested-With": "sql_limits_test",
    },
  });
  if (!response.ok) throw new Error(`panels: ${response.status} ${await response.text()}`);
  return await response.json() as { sites: string[]; ingestNow: { newest_received_ms?: string } };
}

Deno.test("a runaway SQL query is stopped by its limits while ingest and the dashboard go on", async (t) => {
  const p = await startTestPipeline({ env: ENV });
  try {
    await t.step(
      "the runaway gets 159 after the time limit; events posted meanwhile are on the dashboard first",
      async () => {
        const started = Date.now();
        const runaway = sql(p, RUNAWAY);

        // A query that has not answered within 2 s waits behind the runaway, which holds the one slot;
        // with that query in the one queue place, the next one is refused at once.
        await pollUntil(
          () => sql(p, "SELECT 1", AbortSignal.timeout(2000)).then(() => "answered", () => "waiting"),
          (state) => state === "waiting",
          { deadlineMs: 10_000, what: "a query waiting behind the runaway" },
        );
        const refused = await sql(p, "SELECT 'one too many'");
        assertEquals([refused.status, refused.code, refused.retryAfter], [503, "202", "1"], refused.text);
        match(refused.text, /Too many simultaneous queries: 1 running and 1 waiting/);

        const site = `limits-${crypto.randomUUID().slice(0, 8)}`;
        const posted = Date.now();
        const batch = await fetch(`${p.collectorUrl}/v1/batch`, {
          method: "POST",
          headers: { "Content-Type": "text/plain" },
          body: JSON.stringify({
            site,
            sent_at: posted,
            events: [{
              event_id: crypto.randomUUID(),
              type: "page_view",
              ts: posted,
              session_id: "s1",
              anonymous_id: "a1",
              url: "https://shop.test/",
            }],
          }),
        });
        assertEquals([batch.status, (await batch.json()).accepted], [202, 1]);
        const shown = await pollUntil(() => panels(p, site), (view) => view.sites.includes(site), {
          deadlineMs: TIME_LIMIT_S * 1000,
          intervalMs: 250,
          what: `site ${site} on the dashboard`,
        });
        const shownAt = Date.now();
        ok(Number(shown.ingestNow.newest_received_ms) >= posted - 1000, JSON.stringify(shown.ingestNow));

        const stopped = await runaway;
        assertEquals([stopped.status, stopped.code], [408, "159"], stopped.text);
        match(stopped.text, /Timeout exceeded/);
        ok(stopped.at - started >= TIME_LIMIT_S * 1000, `stopped after ${stopped.at - started} ms`);
        ok(shownAt < stopped.at, `the event was shown ${stopped.at - shownAt} ms after the runaway ended`);
        const after = await sql(p, "SELECT 'the slot is free again'");
        assertEquals(after.status, 200, after.text);
      },
    );

    await t.step(
      "reading too many rows is 158, too much memory 241: the limit ends each, not the query's end",
      async () => {
        const cases: [string, string, RegExp][] = [
          ["SELECT sum(number) FROM numbers(1000000000000)", "158", /max_rows_to_read/],
          ["SELECT groupArray(toString(number)) FROM numbers(40000000)", "241", /memory limit exceeded/],
        ];
        for (const [query, code, message] of cases) {
          const r = await sql(p, query);
          assertEquals([r.status, r.code], [500, code], r.text);
          match(r.text, message);
        }
      },
    );
  } finally {
    await p.stop();
  }
});
