// Erasure on the real pipeline: two seeded shops' traffic (one in UTC, one in Australia/Sydney across its
// midnight) goes through the collector, Kafka and ClickHouse, then `deno task erase` removes one
// signed-in shopper of each (with the anonymous id they browse under signed out); every analytics table
// must then equal the ground truth computed without that shopper's sessions, and a copy of one of their
// events read again from Kafka must store nothing.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type Event, topicsFromEnv } from "../contract/mod.ts";
import { buildCatalogue } from "../loadtest/catalogue.ts";
import type { Catalogue } from "../loadtest/catalogue.ts";
import { analyticsTruth, dimProductOfSites } from "../loadtest/truth/tables.ts";
import { pollUntil, startTestPipeline, type TestPipeline } from "../stack/testing.ts";
import { assertChainedSums } from "./helpers/chained_sums.ts";
import { assertTable, readStamps, type SqlRow, tableChecks } from "./helpers/truth_compare.ts";
import { chainCaughtUp } from "./helpers/truth_replay.ts";
import {
  batches,
  buildDataset,
  midnightDataset,
  sendTraffic,
  SITE,
  SITES,
  sitesFile,
  WATERMARK_MS,
} from "./helpers/truth_traffic.ts";

const ERASE_CLI = fileURLToPath(new URL("../processor/erase_cli.ts", import.meta.url));

/** The signed-in shopper with the most sessions among those who bought, and every session of theirs. */
function pickShopper(events: readonly Event[]): { user: string; sessions: Set<string> } {
  const sessionsOf = new Map<string, Set<string>>();
  const anonymousOf = new Map<string, Set<string>>();
  for (const e of events) {
    if (!e.user_id) continue;
    sessionsOf.set(e.user_id, (sessionsOf.get(e.user_id) ?? new Set()).add(e.session_id));
    if (e.anonymous_id) {
      anonymousOf.set(e.user_id, (anonymousOf.get(e.user_id) ?? new Set()).add(e.anonymous_id));
    }
  }
  const buyers = new Set(events.filter((e) => e.type === "purchase" && e.user_id).map((e) => e.user_id!));
  const user =
    [...buyers].sort((a, b) => sessionsOf.get(b)!.size - sessionsOf.get(a)!.size || (a < b ? -1 : 1))[0];
  // Their sessions signed out too: the same browser's anonymous id.
  const anonymous = anonymousOf.get(user) ?? new Set();
  const sessions = new Set(
    events.filter((e) => e.user_id === user || (e.anonymous_id && anonymous.has(e.anonymous_id))).map((e) =>
      e.session_id
    ),
  );
  return { user, sessions };
}

type Shop = (typeof SITES)[number];
const SYDNEY = SITES.find((s) => s.timeZone === "Australia/Sydney")!;

/** Erases the shop's chosen shopper with `deno task erase` and compares the shop's tables with the truth without them. */
async function eraseAndCompare(
  t: Deno.TestContext,
  { pipeline, catalogue, shop, accepted, otherSites }: {
    pipeline: TestPipeline;
    catalogue: Catalogue;
    shop: Shop;
    accepted: Event[];
    /** The other shops' truths' dim_product (the table counts every site). */
    otherSites: () => Promise<ReturnType<typeof analyticsTruth>["dim_product"][]>;
  },
): Promise<{ erased: (e: { session_id: string }) => boolean; kept: Event[] }> {
  const site = shop.id;
  const { user, sessions } = pickShopper(accepted);
  const erased = (e: { session_id: string }) => sessions.has(e.session_id);
  ok(sessions.size >= 1 && accepted.some((e) => erased(e) && e.type === "purchase"), `${site}: a buyer`);

  await t.step(`${site}: deno task erase removes the shopper and says where copies remain`, async () => {
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ERASE_CLI, "--site", site, "--user", user],
      env: pipeline.env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const output = new TextDecoder().decode(run.stdout);
    console.log(output);
    assertEquals(run.code, 0, new TextDecoder().decode(run.stderr));
    const events = new Set(accepted.filter(erased).map((e) => e.event_id)).size;
    ok(output.includes(`${sessions.size} sessions, ${events} events`), output);
    ok(output.includes("retention.ms"), output);
    const list = [...sessions].map((s) => `'${s}'`).join(",");
    const ids = accepted.filter(erased).map((e) => `'${e.event_id}'`).join(",");
    const [left] = await pipeline.rows<Record<string, string>>(
      `SELECT (SELECT count() FROM events WHERE session_id IN (${list})) AS events,
        (SELECT count() FROM counted_events WHERE session_id IN (${list})) AS counted,
        (SELECT count() FROM event_gate WHERE key IN (SELECT sipHash128('${site}', arrayJoin([${ids}])))) AS gated`,
    );
    assertEquals(left, { events: "0", counted: "0", gated: "0" }, "nothing of the shopper is left");
  });

  // The truth without the shopper: their events neither sent nor delivered.
  const kept = accepted.filter((e) => !erased(e));
  const keptIds = new Set(kept.map((e) => e.event_id));
  const stamps = (await readStamps(pipeline, site)).filter((d) => keptIds.has(d.event_id));
  const truthAt = (at: number) =>
    analyticsTruth({
      site,
      sent: kept,
      deliveries: stamps,
      catalogue,
      watermarkMs: WATERMARK_MS,
      now: at,
      settings: shop,
    });
  const [{ q }] = await pipeline.rows<{ q: string }>("SELECT toUnixTimestamp64Milli(now64(3)) AS q");
  const truth = truthAt(Number(q));
  truth.dim_product = dimProductOfSites([truth.dim_product, ...await otherSites()]);
  await t.step(`${site}: every table equals the truth without the shopper`, async () => {
    for (const [name, sql, expected, key] of tableChecks(truth, site)) {
      assertTable(`${site} ${name}`, await pipeline.rows(sql), expected, key);
    }
    // Carts whose fate depends on now(): the truth at the query's now(), read in the same query.
    for (const [name, key] of [["abandoned_carts", "session_id"], ["cart_abandonment", "hour"]] as const) {
      const rows = await pipeline.rows<SqlRow>(
        `SELECT *, toUnixTimestamp64Milli(now64(3)) AS q FROM ${name} WHERE site = '${site}'`,
      );
      const at = rows.length ? Number(rows[0].q) : Number(q);
      assertTable(`${site} ${name}`, rows.map(({ q: _, ...r }) => r), truthAt(at)[name], [key]);
    }
    // The headline numbers' session and cart states, and the breakdowns' visits (clickhouse/016_visits.sql):
    // one per session, an exit per session with a page view.
    const [r] = await pipeline.rows<Record<string, string>>(
      `SELECT (SELECT sum(sessions) FROM session_starts WHERE site = '${site}') AS sessions,
        (SELECT sum(purchase_sessions) FROM session_starts WHERE site = '${site}') AS purchase_sessions,
        (SELECT sum(carts) FROM cart_states WHERE site = '${site}') AS carts,
        (SELECT sum(purchased_carts) FROM cart_states WHERE site = '${site}') AS purchased_carts,
        (SELECT sum(visits) FROM visit_minutes WHERE site = '${site}' AND dimension = 'entry') AS visits,
        (SELECT sum(exits) FROM visit_exits WHERE site = '${site}') AS exits,
        (SELECT uniqExact(session_id) FROM visit_sessions WHERE site = '${site}') AS visit_sessions`,
    );
    assertEquals(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])), {
      sessions: truth.sessions.length,
      purchase_sessions: truth.sessions.filter((x) => x.purchased === 1).length,
      carts: truth.abandoned_carts.length,
      purchased_carts: truth.abandoned_carts.filter((c) => c.status === "purchased").length,
      visits: truth.sessions.length,
      exits: truth.sessions.filter((x) => x.page_views > 0).length,
      visit_sessions: truth.sessions.length,
    });
    // The coarser sums equal the finer tables they are chained from, after the recount.
    await assertChainedSums(pipeline, site);
  });
  return { erased, kept };
}

Deno.test("after `deno task erase`, every analytics table equals the truth without that shopper, and a copy read again stores nothing", async (t) => {
  const sites = sitesFile();
  const pipeline = await startTestPipeline({ env: { COLLECTOR_SITES_FILE: sites } });
  try {
    const catalogue = buildCatalogue({ seed: 77, products: 120, users: 400 });
    const topics = topicsFromEnv((name) => pipeline.env[name]);
    const now = Date.now();
    const utc = await sendTraffic(pipeline, {
      topics,
      catalogue,
      sent: batches(buildDataset(now, catalogue)),
    });
    const sydney = await sendTraffic(pipeline, {
      topics,
      catalogue,
      sent: batches(midnightDataset(now, catalogue, SYDNEY), 60, SYDNEY.id),
    });
    await pollUntil(
      () => pipeline.rows<{ n: string }>("SELECT count() AS n FROM events"),
      ([r]) => Number(r.n) === utc.deliveries + sydney.deliveries,
      { what: "every delivery in ClickHouse", deadlineMs: 120_000, intervalMs: 250 },
    );
    await chainCaughtUp(pipeline);
    // The catalogue arrives through its own Kafka tables, which the erase pauses with the others.
    await pollUntil(
      () => pipeline.rows<{ n: string }>("SELECT count() AS n FROM products FINAL"),
      ([r]) => Number(r.n) === catalogue.products.length,
      { what: "the catalogue's products in ClickHouse", deadlineMs: 60_000, intervalMs: 250 },
    );

    /** A shop's truth now, as it stands (for dim_product, which counts every site). */
    const truthNow = async (shop: Shop, accepted: Event[]) => {
      const ids = new Set(accepted.map((e) => e.event_id));
      const deliveries = (await readStamps(pipeline, shop.id)).filter((d) => ids.has(d.event_id));
      return analyticsTruth({
        site: shop.id,
        sent: accepted,
        deliveries,
        catalogue,
        watermarkMs: WATERMARK_MS,
        now: Date.now(),
        settings: shop,
      }).dim_product;
    };
    // A UTC shop: the recount starts at the midnight of the shopper's first day.
    const first = await eraseAndCompare(t, {
      pipeline,
      catalogue,
      shop: SITES[0],
      accepted: utc.accepted,
      otherSites: async () => [await truthNow(SYDNEY, sydney.accepted)],
    });
    // A shop in Sydney: its days are not UTC days, so the recount covers its whole history.
    await eraseAndCompare(t, {
      pipeline,
      catalogue,
      shop: SYDNEY,
      accepted: sydney.accepted,
      otherSites: async () => [await truthNow(SITES[0], first.kept)],
    });

    await t.step(
      "a copy of an erased event read again from Kafka stores nothing; ingest goes on",
      async () => {
        const copy = utc.accepted.find(first.erased)!;
        const marker = {
          ...first.kept[0],
          event_id: crypto.randomUUID(),
          session_id: "s_after_erasure",
          ts: Date.now(),
        };
        await sendTraffic(pipeline, {
          topics,
          catalogue,
          sent: [{ userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0", events: [copy, marker] }],
        });
        await pollUntil(
          () =>
            pipeline.rows<{ n: string }>(
              `SELECT count() AS n FROM counted_events WHERE event_id = '${marker.event_id}'`,
            ),
          ([r]) => r.n === "1",
          { what: "the event sent after the erasure counted", deadlineMs: 60_000, intervalMs: 250 },
        );
        const [left] = await pipeline.rows<Record<string, string>>(
          `SELECT (SELECT count() FROM events WHERE event_id = '${copy.event_id}') AS events,
          (SELECT count() FROM counted_events WHERE event_id = '${copy.event_id}') AS counted`,
        );
        assertEquals(left, { events: "0", counted: "0" });
      },
    );
  } finally {
    await pipeline.stop();
    await Deno.remove(sites);
  }
});
