// POST /v1/batch: the stages in order, from the request to the per-event answer. It takes the
// runtime's Request as it is (no framework context): app.ts routes the batch paths here before Hono,
// whose context, routing and middleware were a sixth of a 1-event request's CPU.
import { admit, limit } from "./stages/admit.ts";
import { decode } from "./stages/decode.ts";
import { type Client, countryCode, enrich, parseUserAgent } from "./stages/enrich.ts";
import {
  DEFAULT_VALIDATE_LIMITS,
  mayHoldBadText,
  validateEnvelope,
  validateEvents,
  type ValidateLimits,
} from "./stages/validate.ts";
import { type BatchResult, batchResult, messages, publish } from "./stages/publish.ts";
import { readBody } from "./stages/read_body.ts";
import type { ClientHashCache } from "./clients/ip_cache.ts";
import type { Rate, TokenBuckets } from "./clients/rate_limit.ts";
import type { Sites } from "./clients/sites.ts";
import type { Metrics } from "./metrics.ts";
import type { Sink, SinkMessage } from "./sinks/sink.ts";

export type Limits = ValidateLimits & { maxBodyBytes: number; maxJsonDepth: number };

export const DEFAULT_LIMITS: Limits = {
  ...DEFAULT_VALIDATE_LIMITS,
  maxBodyBytes: 512 * 1024,
  maxJsonDepth: 16,
};

export type BatchDeps = {
  sink: Sink;
  spoolFull?: () => boolean;
  topics: { events: string; dlq: string };
  clock: () => number;
  limits: Limits;
  sites: Sites;
  clientHashes: ClientHashCache;
  buckets: { sites: TokenBuckets; clients: TokenBuckets };
  ipHeader?: string;
  countryHeader?: string;
  ipRate?: Rate;
  metrics: Metrics;
};

/** The batch handler; `publishing: false` is the parse-only route (every stage but the publish). */
export function batchHandler(deps: BatchDeps, publishing: boolean) {
  const { sink, topics, clock, limits, sites, clientHashes, buckets, metrics } = deps;
  return async (request: Request, peer: string): Promise<BatchResult> => {
    const receivedAt = clock();
    const headers = request.headers;
    const ip = deps.ipHeader ? (headers.get(deps.ipHeader) ?? "").split(",").pop()!.trim() : peer;
    const known = clientHashes.of(ip, receivedAt);
    const client = known instanceof Promise ? await known : known;
    if (deps.ipRate) {
      limit(buckets.clients.take(`ip:${client.bucketKey}`, 1, deps.ipRate, receivedAt), "this client");
    }
    // The body goes straight into the stages, and the answer is built before the wait for Kafka: what
    // stays alive over that wait (acks=all, 10-100 ms, long enough for V8 to move it to the old
    // generation) is the messages and the answer, not the body, its parsed events and their rows.
    const { batch, result } = checkBatch(request, await readBody(request, limits), client, receivedAt);
    if (publishing) await publish(sink, batch, deps.spoolFull);
    metrics.events.inc({ outcome: "accepted", reason: "" }, result.accepted);
    if (result.dropped) metrics.events.inc({ outcome: "dropped", reason: "bot" }, result.dropped);
    for (const r of result.results) {
      if (r.status === "rejected") metrics.events.inc({ outcome: "rejected", reason: r.code! });
    }
    return result;
  };

  /** decode, validate, admit, enrich: the body to the messages to publish and the answer to give. */
  function checkBatch(
    request: Request,
    body: string,
    { bucketKey: clientKey, hash: ipHash }: { bucketKey: string; hash: string },
    receivedAt: number,
  ): { batch: SinkMessage[]; result: BatchResult } {
    const headers = request.headers;
    const envelope = validateEnvelope(decode(body, limits), limits);
    const site = admit(request, {
      siteId: envelope.site,
      eventCount: envelope.events.length,
      clientKey,
      sites,
      buckets,
      now: receivedAt,
    });
    const checked = validateEvents(envelope, { receivedAt, limits, walk: mayHoldBadText(body) });
    const about: Client = {
      ...parseUserAgent(headers.get("User-Agent") ?? ""),
      ip_hash: ipHash,
      country: countryCode(deps.countryHeader ? headers.get(deps.countryHeader) ?? undefined : undefined),
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
    return {
      batch: messages({ topics, rows, rejected: checked.rejected, site: site.id, receivedAt }),
      result: batchResult({
        accepted: checked.accepted.map((a) => ({ index: a.index, event_id: a.event.event_id })),
        rejected: checked.rejected,
        dropped,
        warnings: checked.warnings,
      }),
    };
  }
}
