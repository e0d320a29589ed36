// The dashboard's routes with app.request(): a fake engine that answers by query file, a fixed clock.
import { deepStrictEqual as assertEquals, doesNotMatch, match, ok, strictEqual } from "node:assert/strict";
import { type Engine, EngineError, parseRows, type QueryResult } from "../engine/engine.ts";
import { dashboardRoutes } from "./routes.ts";
import { PANEL_QUERIES, type QueryFiles } from "./queries.ts";
import { zoneOffsets } from "../site_zones.ts";

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
    // The SQL endpoint's guard (sql_guard.ts): the statement formatted, then its syntax tree.
    if (sql.startsWith("SELECT formatQuerySingleLine")) {
      const statement = JSON.stringify({ statement: o.params?.sql });
      return Promise.resolve({ text: statement, elapsedMs: 0, rowsRead: 0 });
    }
    if (sql.startsWith("EXPLAIN AST SELECT")) {
      return Promise.resolve({ text: '{"explain":"SelectWithUnionQuery"}', elapsedMs: 0, rowsRead: 0 });
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
  writeOwn(): Promise<void> {
    return Promise.reject(new Error("not used"));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const auth = { Authorization: `Basic ${btoa("default:secret")}` };
/** What the pages send to the JSON API (ui/api.js). */
const api = { ...auth, "X-Requested-With": "shoptrail-dashboard" };

async function setup(clock = () => NOW) {
  const engine = new FakeEngine();
  const app = await dashboardRoutes({
    engine,
    users: new Map([["default", "secret"]]),
    queries,
    clock,
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
  const response = await app.request("/api/panels?range=15m", { headers: api });
  strictEqual(response.status, 200);
  const body = await response.json();
  const unfiltered = { filter_dim: "", filter_value: "" };
  assertEquals(body.params, {
    site: "shop-a",
    from: "2025-11-22 10:15:15",
    to: "2025-11-22 10:30:15",
    ...unfiltered,
    grain: "minute",
    revenue_table: "revenue_minutes",
  });
  assertEquals([body.to - body.from, body.site, body.sites], [15 * 60_000, "shop-a", ["shop-a", "shop-b"]]);
  assertEquals(body.kpis, { sessions: "12", conversion_rate: 0.25 });
  const ran = new Set(engine.calls.map((c) => c.sql.match(/^-- (\w+)/)?.[1]));
  assertEquals([...ran].sort(), PANEL_QUERIES.filter((q) => !q.startsWith("filtered_")).sort());
  strictEqual(response.headers.get("Cache-Control"), "no-store");
});

Deno.test("/api/panels picks the grain's tables by the range's length, never from the request", async () => {
  const { app, engine } = await setup();
  const picked = async (query: string) => {
    engine.calls.length = 0;
    const response = await app.request(`/api/panels?${query}`, { headers: api });
    strictEqual(response.status, 200);
    return new Set(
      engine.calls.filter((c) => c.params?.from).map((c) => `${c.params?.grain} ${c.params?.revenue_table}`),
    );
  };
  assertEquals(await picked("range=24h&grain=x&revenue_table=users"), new Set(["minute revenue_minutes"]));
  assertEquals(await picked("range=7d&param_revenue_table=users"), new Set(["hour revenue_hours"]));
});

Deno.test("/api/panels runs the KPIs and revenue totals over the previous period of the same length", async () => {
  const { app, engine } = await setup();
  const body = await (await app.request("/api/panels?range=1h", { headers: api })).json();
  assertEquals([body.previousParams.from, body.previousParams.to], [
    "2025-11-22 08:30:15",
    "2025-11-22 09:30:15",
  ]);
  const previous = engine.calls.filter((c) => c.params?.to === "2025-11-22 09:30:15");
  assertEquals(previous.map((c) => c.sql.match(/^-- (\w+)/)?.[1]).sort(), ["kpis", "revenue_totals"]);
  assertEquals(body.previous.kpis, { sessions: "12", conversion_rate: 0.25 });
});

Deno.test("/api/panels reads the site list and a site's zone once a minute, every panel each time", async () => {
  let now = NOW;
  const { app, engine } = await setup(() => now);
  const ran = () => engine.calls.map((c) => c.sql.match(/^-- (\w+)/)?.[1]);
  const count = (name: string) => ran().filter((n) => n === name).length;
  await app.request("/api/panels?range=15m", { headers: api });
  engine.answers.sites = [{ site: "shop-c", events: "99" }];
  now += 59_000;
  const cached = await (await app.request("/api/panels?range=15m", { headers: api })).json();
  assertEquals([count("sites"), count("site_zone"), count("kpis"), cached.sites], [1, 1, 4, [
    "shop-a",
    "shop-b",
  ]]);
  now += 1_000;
  const fresh = await (await app.request("/api/panels?range=15m", { headers: api })).json();
  assertEquals([count("sites"), count("site_zone"), count("kpis"), fresh.sites], [2, 2, 6, ["shop-c"]]);
});

Deno.test("/api/panels?timing=each times each panel's read alone; by default all together", async () => {
  const { app } = await setup();
  const together = await (await app.request("/api/panels?range=1h", { headers: api })).json();
  strictEqual(together.timing, "together");
  ok(typeof together.timings.panels === "number" && together.timings.kpis === undefined);
  const each = await (await app.request("/api/panels?range=1h&timing=each", { headers: api })).json();
  strictEqual(each.timing, "each");
  ok(
    ["kpis", "previous_kpis", "funnel", "kafka_consumers"].every((p) => typeof each.timings[p] === "number"),
  );
  assertEquals(each.kpis, together.kpis);
});

Deno.test("/api/panels with ?filter= runs the filtered files and passes the filter to every query", async () => {
  const { app, engine } = await setup();
  const response = await app.request("/api/panels?range=24h&filter=country:DE", { headers: api });
  strictEqual(response.status, 200);
  const body = await response.json();
  assertEquals(body.filter, { dimension: "country", value: "DE" });
  assertEquals([body.files.kpis, body.files.top_pages], ["filtered_kpis", "filtered_top_pages"]);
  const ran = new Set(engine.calls.map((c) => c.sql.match(/^-- (\w+)/)?.[1]));
  for (
    const name of ["filtered_kpis", "filtered_funnel", "filtered_revenue_totals", "filtered_revenue_sliding"]
  ) {
    ok(ran.has(name), name);
  }
  ok(!ran.has("kpis") && !ran.has("funnel"));
  const panelCalls = engine.calls.filter((c) => c.params?.from);
  ok(panelCalls.every((c) => c.params?.filter_dim === "country" && c.params?.filter_value === "DE"));
});

Deno.test("/api/panels takes custom dates as whole UTC days for a site in UTC, today ending at the clock's second", async () => {
  const { app } = await setup();
  const body = await (await app.request("/api/panels?from=2025-11-20&to=2025-11-22", { headers: api }))
    .json();
  assertEquals([body.range, body.params.from, body.params.to, body.step], [
    "custom",
    "2025-11-20 00:00:00",
    "2025-11-22 10:30:15",
    3600,
  ]);
  const day = await (await app.request("/api/panels?from=2025-11-21&to=2025-11-21", { headers: api })).json();
  assertEquals([day.params.from, day.params.to, day.step], [
    "2025-11-21 00:00:00",
    "2025-11-22 00:00:00",
    60,
  ]);
});

Deno.test("/api/panels takes custom dates as the site's days: Sydney's midnights in UTC", async () => {
  const { app, engine } = await setup();
  engine.answers.site_zone = [{ time_zone: "Australia/Sydney" }];
  const body =
    await (await app.request("/api/panels?site=shop-b&from=2025-11-20&to=2025-11-21", { headers: api }))
      .json();
  // November is daylight saving time there (UTC+11): local midnight is 13:00 UTC the day before.
  assertEquals([body.timeZone, body.params.from, body.params.to], [
    "Australia/Sydney",
    "2025-11-19 13:00:00",
    "2025-11-21 13:00:00",
  ]);
  const zoneCall = engine.calls.find((c) => c.sql.startsWith("-- site_zone"));
  strictEqual(zoneCall?.params?.site, "shop-b");
  // Across the change to daylight saving (5 October 2025, 02:00 → 03:00): a day of 23 hours.
  const change = await (await app.request("/api/panels?from=2025-10-05&to=2025-10-05", { headers: api }))
    .json();
  assertEquals([change.params.from, change.params.to], ["2025-10-04 14:00:00", "2025-10-05 13:00:00"]);
  // Today in Sydney (22 November, 21:30 there) is a day the clock's UTC date has not reached yet.
  const today = await (await app.request("/api/panels?from=2025-11-22&to=2025-11-22", { headers: api }))
    .json();
  assertEquals([today.params.from, today.params.to], ["2025-11-21 13:00:00", "2025-11-22 10:30:15"]);
});

/**
 * The hour keys an hourly table holds for events every minute of [from, to) (Unix s), computed as
 * traffic_hours_mv does: toStartOfHour(event_time + utc_offset) - utc_offset, the offset looked up in
 * site_zones' changes and offsets as counted_events does.
 */
function tableHourKeys(timeZone: string, from: number, to: number): number[] {
  const { changes, offsets } = zoneOffsets(timeZone);
  const keys = new Set<number>();
  for (let t = Math.floor(from / 60) * 60; t < to; t += 60) {
    const offset = offsets[changes.filter((c) => c <= t).length];
    keys.add(t - (((t + offset) % 3600) + 3600) % 3600);
  }
  return [...keys].sort((a, b) => a - b);
}

Deno.test("/api/panels: the hours the hourly charts plot are the hourly tables' keys, in half- and quarter-hour zones", async () => {
  const { app, engine } = await setup();
  const cases: [string, string][] = [
    ["Asia/Kolkata", "range=7d"], // +5:30: hours start at :30 UTC
    ["Asia/Kathmandu", "range=30d"], // +5:45: at :15
    ["Australia/Adelaide", "from=2025-10-04&to=2025-10-06"], // +9:30 → +10:30 on 5 October
    ["Australia/Sydney", "from=2025-10-04&to=2025-10-06"], // whole hours, a 23-hour day
    ["Australia/Lord_Howe", "from=2025-10-04&to=2025-10-06"], // +10:30 → +11: the hours shift by half
    ["UTC", "range=7d"],
  ];
  for (const [i, [timeZone, query]] of cases.entries()) {
    engine.answers.site_zone = [{ time_zone: timeZone }];
    // A site of its own per zone: a site's zone is read once a minute (site_lookups.ts).
    const body = await (await app.request(`/api/panels?site=zone-${i}&${query}`, { headers: api })).json();
    strictEqual(body.step, 3600, timeZone);
    const from = body.from / 1000, to = body.to / 1000;
    // Every hour of the site that overlaps the window, from the one that holds `from`.
    const keys = tableHourKeys(timeZone, from - 3600, to).filter((k) => k + 3600 > from);
    assertEquals(body.hours, keys, `${timeZone} ${query}`);
  }
  // Ranges of a day or less chart minutes: no hours.
  strictEqual((await (await app.request("/api/panels?range=24h", { headers: api })).json()).hours, null);
});

Deno.test("/api/panels refuses an unknown range, bad dates and a bad filter with a code and a message", async () => {
  const { app } = await setup();
  const body = await (await app.request("/api/panels?range=24h&site=shop-b", { headers: api })).json();
  assertEquals([body.params.site, body.params.from], ["shop-b", "2025-11-21 10:30:15"]);
  const cases: [string, string, RegExp][] = [
    [
      "range=90d",
      "bad_range",
      /range must be one of 15m, 1h, 24h, 7d, 30d \(or from= and to= dates\); got "90d"/,
    ],
    ["from=2025-11-20", "bad_dates", /from= and to= as YYYY-MM-DD; got to=null/],
    ["from=2025-11-23&to=2025-11-20", "bad_dates", /must be a day before or equal to to/],
    ["from=2025-01-01&to=2025-11-20", "bad_dates", /at most 92 days; got 324/],
    ["filter=planet:mars", "bad_filter", /dimension of page, entry, source, .*; got "planet:mars"/],
    ["filter=country:", "bad_filter", /got "country:"/],
  ];
  for (const [query, code, message] of cases) {
    const bad = await app.request(`/api/panels?${query}`, { headers: api });
    strictEqual(bad.status, 400, query);
    const { error } = await bad.json();
    strictEqual(error.code, code, query);
    match(error.message, message, query);
  }
});

Deno.test("/api/panels names the panel whose query timed out, with the engine's code and status", async () => {
  const { engine, app } = await setup();
  engine.failures.kpis = new EngineError(
    159,
    "Code: 159. DB::Exception: Timeout exceeded: elapsed 30030.6 ms, maximum: 30000 ms. (TIMEOUT_EXCEEDED)\nstack",
  );
  const response = await app.request("/api/panels?range=24h", { headers: api });
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
    headers: api,
  });
  strictEqual(ok.status, 200);
  assertEquals(engine.calls.at(-1)?.params, { site: "shop-a" });
  const refused = await app.request("/api/sql", { method: "POST", body: "DROP TABLE events", headers: api });
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

const API_CALLS: { path: string; init?: RequestInit }[] = [
  { path: "/api/panels?range=15m" },
  { path: "/api/alerts" },
  { path: "/api/queries" },
  { path: "/api/sql", init: { method: "POST", body: "SELECT 1" } },
];

Deno.test("the JSON API refuses the owner's credentials without X-Requested-With, running nothing", async () => {
  const { app, engine } = await setup();
  for (const { path, init } of API_CALLS) {
    // What a cross-site form or beacon sends on a browser without Sec-Fetch-Site (plain HTTP hosts).
    const response = await app.request(path, { ...init, headers: { ...auth, "Content-Type": "text/plain" } });
    strictEqual(response.status, 403, path);
    const { error } = await response.json();
    strictEqual(error.code, "cross_origin_refused", path);
    match(error.message, /the header X-Requested-With is missing/);
  }
  assertEquals(engine.calls, []);
});

Deno.test("the JSON API refuses a request from another site's page even with X-Requested-With", async () => {
  const { app, engine } = await setup();
  const crossSite: Record<string, string>[] = [{ Origin: "https://evil.example" }, {
    "Sec-Fetch-Site": "cross-site",
  }, {
    Origin: "null",
  }];
  for (const { path, init } of API_CALLS) {
    for (const headers of crossSite) {
      const response = await app.request(`http://127.0.0.1:8123${path}`, {
        ...init,
        headers: { ...api, ...headers },
      });
      const { error } = await response.json();
      assertEquals(
        [response.status, error.code],
        [403, "cross_origin_refused"],
        `${path} ${Object.keys(headers)}`,
      );
      match(error.message, /^Cross-site request refused: /);
    }
  }
  assertEquals(engine.calls, []);
  const own = await app.request("http://127.0.0.1:8123/api/sql", {
    method: "POST",
    body: "SELECT 1",
    headers: { ...api, Origin: "http://127.0.0.1:8123", "Sec-Fetch-Site": "same-origin" },
  });
  strictEqual(own.status, 200);
});

Deno.test("a wrong password is still a 401 on the API, whatever the origin headers say", async () => {
  const { app } = await setup();
  const response = await app.request("/api/sql", {
    method: "POST",
    body: "SELECT 1",
    headers: { Authorization: `Basic ${btoa("default:wrong")}`, Origin: "https://evil.example" },
  });
  strictEqual(response.status, 401);
});

Deno.test("pages forbid framing, inline code and other origins (CSP, X-Frame-Options)", async () => {
  const { app } = await setup();
  for (const path of ["/", "/console"]) {
    const response = await app.request(path, { headers: auth });
    const csp = response.headers.get("Content-Security-Policy") ?? "";
    for (const directive of ["default-src 'self'", "script-src 'self'", "connect-src 'self'"]) {
      ok(csp.split("; ").includes(directive), `${path}: ${directive} in ${csp}`);
    }
    ok(csp.split("; ").includes("frame-ancestors 'none'"), `${path}: ${csp}`);
    doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    strictEqual(response.headers.get("X-Frame-Options"), "DENY", path);
    strictEqual(response.headers.get("Cross-Origin-Resource-Policy"), "same-origin", path);
  }
});

Deno.test("the pages hold no inline script, style or handler that the CSP would block", async () => {
  for (const name of ["dashboard.html", "console.html"]) {
    const html = await Deno.readTextFile(new URL(`./ui/${name}`, import.meta.url));
    doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${name}: inline <script>`);
    doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=|javascript:/i, `${name}: inline style or handler`);
  }
});

Deno.test("no CORS grant: a preflight from another site gets no Access-Control-Allow-*", async () => {
  const { app } = await setup();
  for (const { path } of API_CALLS) {
    const response = await app.request(path, {
      method: "OPTIONS",
      headers: {
        Origin: "https://evil.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-requested-with",
      },
    });
    const granted = [...response.headers.keys()].filter((h) => h.startsWith("access-control-"));
    assertEquals([response.status, granted], [401, []], path);
  }
});
