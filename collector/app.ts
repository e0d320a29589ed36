// The collector's HTTP app. The batch handler only calls the stages in order; everything that
// varies (where events go, what time it is, limits, sites) is passed in, so tests run it without
// a port: `createApp({ sink: new MemorySink(), clock: () => FIXED })` and `app.request()`.
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { admit, limit, WRITE_KEY_HEADER } from "./stages/admit.ts";
import { decode } from "./stages/decode.ts";
import { type Client, countryCode, enrich, parseUserAgent } from "./stages/enrich.ts";
import { CollectorError, errorBody, errorResponse } from "./errors.ts";
import { IpHasher } from "./clients/ip.ts";
import { ClientHashCache } from "./clients/ip_cache.ts";
import { methodLabel, Metrics } from "./metrics.ts";
import { batchResult, messages, publish } from "./stages/publish.ts";
import { type Rate, TokenBuckets } from "./clients/rate_limit.ts";
import { readBody } from "./stages/read_body.ts";
import type { Sink } from "./sinks/sink.ts";
import { Sites } from "./clients/sites.ts";
import { createLogger } from "../lib/log.ts";
import {
  DEFAULT_VALIDATE_LIMITS,
  validateEnvelope,
  validateEvents,
  type ValidateLimits,
} from "./stages/validate.ts";

const log = createLogger("collector");

export type Limits = ValidateLimits & { maxBodyBytes: number; maxJsonDepth: number };

export const DEFAULT_LIMITS: Limits = {
  ...DEFAULT_VALIDATE_LIMITS,
  maxBodyBytes: 512 * 1024,
  maxJsonDepth: 16,
};

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
  const { sink, topics, clock = Date.now, sites = Sites.open(), client = {}, metrics = new Metrics() } =
    options;
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
    if (error instanceof CollectorError) return errorResponse(c, error);
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

  const handle = (publishing: boolean) => async (c: Context) => {
    const receivedAt = clock();
    const ip = clientIp(c, client.ipHeader);
    const known = clientHashes.of(ip, receivedAt);
    const { bucketKey: clientKey, hash: ipHash } = known instanceof Promise ? await known : known;
    if (client.ipRate) {
      limit(buckets.clients.take(`ip:${clientKey}`, 1, client.ipRate, receivedAt), "this client");
    }
    const body = await readBody(c, limits);
    const envelope = validateEnvelope(decode(body, limits), limits);
    const site = admit(c, {
      siteId: envelope.site,
      eventCount: envelope.events.length,
      clientKey,
      sites,
      buckets,
      now: receivedAt,
    });
    const checked = validateEvents(envelope, { receivedAt, limits });
    const about: Client = {
      ...parseUserAgent(c.req.header("User-Agent") ?? ""),
      ip_hash: ipHash,
      country: countryCode(client.countryHeader ? c.req.header(client.countryHeader) : undefined),
    };
    const dropped = about.is_bot === 1 && site.bots === "drop";
    const rows = dropped ? [] : enrich(checked.accepted.map((a) => a.event), {
      site: site.id,
      keepQuery: site.keepQuery,
      productUrl: site.productUrl,
      sentAt: envelope.sentAt,
      receivedAt,
      client: about,
    });
    const batch = messages({ topics, rows, rejected: checked.rejected, site: site.id, receivedAt });
    if (publishing) await publish(sink, batch, options.spoolFull);
    const result = batchResult({
      accepted: checked.accepted.map((a) => ({ index: a.index, event_id: a.event.event_id })),
      rejected: checked.rejected,
      dropped,
      warnings: checked.warnings,
    });
    metrics.events.inc({ outcome: "accepted", reason: "" }, result.accepted);
    if (result.dropped) metrics.events.inc({ outcome: "dropped", reason: "bot" }, result.dropped);
    for (const r of checked.rejected) metrics.events.inc({ outcome: "rejected", reason: r.code });
    return c.json(result, 202);
  };

  app.post("/v1/batch", handle(true));
  if (options.parseOnly) app.post("/v1/batch/parse-only", handle(false));
  if (options.sdkRoutes) app.route("/", options.sdkRoutes);

  return Object.assign(app, { metrics });
}

/** The client's address: the last entry of the trusted proxy's header, else the TCP peer. */
function clientIp(c: Context, header?: string): string {
  if (header) return (c.req.header(header) ?? "").split(",").pop()!.trim();
  const info = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return info?.remoteAddr?.hostname ?? "";
}
