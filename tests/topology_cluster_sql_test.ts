// The cluster variants of the SQL are generated from clickhouse/*.sql (processor/cluster_sql.ts); this
// test fails when they would state another schema than the single node. The embedded engine formats
// every statement of both; with the cluster-only parts taken away (ON CLUSTER, `_local`, the Replicated
// engines' Keeper arguments), each single-node statement must have exactly one cluster counterpart, in
// the ingest or the data role, formatted to the same text: same columns, types, defaults, indexes,
// engine, keys, TTL, settings and SELECTs. The only other cluster statements are the Distributed tables,
// each with the single-node columns.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { processorConfig } from "../processor/config.ts";
import { clusterFiles, type ClusterRole } from "../processor/cluster_sql.ts";
import {
  readSqlFiles,
  SINGLE_NODE,
  splitStatements,
  type SqlFile,
  substitute,
} from "../processor/migrate.ts";
import { parseWithEngine } from "./helpers/engine.ts";

const values = processorConfig(() => undefined).sqlValues;

type Statement = { role: ClusterRole | "single"; file: string; sql: string; formatted?: string };

const split = (role: Statement["role"], files: SqlFile[], extra: Record<string, string> = {}): Statement[] =>
  files.flatMap((f) =>
    splitStatements(substitute(f.sql, { ...extra, ...values }, f.name)).map((sql) => ({
      role,
      file: f.name,
      sql,
    }))
  );

const files = await readSqlFiles();
const single = split("single", files, SINGLE_NODE);
const cluster = [
  ...split("ingest", await clusterFiles(files, "ingest")),
  ...split("data", await clusterFiles(files, "data")),
];
// Parsed once, in a child process (see helpers/engine.ts); each test reads the answers.
const answers = await parseWithEngine([...cluster, ...single].map((s) => s.sql));
[...cluster, ...single].forEach((s, i) => s.formatted = answers[i].ok ? answers[i].text : undefined);

const isDistributed = (s: Statement) => /\bENGINE = Distributed\(/.test(s.formatted ?? "");
const HEAD = /^(CREATE (?:MATERIALIZED VIEW|VIEW|TABLE)|ALTER TABLE) (?:IF NOT EXISTS )?(\w+)/;
const nameOf = (s: Statement) => s.formatted?.match(HEAD)?.[2];
/** What a statement is about: its kind and object (an ALTER is about its table). */
const keyOf = (text: string) => text.match(HEAD)!.slice(1, 3).join(" ");

/** A formatted cluster statement with the cluster-only parts taken away. */
function normalised(formatted: string): string {
  return formatted
    .replace(/ ON CLUSTER [`']\{\w+\}[`']/g, "")
    .replace(/\b(\w+)_local\b/g, "$1")
    .replace(/\bReplicated(\w*MergeTree)\('\/clickhouse\/tables\/[^']*', '[^']*'(?:, )?/g, "$1(")
    .replace(/MergeTree\(\)/g, "MergeTree");
}

/** The tables a shard stores its share of (`name_local` on the data nodes). */
const sharded = new Set(
  cluster.filter((s) => s.role === "data" && /^CREATE TABLE IF NOT EXISTS \w+_local\b/.test(s.formatted!))
    .map((s) => nameOf(s)!.replace(/_local$/, "")),
);

/**
 * The single-node text a cluster statement must equal: `CREATE TABLE a AS b` of a sharded b gets b's
 * storage (a copy of a replicated table needs a Keeper path of its own, so its engine is stated).
 */
function expected(s: Statement, byName: Map<string, Statement>): string {
  const copy = s.formatted!.match(/^CREATE TABLE IF NOT EXISTS \w+ AS (\w+)$/);
  if (!copy || !sharded.has(copy[1])) return s.formatted!;
  const source = byName.get(copy[1])!.formatted!;
  return `${s.formatted}\n${source.slice(source.search(/\nENGINE = /) + 1)}`;
}

Deno.test("the embedded engine parses every statement of both cluster roles and of the single node", () => {
  assert(cluster.length >= 80, `the cluster variants have ${cluster.length} statements`);
  const failures = answers.flatMap((a, i) => {
    const s = [...cluster, ...single][i];
    return a.ok ? [] : [`${s.role} ${s.file}: ${a.error.slice(0, 300)}\n${s.sql.slice(0, 200)}`];
  });
  assertEquals(failures, []);
});

Deno.test("each single-node statement has one cluster counterpart that states the same, cluster-only parts aside", () => {
  const byName = new Map(single.map((s) => [nameOf(s)!, s]));
  const counterparts = cluster.filter((s) => !isDistributed(s));
  const want = single.map((s) => ({ key: keyOf(s.formatted!), text: expected(s, byName), file: s.file }));
  const got = counterparts.map((s) => ({
    key: keyOf(normalised(s.formatted!)),
    text: normalised(s.formatted!),
    role: s.role,
  }));
  assertEquals(got.map((g) => g.key).sort(), want.map((w) => w.key).sort(), "the same statements");
  for (const w of want) {
    const g = got.find((g) => g.key === w.key)!;
    assertEquals(g.text, w.text, `${w.file}: ${w.key} (${g.role} nodes) states what the single node does`);
  }
});

Deno.test("the Distributed tables have the single-node columns; events routes by (site, session_id)", () => {
  const distributed = cluster.filter(isDistributed);
  assertEquals(
    distributed.filter((s) => s.role === "data").map(nameOf).sort(),
    [...sharded].sort(),
    "every sharded table is read through a Distributed table of its single-node name",
  );
  const singleByName = new Map(single.map((s) => [nameOf(s)!, s]));
  const columns = (formatted: string) => formatted.match(/\n\(\n([\s\S]*?)\n\)\n/)?.[1];
  for (const s of distributed.filter((s) => s.role === "ingest")) {
    const table = singleByName.get(nameOf(s)!)!;
    assertEquals(
      columns(s.formatted!),
      columns(table.formatted!),
      `ingest ${nameOf(s)}: the single-node columns`,
    );
  }
  assertEquals(distributed.filter((s) => s.role === "ingest").map(nameOf).sort(), [
    "events",
    "ingest_errors",
    "products",
    "users",
  ]);
  for (const s of distributed.filter((s) => nameOf(s) === "events")) {
    assert(
      s.formatted!.includes("events_local, cityHash64(site, session_id))"),
      `${s.role} events: ${s.formatted}`,
    );
  }
});

Deno.test("ingest nodes store nothing; data nodes replicate every stored table", () => {
  for (const s of cluster.filter((s) => s.role === "ingest" && /^CREATE TABLE/.test(s.formatted!))) {
    assert(
      /ENGINE = `?(Kafka|Distributed|Null)\b| AS kafka_\w+$/.test(s.formatted!),
      `ingest ${nameOf(s)}: ${s.formatted}`,
    );
  }
  for (const s of cluster.filter((s) => s.role === "data" && /ENGINE = \w*MergeTree\b/.test(s.formatted!))) {
    assert(/ENGINE = Replicated\w*MergeTree\('/.test(s.formatted!), `data ${nameOf(s)} is replicated`);
  }
  // The Kafka tables read on the ingest nodes only.
  assertEquals(cluster.filter((s) => s.role === "data" && /ENGINE = `?Kafka\b/.test(s.formatted!)).length, 0);
});

Deno.test("on the data nodes, the views that write as rows arrive read and write each shard's own tables", () => {
  assert(sharded.size >= 10, `${sharded.size} sharded tables`);
  // A view reading the Distributed table would never fire (rows are inserted into the shard's table),
  // and one writing it would send each shard's rows to random shards.
  const wrong = cluster
    .filter((s) => s.role === "data" && /^CREATE MATERIALIZED VIEW/.test(s.formatted!))
    .filter((s) => !/\nREFRESH /.test(s.formatted!))
    .flatMap((s) =>
      [...s.formatted!.matchAll(/\b(?:FROM|JOIN|TO) (\w+)/g)].map((m) => m[1])
        .filter((table) => sharded.has(table))
        .map((table) => `${nameOf(s)} names ${table}, not ${table}_local (\${LOCAL} in ${s.file})`)
    );
  assertEquals(wrong, []);
});
