// Erasure of one shopper of a site (`deno task erase --site S --user U`): every event of their
// sessions leaves ClickHouse, and every aggregate they touched is recounted without them
// (processor/erase.sql says how). Run by the processor's own user, never through the read-only SQL
// endpoint (processor/admin.ts, or erase_cli.ts straight against a ClickHouse server).
//
// The shopper: the sessions with an event whose user_id or anonymous_id is U, and, when U is a
// user id, every anonymous id signed in as U (the same browser signed out). Whole sessions: a
// session is one browser's visit, so none is left half counted.
//
// Ingest is paused meanwhile (the Kafka tables detached, the hourly recount stopped): a block counted
// between the copy and the recount of a day would be lost or counted twice. Kafka keeps what arrives
// and the consumers resume where they stopped.
import { fileURLToPath } from "node:url";
import { SiteId } from "../contract/mod.ts";
import type { Engine } from "./engine/engine.ts";
import { splitStatements } from "./migrate.ts";

export const ERASE_SQL = fileURLToPath(new URL("./erase.sql", import.meta.url));

/**
 * Every view erase.sql was written for: how the erasure treats its table is decided there (recounted,
 * taken back, cleaned, or left: ingest_minutes counts deliveries, not shoppers). A view added since may
 * feed a table the recount would count twice or the erasure would leave the shopper in, so the erase
 * refuses to run until erase.sql says what becomes of it (tests/analytics_erasure_test.ts fails then).
 */
const REVIEWED_VIEWS = [
  "cart_minutes_mv",
  "cart_states_mv",
  "copies_in_block_mv",
  "copies_mv",
  "counted_events_mv",
  "deliveries_in_block_mv",
  "deliveries_mv",
  "event_gate_mv",
  "events_mv",
  "events_parse_mv",
  "funnel_hour_counts_mv",
  "funnel_minutes_mv",
  "ingest_errors_mv",
  "ingest_minutes_mv",
  "kafka_events_2_mv",
  "kafka_events_mv",
  "order_gate_mv",
  "product_days_mv",
  "product_hours_mv",
  "product_minutes_mv",
  "product_touches_mv",
  "products_errors_mv",
  "products_mv",
  "revenue_five_minutes_mv",
  "revenue_hours_mv",
  "revenue_minutes_mv",
  "session_blocks_mv",
  "session_changes_mv",
  "session_gate_mv",
  "session_starts_mv",
  "traffic_days_mv",
  "traffic_hours_mv",
  "users_errors_mv",
  "users_mv",
  "visit_blocks_mv",
  "visit_changes_mv",
  "visit_days_mv",
  "visit_exits_mv",
  "visit_gate_mv",
  "visit_hours_mv",
  "visit_minutes_mv",
  "visit_sessions_mv",
];

const SCRATCH = ["erase_sessions", "erase_scope", "erase_recount", "erase_visits"];

export type ErasureRequest = { site: string; user: string };

export type ErasureReport = {
  site: string;
  user: string;
  /** The shopper's sessions, now in erased_sessions. */
  sessions: number;
  /** Rows removed from `events` (every delivery, copies included). */
  deliveries: number;
  /** Counted events removed (each event once). */
  events: number;
  orders: number;
  /** From when (UTC) the site's aggregates were recounted, and the other events counted again. */
  since: string;
  recounted: number;
};

/** The reason a request cannot be run, or undefined. */
export function invalidRequest(request: Partial<ErasureRequest>): string | undefined {
  if (typeof request.site !== "string" || !SiteId.safeParse(request.site).success) {
    return "'site' must be a site id (lowercase letters, digits, '-' or '_')";
  }
  if (typeof request.user !== "string" || request.user.length === 0 || request.user.length > 128) {
    return "'user' must be the shopper's user id or anonymous id (1 to 128 characters)";
  }
  return undefined;
}

export async function eraseShopper(engine: Engine, request: ErasureRequest): Promise<ErasureReport> {
  const invalid = invalidRequest(request);
  if (invalid) throw new Error(`Cannot erase: ${invalid}`);
  await refuseUnknownViews(engine);
  const statements = splitStatements(await Deno.readTextFile(ERASE_SQL));
  const kafkaTables = (await engine.rows<{ name: string }>(
    "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine = 'Kafka' ORDER BY name",
  )).map((t) => t.name);
  for (const table of SCRATCH) await engine.command(`DROP TABLE IF EXISTS ${table}`);
  for (const table of kafkaTables) await engine.command(`DETACH TABLE ${table}`);
  await engine.command("SYSTEM STOP VIEW funnel_hour_counts_mv");
  try {
    await engine.command("CREATE TABLE erase_sessions (site String, session_id String) ENGINE = Memory");
    await engine.command("CREATE TABLE erase_scope (site String, since DateTime('UTC')) ENGINE = Memory");
    await engine.command(
      "CREATE TABLE erase_recount ENGINE = Memory AS SELECT * FROM counted_events WHERE 0",
    );
    await engine.query(
      `INSERT INTO erase_sessions
      SELECT DISTINCT site, session_id FROM events
      WHERE site = {site:String}
        AND (user_id = {user:String} OR anonymous_id = {user:String} OR anonymous_id IN (
          SELECT anonymous_id FROM events WHERE site = {site:String} AND user_id = {user:String} AND anonymous_id != ''))`,
      { params: request },
    );
    // The recount's start (erase.sql): the UTC midnight of the shopper's first day, or 1970 for a
    // site whose days are not UTC days.
    await engine.query(
      `INSERT INTO erase_scope
      SELECT {site:String}, if(
        (SELECT count() FROM site_zones WHERE site = {site:String} AND arrayExists(o -> o != 0, offsets)) > 0
          OR (SELECT countIf(utc_offset != 0) FROM counted_events WHERE site = {site:String}) > 0,
        toDateTime(0, 'UTC'),
        toStartOfDay((SELECT min(event_time) FROM counted_events
          WHERE (site, session_id) IN (SELECT site, session_id FROM erase_sessions))))`,
      { params: request },
    );
    const [found] = await engine.rows<Record<string, string | number>>(
      `SELECT (SELECT count() FROM erase_sessions) AS sessions,
        (SELECT count() FROM events WHERE (site, session_id) IN (SELECT site, session_id FROM erase_sessions))
          AS deliveries,
        (SELECT count() FROM counted_events WHERE (site, session_id) IN (SELECT site, session_id FROM erase_sessions))
          AS events,
        (SELECT countIf(type = 'purchase' AND is_replay = 0) FROM counted_events
          WHERE (site, session_id) IN (SELECT site, session_id FROM erase_sessions)) AS orders,
        (SELECT toString(any(since)) FROM erase_scope) AS since`,
    );
    if (Number(found.sessions) > 0) { for (const statement of statements) await engine.command(statement); }
    const [{ recounted }] = await engine.rows<{ recounted: string }>(
      "SELECT count() AS recounted FROM erase_recount",
    );
    return {
      ...request,
      sessions: Number(found.sessions),
      deliveries: Number(found.deliveries),
      events: Number(found.events),
      orders: Number(found.orders),
      since: String(found.since),
      recounted: Number(recounted),
    };
  } finally {
    for (const table of SCRATCH) await engine.command(`DROP TABLE IF EXISTS ${table}`);
    for (const table of kafkaTables) await engine.command(`ATTACH TABLE ${table}`);
    await engine.command("SYSTEM START VIEW funnel_hour_counts_mv");
  }
}

/** Refuses to run when a view exists that erase.sql was not written for (REVIEWED_VIEWS). */
async function refuseUnknownViews(engine: Engine): Promise<void> {
  const views = (await engine.rows<{ name: string }>(
    "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine = 'MaterializedView'",
  )).map((v) => v.name);
  const unknown = views.filter((v) => !REVIEWED_VIEWS.includes(v));
  if (unknown.length > 0) {
    throw new Error(
      `Cannot erase: processor/erase.sql was not written for ${
        unknown.join(", ")
      }: the recount could count ` +
        `their tables twice or leave the shopper in them. Say in erase.sql what the erasure does to them, ` +
        `then add them to REVIEWED_VIEWS in processor/erase.ts`,
    );
  }
}
