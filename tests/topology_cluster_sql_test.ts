// The cluster variants of the SQL (clickhouse/cluster/) cannot rot: the embedded engine parses
// every statement, their tables keep the single-node columns, their materialized views select what
// the single-node ones do, and every single-node table or materialized view has a cluster variant.
// (The analytics views are plain views over the stored tables and apply unchanged.)
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { processorConfig } from "../processor/config.ts";
import { readSqlFiles, splitStatements, substitute } from "../processor/migrate.ts";
import { parseWithEngine } from "./helpers/engine.ts";

const CLUSTER_DIR = fileURLToPath(new URL("../clickhouse/cluster/", import.meta.url));
const values = processorConfig(() => undefined).sqlValues;

type Statement = { file: string; kind: string; name: string; sql: string; formatted?: string };

const CREATE = /^CREATE\s+(TABLE|MATERIALIZED VIEW|VIEW)\s+(?:IF NOT EXISTS\s+)?(\w+)/i;

async function statements(dir?: string): Promise<Statement[]> {
  return (await readSqlFiles(dir)).flatMap((f) =>
    splitStatements(substitute(f.sql, values, f.name)).map((sql) => {
      const code = sql.split("\n").filter((l) => !l.trim().startsWith("--")).join("\n").trim();
      const m = code.match(CREATE);
      return { file: f.name, kind: m?.[1].toUpperCase() ?? "OTHER", name: m?.[2] ?? "", sql: code };
    })
  );
}

const single = await statements();
const cluster = await statements(CLUSTER_DIR);
// Parsed once, in a child process (see helpers/engine.ts); each test reads the answers.
const answers = await parseWithEngine([...cluster, ...single].map((s) => s.sql));
[...cluster, ...single].forEach((s, i) => s.formatted = answers[i].ok ? answers[i].text : undefined);

/** The column list of a formatted CREATE TABLE, or undefined for `AS other_table`. */
function columns(formatted: string): string | undefined {
  const m = formatted.match(/\n\(\n([\s\S]*?)\n\)\n/);
  return m?.[1];
}

/**
 * The SELECT of a formatted CREATE MATERIALIZED VIEW ... TO target AS SELECT, with a shard's
 * `x_local` read as the single-node `x` (the data nodes run the first-delivery chain on their shard).
 */
function selectOf(formatted: string): string {
  return formatted.slice(formatted.search(/\bAS\s+SELECT\b/) + 2).trim().replace(/\b(\w+)_local\b/g, "$1");
}

Deno.test("the embedded engine parses every cluster statement (and the single-node ones beside them)", () => {
  assert(cluster.length >= 10, `clickhouse/cluster/ has ${cluster.length} statements`);
  const all = [...cluster, ...single];
  const failures = answers.flatMap((a, i) =>
    a.ok ? [] : [`${all[i].file} ${all[i].name}: ${a.error.slice(0, 300)}`]
  );
  assertEquals(failures, []);
});

Deno.test("every single-node table and materialized view has a cluster variant", () => {
  const clusterNames = new Set(cluster.map((s) => s.name));
  const missing = single
    .filter((s) => s.kind === "TABLE" || s.kind === "MATERIALIZED VIEW")
    .filter((s) => !clusterNames.has(s.name) && !clusterNames.has(`${s.name}_local`))
    .map((s) => `${s.file}: ${s.kind} ${s.name}`);
  assertEquals(missing, [], "add these to clickhouse/cluster/ (see docs/SCALING.md)");
  // Plain views come from the numbered files on the data nodes; a copy here would drift.
  assertEquals(cluster.filter((s) => s.kind === "VIEW").map((s) => s.name), []);
});

Deno.test("cluster tables keep the single-node columns and views the single-node SELECTs", () => {
  const byName = new Map(single.map((s) => [s.name, s]));
  let compared = 0;
  for (const c of cluster.filter((s) => s.kind !== "OTHER")) {
    const s = byName.get(c.name) ?? byName.get(c.name.replace(/_local$/, ""));
    assert(s?.formatted && c.formatted, `${c.file} ${c.name}: parsed, with a single-node counterpart`);
    if (c.kind === "TABLE") {
      const cols = columns(c.formatted);
      if (cols === undefined) continue; // `AS events_local`: columns copied by the engine
      assertEquals(cols, columns(s.formatted), `${c.file} ${c.name}: columns as in ${s.file}`);
    } else {
      assertEquals(
        selectOf(c.formatted),
        selectOf(s.formatted),
        `${c.file} ${c.name}: SELECT as in ${s.file}`,
      );
    }
    compared++;
  }
  assert(compared >= 10, `compared ${compared} cluster statements`);
});

Deno.test("data tables are replicated and sharded by session; ingestion nodes store nothing", () => {
  const data = cluster.filter((s) => s.file.includes("data"));
  const ingest = cluster.filter((s) => s.file.includes("ingest"));
  const stored = (s: Statement) => !/ENGINE = Null\b/.test(s.sql); // a Null table holds nothing to replicate
  for (
    const s of data.filter((s) =>
      (s.name.endsWith("_local") && stored(s)) || ["products", "users"].includes(s.name)
    )
  ) {
    assert(/ENGINE = Replicated\w*MergeTree\(/.test(s.sql), `${s.name} is replicated`);
  }
  for (const s of [...data, ...ingest].filter((s) => s.name === "events" && s.kind === "TABLE")) {
    assert(s.sql.includes("cityHash64(site, session_id)"), `${s.file} events routes by (site, session_id)`);
  }
  const ingestTables = ingest.filter((s) => s.kind === "TABLE");
  for (const s of ingestTables) {
    // `CREATE TABLE b AS a` copies a's engine: then a is the one checked.
    const copied = s.sql.match(/\bAS\s+(\w+)\s*;?$/)?.[1];
    const engineOf = ingestTables.find((t) => t.name === copied) ?? s;
    assert(
      /ENGINE = (Kafka|Distributed|Null)\b/.test(engineOf.sql),
      `${s.name} on an ingestion node is Kafka, Distributed or Null`,
    );
  }
});
