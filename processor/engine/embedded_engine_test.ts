// The processor's own reads on the embedded engine: parameters inlined as literals answer as the
// engine's binding does, and rowsMany's composed queries answer each read as it answers alone.
import { deepStrictEqual as assertEquals, match, strictEqual } from "node:assert/strict";
import { Session } from "chdb";
import { EmbeddedEngine } from "./embedded_engine.ts";
import { inOwnProcess } from "../../lib/own_process.ts";

const NAME = "the embedded engine's own reads: inlined parameters and composed batches";
// It opens an embedded engine (lib/own_process.ts).
if (inOwnProcess(import.meta.url, NAME)) {
  Deno.test(NAME, async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "shoptrail-engine-" });
    const engine = new EmbeddedEngine(dir);
    try {
      await engine.command(
        "CREATE TABLE t (site String, at DateTime('UTC'), n UInt64) ENGINE = MergeTree ORDER BY (site, at)",
      );
      await engine.command(
        "INSERT INTO t SELECT ['a', 'it''s', 'back\\\\slash', 'tab\\there'][number % 4 + 1], " +
          "toDateTime('2026-01-01 00:00:00', 'UTC') + number * 60, number FROM numbers(5000)",
      );
      await engine.lockReadOnly({ maxExecutionTimeS: 30, maxResultRows: 100_000 });
      const byMinute =
        "SELECT toUnixTimestamp(at) AS t, n, n * 1.5 AS half, [n, n + 1] AS pair FROM t WHERE site = {site:String} " +
        "AND at >= {from:DateTime('UTC')} AND at < {to:DateTime('UTC')} ORDER BY t DESC";
      const totals = "WITH 2 AS two SELECT site, sum(n) * two AS total FROM t GROUP BY site ORDER BY site";

      await t.step("a value with quotes, backslashes or control characters matches as bound", async () => {
        // The engine's binding, on a session of this test's own.
        const bound = new Session(dir);
        bound.query("SET output_format_json_quote_64bit_integers = 1");
        for (const site of ["a", "it's", "back\\slash", "tab\there", "' OR 1 = 1 --"]) {
          const params = { site, from: "2026-01-01 01:00:00", to: "2026-01-02 03:00:00" };
          const expected = (await bound.queryBindAsync(byMinute, params, { format: "JSONEachRow" })).text();
          const got = await engine.rows(byMinute, params);
          assertEquals(got, expected.split("\n").filter(Boolean).map((l) => JSON.parse(l)), site);
          strictEqual(got.length, site.startsWith("'") ? 0 : 390, site);
        }
        bound.close();
      });

      await t.step("rowsMany answers each read as it answers alone, in its order", async () => {
        const statements = [
          { sql: byMinute, params: { site: "a", from: "2026-01-01 00:00:00", to: "2026-01-04 00:00:00" } },
          { sql: totals },
          { sql: "SELECT 1 AS one WHERE 0" },
          { sql: byMinute, params: { site: "it's", from: "2026-01-02 00:00:00", to: "2026-01-03 00:00:00" } },
          { sql: "SELECT count() AS c, max(at) AS last FROM t;" },
        ];
        const alone = await Promise.all(statements.map(({ sql, params }) => engine.rows(sql, params)));
        const many = await engine.rowsMany(statements);
        assertEquals(many.map((r) => r.status), statements.map(() => "fulfilled"));
        assertEquals(many.map((r) => r.status === "fulfilled" && r.value), alone);
        strictEqual(alone[0].length, 1080);
        assertEquals(alone[4], [{ c: "5000", last: "2026-01-04 11:19:00" }]);
      });

      await t.step("a failing read fails its own entry only", async () => {
        const many = await engine.rowsMany([
          { sql: totals },
          { sql: "SELECT nope FROM t" },
          { sql: "SELECT 7 AS seven" },
        ]);
        assertEquals(many.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
        const failed = many[1] as PromiseRejectedResult;
        match(failed.reason.message, /nope/);
        strictEqual(failed.reason.code, 47);
        assertEquals(many[2].status === "fulfilled" && many[2].value, [{ seven: 7 }]);
      });
    } finally {
      await engine.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
