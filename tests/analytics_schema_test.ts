// The ClickHouse SQL on its own: numbering, the Kafka column list against the contract, and every
// file applied to a fresh embedded ClickHouse, with every table and view answering a query.
// No broker is needed: Kafka engine tables connect lazily.
import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { toKafkaRow } from "../contract/mod.ts";
import { kafkaLine } from "../contract/mod.ts";
import type { Enrichment, Event } from "../contract/mod.ts";
import { processorConfig } from "../processor/config.ts";
import { EmbeddedEngine } from "../processor/engine/embedded_engine.ts";
import { migrate, readSqlFiles, splitStatements, SQL_DIR } from "../processor/migrate.ts";
import { inOwnProcess } from "../lib/own_process.ts";

/** Every table and view issue 5 names, plus the helpers they are built from. */
export const ANALYTICS_OBJECTS = [
  "events",
  "ingest_errors",
  "funnel_1m",
  "session_funnel",
  "product_performance",
  "product_performance_hourly",
  "pageview_metrics",
  "sessions",
  "abandoned_carts",
  "cart_abandonment",
  "daily_orders",
  "daily_revenue_by_category",
  "daily_funnel",
  "dim_user",
  "dim_product",
  "hourly_kpis",
  "revenue_anomalies",
  "products",
  "users",
  "late_events",
  "events_by_id",
  "events_unique",
  "orders",
  "order_items",
  "revenue_1m",
  "product_activity",
  "event_gate",
  "order_gate",
  "counted_events",
  "copies",
  "funnel_minutes",
  "funnel_1h",
  "traffic_hours",
  "traffic_days",
  "revenue_minutes",
  "product_hours",
  "session_gate",
  "session_starts",
  "cart_states",
  "ingest_minutes",
  "funnel_hour_counts",
  "product_minutes",
  "visit_gate",
  "visit_minutes",
  "visit_hours",
  "visit_days",
  "visit_exits",
  "visit_sessions",
  "product_days",
  "revenue_five_minutes",
  "revenue_hours",
  "cart_minutes",
  "alert_state",
  "alert_deliveries",
];

Deno.test("clickhouse/ files are numbered 001, 002, ... without gaps or repeats, and nothing else is there", async () => {
  const files = await readSqlFiles();
  assertEquals(files.map((f) => Number(f.name.slice(0, 3))), files.map((_, i) => i + 1));
  for await (const entry of Deno.readDir(SQL_DIR)) {
    if (entry.name.endsWith(".sql")) {
      ok(/^\d{3}_[a-z0-9_]+\.sql$/.test(entry.name), `${entry.name} is not named NNN_role.sql`);
    }
  }
});

Deno.test("the Kafka engine tables come last, so nothing is consumed before every view behind them exists", async () => {
  const statements = (await readSqlFiles()).flatMap((f) => splitStatements(f.sql));
  const firstKafka = statements.findIndex((s) => /ENGINE = Kafka\b/.test(s));
  ok(firstKafka > 0, "a Kafka engine table is created");
  // After the first Kafka table: only Kafka tables, copies of them, and the views that read them.
  const after = statements.slice(firstKafka).filter((s) =>
    !/ENGINE = Kafka\b/.test(s) && !/\bAS kafka_\w+;?$/.test(s) && !/\bFROM kafka_\w+\s*(WHERE|;|$)/.test(s)
  );
  assertEquals(after, []);
});

Deno.test("the events row type has exactly the keys of toKafkaRow, and every parse view's JSONExtract parses that type", async () => {
  const files = await readSqlFiles();
  const sql = files.find((f) => f.name === "003_parse.sql")!.sql;
  const declared = sql.slice(sql.indexOf("row Tuple(") + 4, sql.indexOf("    error String,"));
  const columns = [...declared.matchAll(/^\s{8}([a-z_]+) [A-Z]/gm)].map((m) => m[1]);
  const typeText = (text: string) =>
    text.replace(/--.*$/gm, "").replace(/\s+/g, " ").replaceAll("( ", "(").trim();
  const parsers = files.filter((f) => f.sql.includes("JSONExtract(raw, '"));
  assertEquals(parsers.map((f) => f.name), ["003_parse.sql"]);
  for (const { sql } of parsers) {
    const extracted = sql.slice(sql.indexOf("JSONExtract(raw, '") + 18, sql.indexOf("') AS row,"));
    assertEquals(typeText(extracted), typeText(declared).replace(/,$/, ""));
  }
  const event = {
    event_id: crypto.randomUUID(),
    type: "page_view",
    ts: 1,
    session_id: "s",
    url: "https://x.test/",
  };
  // Every enrichment field a collector may set: keys left undefined vanish in JSON.
  const keys = Object.keys(JSON.parse(JSON.stringify(toKafkaRow(event as Event, enrichmentOf("s")))));
  assertEquals([...columns].sort(), [...keys].sort());
});

/** An enrichment with every field a collector may set, all empty. */
const enrichmentOf = (site: string): Enrichment => ({
  site,
  received_at: 1,
  event_time: 1,
  browser: "",
  os: "",
  device_type: "",
  is_bot: 0,
  ip_hash: "",
  country: "",
});

const APPLIES = "every SQL file applies on a fresh embedded ClickHouse and every table and view answers";
// Its embedded engine must not share a process with another test's (lib/own_process.ts).
if (inOwnProcess(import.meta.url, APPLIES)) {
  Deno.test(APPLIES, async () => {
    const dir = await Deno.makeTempDir({ prefix: "shoptrail-schema-" });
    const engine = new EmbeddedEngine(dir);
    try {
      const values = processorConfig(() => undefined).sqlValues;
      const report = await migrate(engine, { values: { ...values, KAFKA_BROKERS: "127.0.0.1:1" } });
      assertEquals(report.applied.length, (await readSqlFiles()).length);
      // Two Kafka tables of one consumer each in the same group, both feeding the one parse view; never
      // a consumer pool (a pool lost partitions to an idle-consumer close: clickhouse/018_kafka.sql).
      const kafka = await engine.rows<{ name: string; views: string[]; engine_full: string }>(
        "SELECT name, dependencies_table AS views, engine_full FROM system.tables WHERE name LIKE 'kafka\\_events%' AND engine = 'Kafka' ORDER BY name",
      );
      assertEquals(kafka.map((t) => [t.name, t.views]), [
        ["kafka_events", ["kafka_events_mv"]],
        ["kafka_events_2", ["kafka_events_2_mv"]],
      ]);
      for (const t of kafka) {
        ok(/kafka_num_consumers = 1\b/.test(t.engine_full), t.engine_full);
        // A message read whole and split into its lines by the forwarding view.
        ok(/kafka_format = 'RawBLOB'/.test(t.engine_full), t.engine_full);
      }
      const [group1, group2] = kafka.map((t) => t.engine_full.match(/kafka_group_name = '([^']*)'/)?.[1]);
      assertEquals(group1, group2);
      const [messages] = await engine.rows<{ views: string[] }>(
        "SELECT dependencies_table AS views FROM system.tables WHERE name = 'kafka_messages'",
      );
      assertEquals(messages.views, ["events_parse_mv"]);
      // Wider merges of events (catch-up CPU: clickhouse/001_events.sql).
      const [events] = await engine.rows<{ engine_full: string }>(
        "SELECT engine_full FROM system.tables WHERE name = 'events'",
      );
      ok(/merge_selector_base = 10\b/.test(events.engine_full), events.engine_full);
      // The collector leaves a row's empty fields out of its line (kafkaLine): the parse view must
      // read that line as the whole row. Two page views of site 'k', alike but for event_id, of now:
      // a row past the events TTL may be dropped by a TTL merge before it is read.
      const now = Date.now();
      const emptyRow = (event_id: string) =>
        toKafkaRow(
          { event_id, type: "page_view", ts: now, session_id: "s", url: "https://x.test/" } as Event,
          { ...enrichmentOf("k"), received_at: now, event_time: now },
        );
      await engine.command(
        `INSERT INTO kafka_messages (raw) VALUES ('${JSON.stringify(emptyRow("whole"))}'), ('${
          kafkaLine(emptyRow("slim"))
        }')`,
      );
      const parsed = await engine.rows<Record<string, unknown>>(
        "SELECT * EXCEPT event_id FROM events WHERE site = 'k' ORDER BY event_id DESC",
      );
      assertEquals(parsed.length, 2);
      const [whole, slim] = parsed;
      ok(kafkaLine(emptyRow("slim")).length < JSON.stringify(emptyRow("slim")).length / 2);
      assertEquals(slim, whole);
      // One purchase and one page view written directly (the SQL endpoint never allows this).
      await engine.command(
        `INSERT INTO events (event_id, type, site, event_time, client_ts, received_at, user_key,
      session_id, url, currency, order_id, revenue, items, viewport) VALUES
      ('e1', 'page_view', 's', now64(3), now64(3), now64(3), 'u1', 's1', 'https://x.test/products/p1', '', '', 0, [], '390x844'),
      ('e2', 'purchase', 's', now64(3), now64(3), now64(3), 'u1', 's1', 'https://x.test/ty', 'EUR', 'o1', 19.99,
       [('p1', 1, 19.99)], '390x844')`,
      );
      for (const name of ANALYTICS_OBJECTS) {
        await engine.rows(`SELECT * FROM ${name} LIMIT 10`);
      }
      for await (const entry of Deno.readDir(`${SQL_DIR}queries`)) {
        await engine.rows(
          (await Deno.readTextFile(`${SQL_DIR}queries/${entry.name}`)).replaceAll("'demo'", "'s'"),
        );
      }
      const hop = await engine.rows<{ revenue: number }>(
        "SELECT * FROM revenue_hop(size_minutes = 5, hop_minutes = 1) WHERE site = 's'",
      );
      assertEquals(hop.map((r) => r.revenue), [19.99, 19.99, 19.99, 19.99, 19.99]);
      // A copy of e1 (a later block, another minute) and a replayed purchase of o1: the gates
      // (clickhouse/005_first_delivery.sql) turn both away, and only `copies` and the raw `events` see them.
      await engine.command(
        `INSERT INTO events (event_id, type, site, event_time, client_ts, received_at, user_key,
      session_id, url, currency, order_id, revenue, items, viewport, _offset) VALUES
      ('e1', 'page_view', 's', now64(3) + INTERVAL 2 MINUTE, now64(3), now64(3), 'u1', 's1', 'https://x.test/products/p1', '', '', 0, [], '390x844', 1),
      ('e3', 'purchase', 's', now64(3), now64(3), now64(3), 'u1', 's1', 'https://x.test/ty', 'EUR', 'o1', 19.99,
       [('p1', 1, 19.99)], '390x844', 2)`,
      );
      assertEquals(
        await engine.rows(
          "SELECT event_id, is_replay FROM counted_events WHERE site = 's' ORDER BY event_id",
        ),
        [{ event_id: "e1", is_replay: 0 }, { event_id: "e2", is_replay: 0 }, {
          event_id: "e3",
          is_replay: 1,
        }],
      );
      assertEquals(
        await engine.rows("SELECT kind, id, copies FROM copies FINAL WHERE site = 's' ORDER BY kind"),
        [{ kind: "event", id: "e1", copies: 1 }, { kind: "order", id: "o1", copies: 1 }],
      );
      assertEquals(
        await engine.rows("SELECT viewers, purchasers FROM funnel_1m WHERE site = 's'"),
        [{ viewers: 1, purchasers: 1 }],
      );
      // One session that bought (clickhouse/012_session_states.sql): the copy and the replay change neither its start nor its count.
      assertEquals(
        await engine.rows(
          "SELECT sum(sessions) AS n, sum(purchase_sessions) AS bought FROM session_starts WHERE site = 's'",
        ),
        [{ n: 1, bought: 1 }],
      );
      const again = await engine.rows<{ revenue: number }>(
        "SELECT * FROM revenue_hop(size_minutes = 5, hop_minutes = 1) WHERE site = 's'",
      );
      assertEquals(again.map((r) => r.revenue), [19.99, 19.99, 19.99, 19.99, 19.99]);
      // Copies inside one block: the block's first row in read order counts (offset 10, stamped 5 minutes
      // later than the copies after it, so a block sorted by time would pick another), the rest are copies;
      // the same for a purchase read twice and a replay of its order in that block.
      await engine.command(
        `INSERT INTO events (event_id, type, site, event_time, client_ts, received_at, user_key,
      session_id, url, currency, order_id, revenue, items, viewport, _offset) VALUES
      ('e4', 'page_view', 's', now64(3) + INTERVAL 10 MINUTE, now64(3), now64(3), 'u1', 's1', 'https://x.test/', '', '', 0, [], '390x844', 10),
      ('e4', 'page_view', 's', now64(3) + INTERVAL 5 MINUTE, now64(3), now64(3), 'u1', 's1', 'https://x.test/', '', '', 0, [], '390x844', 11),
      ('e4', 'page_view', 's', now64(3) + INTERVAL 5 MINUTE, now64(3), now64(3), 'u1', 's1', 'https://x.test/', '', '', 0, [], '390x844', 12),
      ('e5', 'purchase', 's', now64(3) + INTERVAL 10 MINUTE, now64(3), now64(3), 'u1', 's1', 'https://x.test/ty', 'EUR', 'o2', 5, [('p1', 1, 5)], '390x844', 10),
      ('e5', 'purchase', 's', now64(3) + INTERVAL 5 MINUTE, now64(3), now64(3), 'u1', 's1', 'https://x.test/ty', 'EUR', 'o2', 5, [('p1', 1, 5)], '390x844', 11),
      ('e6', 'purchase', 's', now64(3) + INTERVAL 5 MINUTE, now64(3), now64(3), 'u1', 's1', 'https://x.test/ty', 'EUR', 'o2', 5, [('p1', 1, 5)], '390x844', 12)`,
      );
      assertEquals(
        await engine.rows(
          `SELECT event_id, _offset AS offset, is_replay FROM counted_events
          WHERE site = 's' AND event_id IN ('e4', 'e5', 'e6') ORDER BY event_id`,
        ),
        [
          { event_id: "e4", offset: 10, is_replay: 0 },
          { event_id: "e5", offset: 10, is_replay: 0 },
          { event_id: "e6", offset: 12, is_replay: 1 },
        ],
      );
      assertEquals(
        await engine.rows(
          "SELECT kind, id, sum(copies) AS copies FROM copies WHERE site = 's' GROUP BY kind, id ORDER BY kind, id",
        ),
        [
          { kind: "event", id: "e1", copies: 1 },
          { kind: "event", id: "e4", copies: 2 },
          { kind: "event", id: "e5", copies: 1 },
          { kind: "order", id: "o1", copies: 1 },
          { kind: "order", id: "o2", copies: 1 },
        ],
      );
      // Locked as the processor locks it: its own reads (readonly = 2 sessions) filter with settings but
      // cannot write.
      await engine.lockReadOnly({ maxExecutionTimeS: 30, maxResultRows: 1000 });
      const filtered = await engine.rows(
        "SELECT event_id FROM events WHERE event_id < 'e4' ORDER BY event_id",
        {},
        {
          additional_table_filters: "{'events': 'type = \\'purchase\\''}",
        },
      );
      assertEquals(filtered, [{ event_id: "e2" }, { event_id: "e3" }]);
      await rejects(
        engine.rows("INSERT INTO products (id) VALUES ('x')", {}, { max_threads: "1" }),
        /readonly/i,
      );
      // The processor's own reads (readonly = 2 sessions since they run side by side) may carry
      // settings, but not the one that would lift the lock.
      await rejects(engine.rows("SELECT 1 SETTINGS readonly = 0"), /readonly/i);
      await rejects(engine.rows("INSERT INTO products (id) SETTINGS readonly = 0 VALUES ('x')"), /readonly/i);
    } finally {
      await engine.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  });
}

Deno.test("clickhouse/README.md documents every table and view and shows every example query", async () => {
  const readme = await Deno.readTextFile(`${SQL_DIR}README.md`);
  for (const name of ANALYTICS_OBJECTS) {
    ok(readme.includes(`\`${name}\``), `README.md does not mention \`${name}\``);
  }
  for await (const entry of Deno.readDir(`${SQL_DIR}queries`)) {
    const sql = (await Deno.readTextFile(`${SQL_DIR}queries/${entry.name}`)).trim();
    ok(readme.includes(sql), `README.md does not show queries/${entry.name} as it is`);
  }
});
