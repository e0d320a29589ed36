// The collector's HTTP app. The batch handler only calls the stages in order; everything that
// varies (where events go, what time it is, limits, sites) is passed in, so tests run it without
// a port: `createApp({ sink: new MemorySink(), clock: () => FIXED })` and `app.request()`.
import { Hono } from "hono";
import { cors } from "hono/cors";
import { WRITE_KEY_HEADER } from "./stages/admit.ts";
import { type BatchDeps, batchHandler, DEFAULT_LIMITS, type Limits } from "./batch.ts";
import { CollectorError, errorBody, errorResponse, jsonResponse } from "./errors.ts";
import { IpHasher } from "./clients/ip.ts";
import { ClientHashCache } from "./clients/ip_cache.ts";
import { methodLabel, Metrics } from "./metrics.ts";
import { type Rate, TokenBuckets } from "./clients/rate_limit.ts";
import type { Sink } from "./sinks/sink.ts";
import { Sites } from "./clients/sites.ts";
import { createLogger } from "../lib/log.ts";

const log = createLogger("collector");

export type ClientOptions = {
  /** Header carrying the client IP set by a trusted proxy (last entry wins); else the socket's peer. */
  ipHeader?: string;
  /** Header carrying the country set by the edge in front, e.g. cf-ipcountry. */
  countryHeader?: string;
  ipHasher?: Pick<IpHasher, "hash" | "bucketKey">;
  /** A request budget per client IP across all sites, checked before the body is read. */
  ipRate?: Rate;
};

export type AppOptions = {
  sink: Sink;
  /** True when a failure was because the spool in front of Kafka is full (503 spool_full). */
  spoolFull?: () => boolean;
  topics: { events: string; dlq: string };
  clock?: () => number;
  limits?: Partial<Limits>;
  sites?: Sites;
  client?: ClientOptions;
  metrics?: Metrics;
  /** Mount POST /v1/batch/parse-only: every stage but the publish, for load tests. */
  parseOnly?: boolean;
  /** Routes for the browser SDK (GET /sdk.js, /demo); mounted at the root. */
  sdkRoutes?: Hono;
  /** The text of GET /metrics; by default this app's own `metrics` (main.ts sums its workers'). */
  renderMetrics?: () => string | Promise<string>;
};

export function createApp(options: AppOptions) {
  const { sink, clock = Date.now, sites = Sites.open(), client = {}, metrics = new Metrics() } = options;
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  // A client's hashes are computed once a day (clients/ip_cache.ts): two HMACs per request were half the CPU.
  const clientHashes = new ClientHashCache(client.ipHasher ?? new IpHasher());
  // Apart, so that a flood of new client keys, sweeping its own map, never drops a site's budget.
  const buckets = { sites: new TokenBuckets(), clients: new TokenBuckets() };
  const app = new Hono();

  app.use(async (c, next) => {
    await next();
    const route = c.req.routePath === "/*" ? "other" : c.req.routePath;
    metrics.requests.inc({ route, method: methodLabel(c.req.method), status: String(c.res.status) });
  });
  app.onError((error, c) => {
    if (error instanceof CollectorError) return errorResponse(error);
    log.error("unexpected error", { route: c.req.routePath, error });
    return c.json(errorBody("internal", "Unexpected error; the batch was not stored"), 500);
  });
  app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404));

  app.use(
    "/v1/*",
    cors({
      origin: (origin) => (sites.anyAllows(origin) ? origin : null),
      allowMethods: ["POST", "OPTIONS"],
      allowHeaders: ["Content-Type", "Content-Encoding", WRITE_KEY_HEADER],
      exposeHeaders: ["Retry-After"],
      maxAge: 86400,
    }),
  );

  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/ready", async (c) => {
    const ready = await (sink.ready?.() ?? Promise.resolve(true)).catch(() => false);
    return c.json({ status: ready ? "ready" : "not_ready" }, ready ? 200 : 503);
  });
  const renderMetrics = options.renderMetrics ?? (() => metrics.render());
  app.get(
    "/metrics",
    async (c) => c.text(await renderMetrics(), 200, { "Content-Type": "text/plain; version=0.0.4" }),
  );

  const deps: BatchDeps = {
    ...options,
    clock,
    limits,
    sites,
    clientHashes,
    buckets,
    metrics,
    ipHeader: client.ipHeader,
    countryHeader: client.countryHeader,
    ipRate: client.ipRate,
  };
  const batchRoutes = new Map([["/v1/batch", batchRoute("/v1/batch", batchHandler(deps, true))]]);
  if (options.parseOnly) {
    const route = "/v1/batch/parse-only";
    batchRoutes.set(route, batchRoute(route, batchHandler(deps, false)));
  }
  if (options.sdkRoutes) app.route("/", options.sdkRoutes);

  const hono = app.fetch;
  /** The batch routes first, without Hono's context and middleware (batch.ts); every other route by Hono. */
  const fetch = (request: Request, info?: Deno.ServeHandlerInfo): Response | Promise<Response> => {
    const route = request.method === "POST" ? batchRoutes.get(pathOf(request.url)) : undefined;
    return route ? route(request, info?.remoteAddr) : hono(request, info);
  };
  return Object.assign(app, { metrics, fetch });

  /**
   * What Hono's middleware does for the other routes, for a batch route: the CORS headers of a POST
   * (as `cors()` above answers them), the error catalogue's answers, and the request counter.
   */
  function batchRoute(route: string, handler: ReturnType<typeof batchHandler>) {
    return async (request: Request, peer?: Deno.Addr): Promise<Response> => {
      const headers: Record<string, string> = {
        "Access-Control-Expose-Headers": "Retry-After",
        Vary: "Origin",
      };
      const origin = request.headers.get("Origin");
      if (origin && sites.anyAllows(origin)) headers["Access-Control-Allow-Origin"] = origin;
      let response: Response;
      try {
        const result = await handler(request, (peer as Deno.NetAddr | undefined)?.hostname ?? "");
        response = jsonResponse(result, 202, headers);
      } catch (error) {
        response = error instanceof CollectorError
          ? errorResponse(error, headers)
          : internal(error, route, headers);
      }
      metrics.requests.inc({ route, method: "POST", status: String(response.status) });
      return response;
    };
  }
}

function internal(error: unknown, route: string, headers: Record<string, string>): Response {
  log.error("unexpected error", { route, error });
  return jsonResponse(errorBody("internal", "Unexpected error; the batch was not stored"), 500, headers);
}

/** The path of a request's URL (as the runtime gives it: absolute), without parsing the whole URL. */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const query = url.indexOf("?", start);
  return url.slice(start, query < 0 ? undefined : query);
}
