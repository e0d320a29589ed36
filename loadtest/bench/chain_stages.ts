// What each materialized view of the write path costs, in µs of CPU per event: the catch-up rows of
// `deno task bench` say how fast the whole chain goes, this says where its time goes.
//
//   deno run -A loadtest/bench/chain_stages.ts [events=1000000] [per-message=20] [block-lines=50000] [rounds=3] [days=1]
//
// One day is the catch-up's backlog (backlog.ts: sessions anywhere in the day, so a block spans all of it and
// the visit minutes take ~1.7 rows per event); more days arrive in time order, as a topic holds them, so a
// block spans block-lines / (events / days) days (10M events over 30 days: ~4 hours).
//
// The clickhouse/ files on a fresh embedded engine with the processor's config, its Kafka tables
// dropped (nothing consumes); the bench's backlog (backlog.ts) pushed through `kafka_messages` in
// blocks, every intermediate stream captured into a Memory table. Then each view alone: its SELECT over
// its captured input, block by block, into a copy of its target that has no views, the gates emptied
// first as in a catch-up, merges stopped; rounds alternate the views, so a busy machine's drift hits
// all of them. A view's figure is the process's CPU for it, minus reading its input, per event of the
// backlog. chdb keeps no system.query_views_log, which would give this in one run.
import process from "node:process";
import { Session } from "chdb";
import { topicsFromEnv } from "../../contract/mod.ts";
import { processorConfig } from "../../processor/config.ts";
import { CONNECTION_ARGS } from "../../processor/engine/embedded_engine.ts";
import { readSqlFiles, SINGLE_NODE, splitStatements, substitute } from "../../processor/migrate.ts";
import { backlogBatches } from "./backlog.ts";

type View = { name: string; source: string; target: string; select: string; columns?: string };

const [events = 1_000_000, perMessage = 20, blockLines = 50_000, rounds = 3, days = 1] = Deno.args.map(
  Number,
);
const root = await Deno.makeTempDir({ prefix: "shoptrail-chain-stages-" });
const session = new Session(`${root}/clickhouse`, { connectionArgs: CONNECTION_ARGS });
const q = (sql: string) => session.query(sql, "TSV").trim();
const cpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

try {
  const values = {
    ...processorConfig(() => undefined).sqlValues,
    ...SINGLE_NODE,
    KAFKA_BROKERS: "127.0.0.1:1",
  };
  for (const file of await readSqlFiles()) {
    for (const statement of splitStatements(substitute(file.sql, values, file.name))) q(statement);
  }
  // Nothing consumes: the Kafka tables and their forwarding views go, and so do refreshable views
  // (they run on a timer, not per block).
  for (
    const line of q("SELECT name, dependencies_table FROM system.tables WHERE engine = 'Kafka'").split("\n")
  ) {
    const [table, views] = line.split("\t");
    for (const view of JSON.parse(views.replaceAll("'", '"')) as string[]) q(`DROP VIEW ${view}`);
    q(`DROP TABLE ${table}`);
  }
  for (
    const view of q("SELECT name FROM system.tables WHERE create_table_query LIKE '%REFRESH%'").split("\n")
  ) {
    if (view) q(`DROP VIEW ${view}`);
  }

  const views: View[] = q(
    "SELECT name, create_table_query FROM system.tables WHERE database = currentDatabase() AND engine = 'MaterializedView' FORMAT TSVRaw",
  ).split("\n").map((line) => {
    const [name, create] = line.split("\t");
    const select = create.slice(create.search(/\bAS\s+(?:\(\s*)?(?:SELECT|WITH)\b/) + 3);
    return {
      name,
      target: /\bTO (?:\w+\.)?(\w+)/.exec(create)![1],
      source: /\bFROM (?:\w+\.)?(\w+)/.exec(select)![1],
      select,
    };
  });
  const sources = [...new Set(views.map((v) => v.source))];
  for (const source of sources) {
    q(`CREATE TABLE stage_in_${source} ENGINE = Memory AS SELECT * FROM ${source} LIMIT 0`);
    q(`CREATE MATERIALIZED VIEW stage_in_${source}_mv TO stage_in_${source} AS SELECT * FROM ${source}`);
  }

  // The backlog as the consumers would insert it: a message's lines share its offset.
  const topic = topicsFromEnv(() => undefined).events.name;
  let offset = 0;
  let pending: string[] = [];
  let lines = 0;
  const flush = () => {
    if (pending.length === 0) return;
    q(`INSERT INTO kafka_messages (raw, topic, partition, offset) FORMAT TSV\n${pending.join("\n")}`);
    pending = [];
  };
  for (const { messages } of backlogBatches(topic, { events, perMessage, days })) {
    for (const message of messages) {
      for (const line of message.value.split("\n")) {
        pending.push(`${line.replaceAll("\\", "\\\\")}\t${topic}\t0\t${offset}`);
        if (pending.length === blockLines) flush();
        lines++;
      }
      offset++;
    }
  }
  flush();
  const blocks = Math.ceil(lines / blockLines);
  for (const source of sources) q(`DROP VIEW stage_in_${source}_mv`);
  for (
    const gate of q("SELECT name FROM system.tables WHERE engine = 'EmbeddedRocksDB' AND name LIKE '%_gate'")
      .split("\n")
  ) {
    q(`TRUNCATE TABLE ${gate}`);
  }
  q("SYSTEM STOP MERGES");

  const rowsOf = Object.fromEntries(sources.map((s) => [s, Number(q(`SELECT count() FROM stage_in_${s}`))]));
  const blockOf = (source: string) =>
    `(SELECT * FROM stage_in_${source} LIMIT ${Math.ceil(rowsOf[source] / blocks)} OFFSET `;
  const spent: Record<string, number[]> = {};
  for (const view of views) q(`CREATE TABLE stage_out_${view.name} AS ${view.target}`);
  for (let round = 0; round < rounds; round++) {
    for (const view of views) {
      const per = Math.ceil(rowsOf[view.source] / blocks);
      const started = cpuUs();
      for (let at = 0; at < rowsOf[view.source]; at += per) {
        // Every reference to the source: a view may read its block twice (visit_blocks_mv's UNION ALL).
        const select = view.select.replace(
          new RegExp(`\\bFROM (?:\\w+\\.)?${view.source}\\b(?:\\s+AS\\s+(\\w+))?`, "g"),
          (_, alias?: string) => `FROM ${blockOf(view.source)}${at}) AS ${alias ?? view.source}`,
        );
        // Views write by column name: the target may have more columns (defaults) than the SELECT.
        view.columns ??= q(`DESCRIBE (${select})`).split("\n").map((l) => `\`${l.split("\t")[0]}\``).join(
          ", ",
        );
        q(`INSERT INTO stage_out_${view.name} (${view.columns}) ${select}`);
      }
      (spent[view.name] ??= []).push((cpuUs() - started) / lines);
    }
    for (const source of sources) {
      const per = Math.ceil(rowsOf[source] / blocks);
      const started = cpuUs();
      for (let at = 0; at < rowsOf[source]; at += per) {
        q(`SELECT count() FROM ${blockOf(source)}${at}) FORMAT Null`);
      }
      (spent[`reading ${source}`] ??= []).push((cpuUs() - started) / lines);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = views.map((v) => ({
    ...v,
    us: median(spent[v.name]) - median(spent[`reading ${v.source}`]),
    inRows: rowsOf[v.source],
  })).sort((a, b) => b.us - a.us);
  console.log(
    `${
      lines.toLocaleString("en-US")
    } events over ${days} day(s), ${perMessage} per message, blocks of ${blockLines} lines, ${rounds} rounds\n`,
  );
  console.log("| view | reads | writes | rows in | µs of CPU per event |\n| --- | --- | --- | --- | --- |");
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.source} | ${r.target} | ${r.inRows.toLocaleString("en-US")} | ${r.us.toFixed(2)} |`,
    );
  }
  console.log(`| all | | | | ${rows.reduce((sum, r) => sum + r.us, 0).toFixed(1)} |`);
} finally {
  session.close();
  await Deno.remove(root, { recursive: true });
}
