// The dashboard and SQL console, mounted by the processor under /dashboard on its SQL port. Every
// route sits behind the SQL endpoint's own users (HTTP basic auth, so the browser asks once and
// sends the credentials with each refresh); the console's statements go through the SQL endpoint
// itself, on the engine's read-only session. Because the browser sends those credentials on behalf
// of any page, the JSON API also wants proof of the same origin, and no other site may frame a page.
import { type Context, Hono } from "hono";
import { basicAuth } from "hono/basic-auth";
import { secureHeaders } from "hono/secure-headers";
import { fileURLToPath } from "node:url";
import { type Engine, EngineError } from "../engine/engine.ts";
import { sqlHttpApp, type SqlUsers, statusOfCode } from "../sql/http_sql.ts";
import { sameOrigin } from "../same_origin.ts";
import type { OffsetSource } from "../kafka_offsets.ts";
import { loadPanels, PanelError } from "./panels.ts";
import { siteLookups } from "./site_lookups.ts";
import { filterOf, WindowError, windowOf } from "./window.ts";
import { engineRunner, PANEL_QUERIES, QUERIES_DIR, type QueryFiles, readQueryFiles } from "./queries.ts";

const UI_DIR = new URL("./ui/", import.meta.url);
const UPLOT_DIR = new URL("../../node_modules/uplot/dist/", import.meta.url);

/** Files the pages load, all local: the UI and uPlot from node_modules (no CDN). */
const ASSETS: Record<string, { url: URL; type: string }> = {
  "api.js": { url: new URL("api.js", UI_DIR), type: "text/javascript" },
  "dashboard.js": { url: new URL("dashboard.js", UI_DIR), type: "text/javascript" },
  "tables.js": { url: new URL("tables.js", UI_DIR), type: "text/javascript" },
  "breakdowns.js": { url: new URL("breakdowns.js", UI_DIR), type: "text/javascript" },
  "csv.js": { url: new URL("csv.js", UI_DIR), type: "text/javascript" },
  "console.js": { url: new URL("console.js", UI_DIR), type: "text/javascript" },
  "style.css": { url: new URL("style.css", UI_DIR), type: "text/css" },
  "console.css": { url: new URL("console.css", UI_DIR), type: "text/css" },
  "uPlot.iife.min.js": { url: new URL("uPlot.iife.min.js", UPLOT_DIR), type: "text/javascript" },
  "uPlot.min.css": { url: new URL("uPlot.min.css", UPLOT_DIR), type: "text/css" },
};

/**
 * The pages load only this origin's files and talk only to it: no inline script or style (the UI has
 * none), no frame of another site around them (clickjacking), no HSTS (the processor serves plain
 * HTTP; a proxy in front decides about TLS).
 */
const PAGE_HEADERS = {
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    connectSrc: ["'self'"],
    imgSrc: ["'self'", "data:"], // the pages' empty favicon (data:,), so the browser asks for no /favicon.ico
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: "DENY",
  strictTransportSecurity: false,
};

function crossOriginRefused(c: Context, message: string) {
  return c.json({ error: { code: "cross_origin_refused", message } }, 403);
}

export type DashboardOptions = {
  /** Runs the panels' SQL files. */
  engine: Engine;
  /** Runs the console's statements through the SQL endpoint; `engine` unless given (server mode: the reader). */
  sqlEngine?: Engine;
  users: SqlUsers;
  kafka?: OffsetSource;
  alerts?: { view(): unknown };
  clock?: () => number;
  queries?: QueryFiles;
};

export async function dashboardRoutes(o: DashboardOptions) {
  const queries = o.queries ?? await readQueryFiles(PANEL_QUERIES, QUERIES_DIR);
  const run = engineRunner(o.engine);
  const sites = siteLookups({ run, queries, clock: o.clock });
  const sql = sqlHttpApp({ engine: o.sqlEngine ?? o.engine, users: o.users });
  const [user, ...others] = [...o.users].map(([username, password]) => ({ username, password }));
  const app = new Hono();

  app.use("*", secureHeaders(PAGE_HEADERS));
  app.use("*", basicAuth({ ...user, realm: "Shoptrail" }, ...others));
  app.use("*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  });
  // The pages send X-Requested-With on every API call (ui/api.js); a page of another site cannot
  // without a CORS preflight, which nothing here answers.
  app.use("/api/*", sameOrigin({ requireHeader: "X-Requested-With", refuse: crossOriginRefused }));

  app.get("/", (c) => page(c.html, "dashboard.html"));
  app.get("/console", (c) => page(c.html, "console.html"));
  app.get("/assets/:file", async (c) => {
    const asset = ASSETS[c.req.param("file")];
    if (!asset) {
      return c.text(`No asset ${c.req.param("file")}; there are: ${Object.keys(ASSETS).join(", ")}`, 404);
    }
    return c.body(await Deno.readFile(asset.url), 200, { "Content-Type": `${asset.type}; charset=UTF-8` });
  });

  app.get("/api/panels", async (c) => {
    const now = (o.clock ?? Date.now)();
    try {
      const filter = filterOf(c.req.query("filter"));
      return c.json(
        await loadPanels({
          run,
          queries,
          sites,
          kafka: o.kafka,
          alerts: o.alerts && (() => o.alerts!.view()),
        }, {
          site: c.req.query("site"),
          // Taken once the site's time zone is known: custom dates are its days.
          window: (timeZone) => windowOf(c.req.query(), now, timeZone),
          filter,
          // The bench's per-panel rows: each panel's read alone (panels.ts).
          timing: c.req.query("timing") === "each" ? "each" : "together",
        }),
      );
    } catch (error) {
      if (error instanceof WindowError) {
        return c.json({ error: { code: error.code, message: error.message } }, 400);
      }
      if (!(error instanceof PanelError)) throw error;
      const code = error.cause instanceof EngineError ? error.cause.code : 0;
      return c.json({
        error: {
          code: "panel_query_failed",
          panel: error.panel,
          clickhouse_code: code,
          message: error.message,
        },
      }, statusOfCode(code) as 500);
    }
  });
  app.get("/api/alerts", (c) => c.json(o.alerts?.view() ?? null));
  /** The dashboard's own SQL files, so the console can open them. */
  app.get("/api/queries", (c) => c.json(queries));

  // The console's statement, handed to the SQL endpoint as a ClickHouse client would send it (same
  // credentials, one statement, the engine's read-only session), answered in ClickHouse's JSON.
  app.post("/api/sql", async (c) => {
    const target = new URL("http://processor/?default_format=JSON");
    for (const [key, value] of Object.entries(c.req.queries())) {
      if (key.startsWith("param_")) target.searchParams.set(key, value[0]);
    }
    const forwarded = new Request(target, {
      method: "POST",
      body: await c.req.text(),
      headers: { Authorization: c.req.header("Authorization") ?? "" },
    });
    return await sql.fetch(forwarded);
  });

  return app;
}

async function page(html: (body: string) => Response | Promise<Response>, name: string) {
  return html(await Deno.readTextFile(fileURLToPath(new URL(name, UI_DIR))));
}
