// The dashboard's routes with app.request(): a fake engine that answers by query file, a fixed clock.
import { deepStrictEqual as assertEquals, match, strictEqual } from "node:assert/strict";
import { type Engine, EngineError, parseRows, type QueryResult } from "../engine.ts";
import { dashboardRoutes } from "./routes.ts";
import { PANEL_QUERIES, type QueryFiles } from "./queries.ts";

const queries = Object.fromEntries(PANEL_QUERIES.map((name) => [name, `-- ${name}\nSELECT 1`])) as QueryFiles;
const NOW = Date.UTC(2025, 10, 22, 10, 30, 15, 500);

class FakeEngine implements Engine {
  readonly kind = "embedded";
  calls: { sql: string; params?: Record<string, unknown> }[] = [];
  answers: Record<string, unknown[]> = {
    sites: [{ site: "shop-a", events: "10" }, { site: "shop-b", events: "3" }],
    kpis: [{ sessions: "12", conversion_rate: 0.25 }],
  };
  /** Panels whose query fails with this engine error. */
  failures: Record<string, EngineError> = {};
  command(): Promise<void> {
    return Promise.resolve();
  }
  query(sql: string, o: { format?: string; params?: Record<string, unknown> } = {}): Promise<QueryResult> {
    this.calls.push({ sql, params: o.params });
    if (sql.startsWith("SELECT formatQuerySingleLine")) {
      return Promise.resolve({ text: "", elapsedMs: 0, rowsRead: 0 });
    }
    if (/DROP/.test(sql)) {
      return Promise.reject(
        new EngineError(
          164,
          "Code: 164. DB::Exception: default: Cannot execute query in readonly mode. (READONLY)",
        ),
      );
    }
    if (o.format === "JSON") {
      return Promise.resolve({ text: '{"meta":[],"data":[],"rows":0}', elapsedMs: 1, rowsRead: 0 });
    }
    const name = sql.match(/^-- (\w+)/)?.[1] ?? "";
    if (this.failures[name]) return Promise.reject(this.failures[name]);
    return Promise.resolve({
      text: (this.answers[name] ?? []).map((r) => JSON.stringify(r) + "\n").join(""),
      elapsedMs: 1,
      rowsRead: 0,
    });
  }
  async rows<T>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
    return parseRows<T>((await this.query(sql, { format: "JSONEachRow", params })).text);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const auth = { Authorization: `Basic ${btoa("default:secret")}` };

async function setup() {
  const engine = new FakeEngine();
  const app = await dashboardRoutes({
    engine,
    users: new Map([["default", "secret"]]),
    queries,
    clock: () => NOW,
  });
  return { engine, app };
}

Deno.test("dashboard routes ask for the SQL users' password", async () => {
  const { app } = await setup();
  for (const path of ["/", "/console", "/api/panels", "/assets/dashboard.js"]) {
    const response = await app.request(path, {
      headers: { Authorization: `Basic ${btoa("default:wrong")}` },
    });
    strictEqual(response.status, 401, path);
    match(response.headers.get("WWW-Authenticate") ?? "", /realm="Shoptrail"/);
  }
});

Deno.test("/api/panels runs every panel file over one window ending at the clock's second", async () => {
  const { app, engine } = await setup();
  const response = await app.request("/api/panels?range=15m", { headers: auth });
  strictEqual(response.status, 200);
  const body = await response.json();
  assertEquals(body.params, { site: "shop-a", from: "2025-11-22 10:15:15", to: "2025-11-22 10:30:15" });
  assertEquals([body.to - body.from, body.site, body.sites], [15 * 60_000, "shop-a", ["shop-a", "shop-b"]]);
  assertEquals(body.kpis, { sessions: "12", conversion_rate: 0.25 });
  const ran = engine.calls.map((c) => c.sql.match(/^-- (\w+)/)?.[1]).sort();
  assertEquals(ran, [...PANEL_QUERIES].sort());
  strictEqual(response.headers.get("Cache-Control"), "no-store");
});

Deno.test("/api/panels takes the site from the URL and refuses an unknown range", async () => {
  const { app } = await setup();
  const body = await (await app.request("/api/panels?range=24h&site=shop-b", { headers: auth })).json();
  assertEquals([body.params.site, body.params.from], ["shop-b", "2025-11-21 10:30:15"]);
  const bad = await app.request("/api/panels?range=7d", { headers: auth });
  strictEqual(bad.status, 400);
  match((await bad.json()).error, /range must be one of 15m, 1h, 24h; got "7d"/);
});

Deno.test("/api/panels names the panel whose query timed out, with the engine's code and status", async () => {
  const { engine, app } = await setup();
  engine.failures.kpis = new EngineError(
    159,
    "Code: 159. DB::Exception: Timeout exceeded: elapsed 30030.6 ms, maximum: 30000 ms. (TIMEOUT_EXCEEDED)\nstack",
  );
  const response = await app.request("/api/panels?range=24h", { headers: auth });
  strictEqual(response.status, 408);
  assertEquals(await response.json(), {
    error: {
      code: "panel_query_failed",
      panel: "kpis",
      clickhouse_code: 159,
      message:
        "The kpis panel's query failed: Code: 159. DB::Exception: Timeout exceeded: elapsed 30030.6 ms, " +
        "maximum: 30000 ms. (TIMEOUT_EXCEEDED)",
    },
  });
});

Deno.test("the console's SQL goes through the SQL endpoint: JSON format, parameters, engine errors", async () => {
  const { app, engine } = await setup();
  const ok = await app.request("/api/sql?param_site=shop-a", {
    method: "POST",
    body: "SELECT {site:String}",
    headers: auth,
  });
  strictEqual(ok.status, 200);
  assertEquals(engine.calls.at(-1)?.params, { site: "shop-a" });
  const refused = await app.request("/api/sql", { method: "POST", body: "DROP TABLE events", headers: auth });
  assertEquals([refused.status, refused.headers.get("X-ClickHouse-Exception-Code")], [403, "164"]);
  match(await refused.text(), /readonly mode/);
});

Deno.test("pages and local assets are served; uPlot comes from node_modules", async () => {
  const { app } = await setup();
  const html = await app.request("/", { headers: auth });
  match(await html.text(), /<script src="\/dashboard\/assets\/uPlot\.iife\.min\.js">/);
  const uplot = await app.request("/assets/uPlot.iife.min.js", { headers: auth });
  assertEquals([uplot.status, uplot.headers.get("Content-Type")], [200, "text/javascript; charset=UTF-8"]);
  match(await uplot.text(), /uPlot/);
  const missing = await app.request("/assets/nope.js", { headers: auth });
  strictEqual(missing.status, 404);
});
