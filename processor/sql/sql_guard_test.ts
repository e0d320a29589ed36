// The guard against a real embedded engine (its parser decides): every SQL file the project ships
// passes, every table function outside the safe list is refused, parameters are checked as the
// names they become, and a quoted name with line breaks cannot hide a node. The hostile statements
// themselves run against a whole processor in tests/sql_hostile_test.ts.
import { deepStrictEqual as assertEquals, match, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EmbeddedEngine } from "../engine/embedded_engine.ts";
import { EngineError } from "../engine/engine.ts";
import { SqlGuard } from "./sql_guard.ts";
import { GRAINS } from "../dashboard/panels.ts";
import { inOwnProcess } from "../../lib/own_process.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHIPPED_QUERY_DIRS = ["processor/dashboard/queries", "processor/alerts/queries", "clickhouse/queries"];
/** Every parameter the shipped files use, as the dashboard and alerts bind them. */
const PARAMS = {
  site: "demo",
  from: "2025-11-22 10:00:00",
  to: "2025-11-22 11:00:00",
  window_s: "600",
  min_volume: "5",
  // The dashboard's filter (none): its panels pass it to parameterized views, which the parse needs set.
  filter_dim: "",
  filter_value: "",
  // The grain the dashboard picks for a range (a table and its time column, as identifiers).
  ...GRAINS.minute,
};

async function refusal(guard: SqlGuard, sql: string, params: Record<string, string> = {}) {
  const error = await guard.check(sql, params).then(() => undefined, (e) => e);
  if (!(error instanceof EngineError)) throw new Error(`not refused: ${sql} (${error})`);
  return error;
}

if (inOwnProcess(import.meta.url, "SqlGuard on the embedded engine")) {
  Deno.test("SqlGuard on the embedded engine", async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "shoptrail-guard-" });
    const engine = new EmbeddedEngine(dir);
    try {
      await t.step("runs nothing for a SQL user before the engine is locked read-only", async () => {
        await rejects(engine.query("SELECT 1", { fromSqlUser: true }), /once the engine is read-only/);
      });
      await engine.lockReadOnly({ maxExecutionTimeS: 30, maxResultRows: 1000 });
      const guard = new SqlGuard(engine);

      await t.step("lets every shipped query file through, formatted by the engine", async () => {
        let files = 0;
        for (const folder of SHIPPED_QUERY_DIRS) {
          for await (const entry of Deno.readDir(join(ROOT, folder))) {
            if (!entry.name.endsWith(".sql")) continue;
            const sql = await Deno.readTextFile(join(ROOT, folder, entry.name));
            const statement = await guard.check(sql, PARAMS).catch((e) => {
              throw new Error(`${folder}/${entry.name} refused: ${e.message}`);
            });
            strictEqual(statement.includes("\n"), false, `${entry.name}: not one line`);
            files++;
          }
        }
        strictEqual(files >= 20, true, `only ${files} files found`);
      });

      await t.step("refuses every table function of the engine's registry but the safe few", async () => {
        const names = (await engine.rows<{ name: string }>("SELECT name FROM system.table_functions"))
          .map((r) => r.name);
        const allowed: string[] = [];
        for (const name of names) {
          const args = { view: "SELECT 1", viewIfPermitted: "SELECT 1 ELSE null('a Int8')" }[name] ?? "1";
          const error = await guard.check(`SELECT * FROM ${name}(${args})`, {}).then(
            () => undefined,
            (e) => e,
          );
          if (error === undefined) allowed.push(name);
          else match(error.message, new RegExp(`table function ${name}\\(\\) is not allowed`), name);
        }
        assertEquals(allowed.sort(), [
          "format",
          "generateRandom",
          "generateSeries",
          "generate_series",
          "null",
          "numbers",
          "numbers_mt",
          "primes",
          "values",
          "view",
          "zeros",
          "zeros_mt",
        ]);
      });

      await t.step("checks an {x:Identifier} parameter as the table it names", async () => {
        const sql = "SELECT * FROM {t:Identifier}";
        strictEqual(await guard.check(sql, { t: "events" }), sql);
        strictEqual((await refusal(guard, sql, { t: "system.users" })).code, 497);
        strictEqual(
          (await refusal(guard, "SHOW CREATE TABLE {t:Identifier}", { t: "system.users" })).code,
          497,
        );
      });

      await t.step("a quoted name with line breaks cannot hide a refused node", async () => {
        // The dump prints a name's line breaks as they are, so "x\nSelectWithUnionQuery" adds lines
        // that look like nodes; the real file() and INTO OUTFILE lines are still there.
        match(
          (await refusal(guard, "SELECT file('/etc/hostname') AS `x\nSelectWithUnionQuery\n ExpressionList`"))
            .message,
          /function file\(\) is not allowed/,
        );
        match(
          (await refusal(guard, "SELECT 1 AS `x\nExplain` INTO OUTFILE 'x'")).message,
          /INTO OUTFILE is not allowed/,
        );
      });

      await t.step("leaves the engine's own errors as they are: syntax, several statements", async () => {
        strictEqual((await refusal(guard, "SELEC 1")).code, 62);
        match((await refusal(guard, "SELECT 1; SELECT 2")).message, /Multi-statements are not allowed/);
      });
    } finally {
      await engine.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  });
}
