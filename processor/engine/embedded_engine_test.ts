// The processor's own reads on the embedded engine: parameters inlined as literals answer as the
// engine's binding does, and two reads with parameters run at once (chdb's binding runs bound ones
// one after the other).
import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { Session } from "chdb";
import { EmbeddedEngine } from "./embedded_engine.ts";
import { inOwnProcess } from "../../lib/own_process.ts";

const NAME = "the embedded engine's own reads: inlined parameters, two at once";
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

      await t.step("a read with parameters does not wait for a slower one started before it", async () => {
        const order: string[] = [];
        // ~1 s of sleeping rows (sleepEachRow sleeps per row, max 3 s a block).
        const slow = engine.rows("SELECT sleepEachRow(0.01), {site:String} AS site FROM numbers(100)", {
          site: "a",
        })
          .then(() => order.push("slow"));
        const quick = engine.rows("SELECT count() AS c FROM t WHERE site = {site:String}", { site: "it's" })
          .then((rows) => order.push(`quick ${JSON.stringify(rows)}`));
        await Promise.all([slow, quick]);
        assertEquals(order, ['quick [{"c":"1250"}]', "slow"]);
      });
    } finally {
      await engine.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
