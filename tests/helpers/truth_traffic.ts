// The truth test's traffic: a seeded shop with duplicates, replayed orders and late events, the
// batches a browser sends, copies from a client whose clock jumped, messages that are not events, and
// two shops in other time zones with traffic across their midnights (the sites file the test runs).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Producer, stringSerializers } from "@platformatic/kafka";
import { loadCatalogue } from "../../clickhouse/load_catalogue.ts";
import type { Event, Topics } from "../../contract/mod.ts";
import type { Catalogue } from "../../loadtest/catalogue.ts";
import type { SiteSettings } from "../../loadtest/truth/tables.ts";
import { localMidnight } from "../../loadtest/truth/units.ts";
import type { Emission } from "../../loadtest/session.ts";
import { createShoppers } from "../../loadtest/shoppers.ts";
import type { TestPipeline } from "../../stack/testing.ts";

export const SITE = "truth";
export const MINUTE = 60_000;
export const WATERMARK_MS = 120_000;

/**
 * The shops of the sites file: `truth` sends product views (its URL patterns off, so a product page
 * counts once), Sydney's too, and Los Angeles' cannot add code: its product views are its page views
 * on /products/{id} (the default URL pattern).
 */
export const SITES: ({ id: string; seed: number; productViewEvents: boolean } & SiteSettings)[] = [
  { id: SITE, seed: 501, productViewEvents: true, productUrlPatterns: [] },
  {
    id: "truth-syd",
    seed: 601,
    productViewEvents: true,
    productUrlPatterns: [],
    timeZone: "Australia/Sydney",
  },
  { id: "truth-la", seed: 602, productViewEvents: false, timeZone: "America/Los_Angeles" },
];

/** The sites file of the test's collector and processor; limits high enough for one client's burst. */
export function sitesFile(): string {
  const path = Deno.makeTempFileSync({ suffix: ".json" });
  const open = { ip_requests_per_second: 1e6, ip_burst: 1e6, events_per_second: 1e6, burst: 1e6 };
  Deno.writeTextFileSync(
    path,
    JSON.stringify({
      sites: SITES.map((s) => ({
        id: s.id,
        ...open,
        ...(s.productUrlPatterns ? { product_url_patterns: s.productUrlPatterns } : {}),
        ...(s.timeZone ? { time_zone: s.timeZone } : {}),
      })),
    }),
  );
  return path;
}

const FAULTS = { duplicates: 0.04, late: 0.03, lateByMs: 10 * MINUTE, orderReplays: 0.15 };
const FUNNEL = { addToCart: 0.35, checkout: 0.8, purchase: 0.85 };

/**
 * Half an hour either side of a shop's last midnight (at least 40 minutes ago, so all of it has
 * happened), in its time zone: one trading day's end and the next one's start.
 */
export function midnightDataset(now: number, catalogue: Catalogue, site: (typeof SITES)[number]): Emission[] {
  const midnight = localMidnight(now - 40 * MINUTE, site.timeZone ?? "UTC");
  return createShoppers({
    catalogue,
    site: site.id,
    seed: site.seed,
    funnel: FUNNEL,
    faults: FAULTS,
    productViewEvents: site.productViewEvents,
    warmupMs: 0,
    start: midnight - 30 * MINUTE,
    eps: 0.5,
  }).until(midnight + 30 * MINUTE);
}

/**
 * Three hours of quiet history with a revenue spike (all of it late by the time it is sent), then
 * four busy minutes up to `now` (mostly on time). Duplicates, replayed orders and late events come
 * from the simulator's fault injection.
 */
export function buildDataset(now: number, catalogue: Catalogue): Emission[] {
  const common = { catalogue, site: SITE, funnel: FUNNEL, faults: FAULTS, warmupMs: 0 };
  const history = createShoppers({
    ...common,
    seed: SITES[0].seed,
    start: now - 180 * MINUTE,
    eps: 0.2,
    anomalies: [{ kind: "spike", from: now - 60 * MINUTE, to: now - 50 * MINUTE, factor: 3 }],
  }).until(now - 5 * MINUTE);
  const live = createShoppers({ ...common, seed: 502, start: now - 4 * MINUTE, eps: 8 }).until(now);
  return [...history, ...live];
}

export type Batch = { userAgent: string; events: Event[]; clockSkewMs?: number; site?: string };

/** Batches of one browser (one User-Agent) at a time, in send order, at most `size` events each. */
export function batches(emissions: Emission[], size = 60, site = SITE): Batch[] {
  const out: Batch[] = [];
  const open = new Map<string, Event[]>();
  for (const e of [...emissions].sort((a, b) => a.at - b.at)) {
    const events = open.get(e.userAgent) ?? [];
    events.push(e.event);
    open.set(e.userAgent, events);
    if (events.length === size) {
      out.push({ userAgent: e.userAgent, events, site });
      open.delete(e.userAgent);
    }
  }
  for (const [userAgent, events] of open) out.push({ userAgent, events, site });
  return out;
}

const SKEW_MS = 20 * MINUTE;

/**
 * Copies of a quarter of the history each, sent last by a client whose clock has since jumped 20
 * minutes ahead or behind: the collector stamps each copy 20 minutes before or after its first
 * delivery, across many minute and window edges. The first delivery still decides (it arrived
 * first), so no number may move; a reader that filters by the copies' times before
 * deduplicating would count them (the dashboard's window scope must not).
 */
export function skewedCopies(emissions: Emission[], now: number): Batch[] {
  const old = emissions.filter((e) => e.event.ts < now - 30 * MINUTE).map((e) => e.event);
  const userAgent =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
  const out: Batch[] = [];
  for (const [clockSkewMs, rest] of [[SKEW_MS, 0], [-SKEW_MS, 1]]) {
    const events = old.filter((_, i) => i % 4 === rest);
    for (let i = 0; i < events.length; i += 60) {
      out.push({ userAgent, events: events.slice(i, i + 60), clockSkewMs });
    }
  }
  return out;
}

// Messages that are not events: not JSON; JSON that is not an event; an object that only looks like
// JSON; a message of two such lines around an empty one (one ingest error per line, the empty line
// skipped: clickhouse/018_kafka.sql).
export const NOT_EVENTS = [
  "{not json",
  '{"site":"truth","hello":1}',
  '{"event_id": "e", broken}',
  'not json\n\n{"hello":2}',
];

export type Sent = { deliveries: number; accepted: Event[]; refused: Record<string, number> };

/** Loads the catalogue, produces the malformed messages, and posts every batch to the collector. */
export async function sendTraffic(
  pipeline: TestPipeline,
  { topics, catalogue, sent }: { topics: Topics; catalogue: Catalogue; sent: Batch[] },
): Promise<Sent> {
  let deliveries = 0;
  const accepted: Event[] = [];
  const refused: Record<string, number> = {};
  const loaded = await loadCatalogue({
    brokers: [pipeline.kafkaBootstrap],
    topics: { products: topics.products.name, users: topics.users.name },
    catalogue,
  });
  assertEquals(loaded.products, 120);
  const producer = new Producer({
    clientId: "truth-test",
    bootstrapBrokers: [pipeline.kafkaBootstrap],
    serializers: stringSerializers,
  });
  await producer.send({
    messages: NOT_EVENTS.map((value) => ({
      topic: topics.events.name,
      value,
    })),
  });
  await producer.close();
  for (const batch of sent) {
    const response = await fetch(`${pipeline.collectorUrl}/v1/batch`, {
      method: "POST",
      headers: { "Content-Type": "text/plain", "User-Agent": batch.userAgent },
      body: JSON.stringify({
        site: batch.site ?? SITE,
        sent_at: Date.now() + (batch.clockSkewMs ?? 0),
        events: batch.events,
      }),
    });
    assertEquals(response.status, 202, await response.clone().text());
    const result = await response.json() as {
      accepted: number;
      results: { index: number; status: string; code?: string }[];
    };
    deliveries += result.accepted;
    for (const r of result.results) {
      if (r.status === "accepted") accepted.push(batch.events[r.index]);
      else refused[r.code ?? r.status] = (refused[r.code ?? r.status] ?? 0) + 1;
    }
  }
  assertEquals(deliveries, accepted.length);
  // The only refusals: a batch repeating an event (the simulator's quick duplicates land in one batch).
  assertEquals(
    Object.keys(refused).filter((code) => code !== "duplicate_event_id"),
    [],
    JSON.stringify(refused),
  );
  return { deliveries, accepted, refused };
}
