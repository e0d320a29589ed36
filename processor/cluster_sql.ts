// The cluster variants of clickhouse/*.sql, generated from the same files: never restated by hand.
// Two roles (docs/SCALING.md, "ClickHouse: a cluster"):
// - ingest nodes (macro {ingest_cluster}): the Kafka engine tables and the chain of views behind them up
//   to the first stored table, which there is a Distributed table over the data nodes; they store nothing;
// - data nodes (macro {cluster}): everything else. A table written as `name${LOCAL}` is sharded: each
//   shard stores `name_local` (its engine made Replicated), the views on the write path read and write
//   `_local`, and a Distributed table `name` over the shards is what every plain view reads. Any other
//   MergeTree table is replicated to every node (one replication group: a full copy for joins).
// Every statement gets ON CLUSTER for its role. tests/topology_cluster_sql_test.ts checks that both
// roles together state exactly the single-node schema, but for these parts.
//   deno run -A processor/cluster_sql.ts data|ingest   prints a role's SQL, placeholders filled
import { processorConfig } from "./config.ts";
import { readSqlFiles, splitStatements, type SqlFile, sqlFile, substitute } from "./migrate.ts";

export type ClusterRole = "data" | "ingest";

/** The cluster macro each role's statements run ON CLUSTER of. */
export const CLUSTER_OF: Record<ClusterRole, string> = { data: "{cluster}", ingest: "{ingest_cluster}" };

/**
 * How a Distributed table picks a shard for the rows inserted into it. Only `events` is inserted into
 * through one (from the ingest nodes): by session, so a session and every copy of its events sit on one
 * shard, whose gates then see all of them. The others are written on their shard by the views.
 */
const SHARD_BY: Record<string, string> = { events: "cityHash64(site, session_id)" };
const ANY_SHARD = "rand()";

type Statement = {
  file: string;
  sql: string;
  kind: "TABLE" | "MATERIALIZED VIEW" | "VIEW" | "ALTER" | "OTHER";
  name: string;
  /** Written `name${LOCAL}`: sharded on a cluster. */
  sharded: boolean;
  /** The engine name (`Kafka`, `Null`, `MergeTree`, ...), or for `CREATE TABLE a AS b` b's statement name. */
  engine: string;
  asTable?: string;
  /** A materialized view's target and the tables it reads. */
  to?: string;
  reads: string[];
};

const HEAD = /^(CREATE (TABLE|MATERIALIZED VIEW|VIEW) IF NOT EXISTS|ALTER TABLE) (\w+)(\$\{LOCAL\})?/;

/** Drops comment lines, and `--` comments at a line's end that hold no quote (so none in a string). */
function code(sql: string): string {
  return sql.split("\n").filter((l) => !l.trim().startsWith("--")).map((l) => l.replace(/\s*--[^'\n]*$/, ""))
    .filter((l) => l.trim() !== "").join("\n");
}

function parse(file: string, raw: string): Statement {
  const sql = code(raw);
  const head = sql.match(HEAD);
  if (!head) return { file, sql, kind: "OTHER", name: "", sharded: false, engine: "", reads: [] };
  const asTable = sql.match(/^CREATE TABLE IF NOT EXISTS \w+(?:\$\{LOCAL\})? AS (\w+)(?:\$\{LOCAL\})?;?$/)
    ?.[1];
  return {
    file,
    sql,
    kind: head[2] ? head[2] as Statement["kind"] : "ALTER",
    name: head[3],
    sharded: head[4] !== undefined,
    engine: sql.match(/\bENGINE = (\w+)/)?.[1] ?? "",
    asTable,
    to: sql.match(/\bTO (\w+)/)?.[1],
    reads: [...sql.matchAll(/\b(?:FROM|JOIN) (\w+)/g)].map((m) => m[1]),
  };
}

/**
 * The ingest nodes' statements: the Kafka tables and, view by view, what they feed until a stored table
 * (a Null table in between is part of the chain).
 */
function ingestChain(statements: Statement[]): Set<Statement> {
  const engineOf = (s: Statement): string =>
    s.asTable ? engineOf(statements.find((t) => t.kind === "TABLE" && t.name === s.asTable)!) : s.engine;
  const objects = new Set(
    statements.filter((s) => s.kind === "TABLE" && engineOf(s) === "Kafka").map((s) => s.name),
  );
  const chain = new Set<Statement>();
  for (let grown = true; grown;) {
    grown = false;
    for (const s of statements) {
      if (chain.has(s)) continue;
      const feeds = s.kind === "MATERIALIZED VIEW" && s.reads.some((r) => objects.has(r));
      if (!objects.has(s.name) && !feeds) continue;
      chain.add(s);
      const target = statements.find((t) => t.kind === "TABLE" && t.name === s.to);
      if (feeds && target?.engine === "Null") objects.add(target.name);
      grown = true;
    }
  }
  return chain;
}

/** A MergeTree engine made Replicated at a Keeper path; its own arguments (a version column) kept. */
function replicated(sql: string, path: string, replica: string): string {
  return sql.replace(/\bENGINE = (\w*MergeTree)(?:\(([^)]*)\))?/, (_, engine: string, args?: string) => {
    const all = [`'${path}'`, `'${replica}'`, ...(args ? [args] : [])];
    return `ENGINE = Replicated${engine}(${all.join(", ")})`;
  });
}

/** The storage clauses of a CREATE TABLE (from ENGINE on), with the semicolon dropped. */
const storageOf = (sql: string) => sql.slice(sql.search(/\bENGINE = /)).replace(/;$/, "");
/** The column list of a CREATE TABLE, parentheses included. */
const columnsOf = (sql: string) => sql.slice(sql.indexOf("\n("), sql.indexOf("\n)") + 2).trim();

function distributed(name: string, cluster: string, columns: string, over: string): string {
  const key = SHARD_BY[name] ?? ANY_SHARD;
  return `CREATE TABLE IF NOT EXISTS ${name} ON CLUSTER '${cluster}' ${columns}\n` +
    `ENGINE = Distributed('{cluster}', currentDatabase(), ${over}, ${key})`;
}

/** One statement for a role: `${LOCAL}` filled, ON CLUSTER added, a stored table's engine replicated. */
function render(s: Statement, role: ClusterRole, all: Statement[]): string {
  const cluster = CLUSTER_OF[role];
  let sql = s.sql.replace(HEAD, (head) => `${head} ON CLUSTER '${cluster}'`);
  sql = sql.replaceAll("${LOCAL}", "_local");
  if (s.kind !== "TABLE") return sql;
  if (s.asTable && s.sharded) {
    // A copy of a sharded table's columns with a Keeper path of its own: the source's storage, replicated.
    const source = all.find((t) => t.kind === "TABLE" && t.name === s.asTable)!;
    const local = `${s.name}_local`;
    return `${sql.replace(/;$/, "")}\n${
      replicated(storageOf(source.sql), `/clickhouse/tables/{shard}/{database}/${local}`, "{replica}")
    }`;
  }
  if (s.sharded) return replicated(sql, `/clickhouse/tables/{shard}/{database}/${s.name}_local`, "{replica}");
  return replicated(sql, `/clickhouse/tables/all/{database}/${s.name}`, "{shard}-{replica}");
}

/**
 * The SQL files of a cluster role, in the single-node order under the single-node names (migrate()
 * applies them to a server the same way); `${NAME}` placeholders other than `${LOCAL}` are left for
 * migrate's values.
 */
export async function clusterFiles(files: SqlFile[], role: ClusterRole): Promise<SqlFile[]> {
  const all = files.flatMap((f) => splitStatements(f.sql).map((sql) => parse(f.name, sql)));
  const ingest = ingestChain(all);
  const out = new Map<string, string[]>();
  const emit = (file: string, sql: string) => out.set(file, [...(out.get(file) ?? []), sql]);
  const tableOf = (name: string) => all.find((t) => t.kind === "TABLE" && t.name === name);
  const routed = new Set<string>();
  all.forEach((s, i) => {
    if (ingest.has(s) !== (role === "ingest")) return;
    if (role === "ingest" && s.to && !ingest.has(tableOf(s.to)!) && !routed.has(s.to)) {
      // A stored table the chain writes into: a Distributed table over the data nodes' copy of it.
      const target = tableOf(s.to)!;
      emit(
        s.file,
        distributed(s.to, CLUSTER_OF.ingest, columnsOf(target.sql), target.sharded ? `${s.to}_local` : s.to),
      );
      routed.add(s.to);
    }
    emit(s.file, render(s, role, all));
    // After a sharded table's last statement (its CREATE and the ALTERs that follow it): the Distributed
    // table of its single-node name, which the plain views read.
    const next = all[i + 1];
    const done = !(next?.kind === "ALTER" && next.name === s.name);
    const table = s.kind === "ALTER" ? tableOf(s.name) : s;
    if (role === "data" && table?.sharded && done && (s.kind === "TABLE" || s.kind === "ALTER")) {
      emit(s.file, distributed(table.name, CLUSTER_OF.data, `AS ${table.name}_local`, `${table.name}_local`));
    }
  });
  return await Promise.all(
    files.filter((f) => out.has(f.name)).map((f) => sqlFile(f.name, out.get(f.name)!.join(";\n\n") + ";\n")),
  );
}

if (import.meta.main) {
  const role = Deno.args[0];
  if (role !== "data" && role !== "ingest") {
    console.error("usage: deno run -A processor/cluster_sql.ts data|ingest");
    Deno.exit(2);
  }
  const values = processorConfig().sqlValues;
  for (const f of await clusterFiles(await readSqlFiles(), role)) {
    console.log(`-- clickhouse/${f.name}, ${role} nodes\n${substitute(f.sql, values, f.name)}`);
  }
}
