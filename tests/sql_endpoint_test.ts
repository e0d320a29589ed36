// The processor's SQL over HTTP, against the embedded engine in a real processor process:
// ClickHouse-compatible for curl-style requests and @clickhouse/client, authenticated, and
// read-only (the statement guard, then the engine's own `readonly` setting). The attacks on
// read-only are in sql_hostile_test.ts.
import { deepStrictEqual as assertEquals, match, strictEqual } from "node:assert/strict";
import { ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { startTestPipeline, type TestPipeline } from "../stack/testing.ts";

async function post(
  p: TestPipeline,
  sql: string,
  init: { headers?: Record<string, string>; search?: string } = {},
) {
  const response = await fetch(`${p.sql.url}${init.search ?? ""}`, {
    method: "POST",
    body: sql,
    headers: init.headers ?? { "X-ClickHouse-User": p.sql.user, "X-ClickHouse-Key": p.sql.password },
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

Deno.test("SQL endpoint", async (t) => {
  const p = await startTestPipeline();
  try {
    await t.step("answers a query in the POST body, TabSeparated by default", async () => {
      const r = await post(p, "SELECT 1 + 1 AS two, 'x' AS s");
      assertEquals([r.status, r.text], [200, "2\tx\n"]);
      strictEqual(r.headers.get("X-ClickHouse-Format"), "TabSeparated");
    });

    await t.step(
      "takes ?query= with basic auth, and honours default_format and a FORMAT clause",
      async () => {
        const basic = { Authorization: `Basic ${btoa(`${p.sql.user}:${p.sql.password}`)}` };
        const viaUrl = await fetch(
          `${p.sql.url}?query=${encodeURIComponent("SELECT 42 AS n")}&default_format=JSONEachRow`,
          {
            headers: basic,
          },
        );
        assertEquals([viaUrl.status, await viaUrl.text()], [200, '{"n":42}\n']);
        const clause = await post(p, "SELECT 7 AS n FORMAT CSVWithNames", {
          headers: basic,
          search: "?default_format=JSON",
        });
        assertEquals([clause.status, clause.text], [200, '"n"\n7\n']);
        match(clause.headers.get("Content-Type") ?? "", /text\/csv/);
      },
    );

    await t.step("binds {name:Type} parameters from param_name", async () => {
      const r = await post(p, "SELECT {a:UInt32} * 2 AS n", { search: "?param_a=21" });
      assertEquals([r.status, r.text], [200, "42\n"]);
    });

    await t.step("refuses a wrong password and a missing user with 401 and code 516", async () => {
      const wrong = await post(p, "SELECT 1", {
        headers: { "X-ClickHouse-User": p.sql.user, "X-ClickHouse-Key": "nope" },
      });
      const none = await post(p, "SELECT 1", { headers: {} });
      for (const r of [wrong, none]) {
        strictEqual(r.status, 401);
        strictEqual(r.headers.get("X-ClickHouse-Exception-Code"), "516");
        match(r.text, /AUTHENTICATION_FAILED/);
      }
    });

    await t.step("refuses the password in the URL, even the right one, with 400 and code 36", async () => {
      for (
        const search of [`?password=${p.sql.password}`, `?user=${p.sql.user}&password=${p.sql.password}`]
      ) {
        const r = await post(p, "SELECT 1", { headers: {}, search });
        assertEquals([r.status, r.headers.get("X-ClickHouse-Exception-Code")], [400, "36"]);
        match(r.text, /password is not accepted in the URL/);
      }
    });

    const refusals = [
      "INSERT INTO events (event_id) VALUES ('x')",
      "INSERT INTO events (event_id) SELECT 'x'",
      "DROP TABLE events",
      "TRUNCATE TABLE events",
      "ALTER TABLE events DELETE WHERE 1",
      "CREATE TABLE t (a UInt8) ENGINE = Memory",
      "SET readonly = 0",
      "SELECT 1 SETTINGS readonly = 0",
      "SELECT * FROM file('/etc/passwd', 'LineAsString')",
      "SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')",
    ];
    for (const sql of refusals) {
      await t.step(`refuses ${sql}`, async () => {
        const r = await post(p, sql);
        strictEqual(r.status, 403, r.text);
        match(r.text, /Code: 164\. .*readonly/i);
      });
    }

    await t.step("still has every table after the refusals", async () => {
      const rows = await p.rows<{ n: number }>(
        "SELECT count() AS n FROM system.tables WHERE database = 'default' AND name = 'events'",
      );
      assertEquals(rows, [{ n: "1" }]);
    });

    await t.step(
      "refuses more than one statement per request, as ClickHouse's HTTP interface does",
      async () => {
        const r = await post(p, "SELECT 1; DROP TABLE events");
        strictEqual(r.status, 400);
        match(r.text, /Multi-statements are not allowed/);
      },
    );

    await t.step("answers a syntax error with 400 and an unknown table with 404", async () => {
      assertEquals((await post(p, "SELEC 1")).status, 400);
      assertEquals((await post(p, "SELECT * FROM no_such_table")).status, 404);
    });

    await t.step("works with @clickhouse/client as with a ClickHouse server", async () => {
      const client = createClient({
        url: p.sql.url,
        username: p.sql.user,
        password: p.sql.password,
        log: { level: ClickHouseLogLevel.OFF }, // the refusal below is expected; keep the output clean
      });
      try {
        const result = await client.query({
          query: "SELECT number AS n FROM numbers(3)",
          format: "JSONEachRow",
        });
        assertEquals(await result.json(), [{ n: "0" }, { n: "1" }, { n: "2" }]);
        // Parameter values travel in ClickHouse's escaped text: line breaks, tabs, quotes, backslashes.
        const text = "line 1\n\tit's a \\ path";
        const bound = await client.query({
          query: "SELECT {s:String} AS s",
          query_params: { s: text },
          format: "JSONEachRow",
        });
        assertEquals(await bound.json(), [{ s: text }]);
        const error = await client.command({ query: "DROP TABLE events" }).then(() => undefined, (e) => e);
        match(String(error?.message), /readonly/i);
      } finally {
        await client.close();
      }
    });
  } finally {
    await p.stop();
  }
});
