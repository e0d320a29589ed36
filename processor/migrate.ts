// Applies clickhouse/NNN_name.sql in order, once each, recording name and checksum. An applied
// file that changed is an error: the fix is a new file (`_v2`), never an edit of history. A data
// folder that recorded files clickhouse/ no longer has (the history squashed into the baseline of
// 2026-12-07) is refused with what to do: it cannot be upgraded in place.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Engine } from "./engine/engine.ts";

export const SQL_DIR = fileURLToPath(new URL("../clickhouse/", import.meta.url));
const FILE_NAME = /^(\d{3})_[a-z0-9_]+\.sql$/;
const PLACEHOLDER = /\$\{([A-Z_]+)\}/g;

export type SqlFile = { name: string; sql: string; checksum: string };

export async function readSqlFiles(dir = SQL_DIR): Promise<SqlFile[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && FILE_NAME.test(entry.name)) names.push(entry.name);
  }
  names.sort();
  return await Promise.all(
    names.map(async (name) => sqlFile(name, await Deno.readTextFile(join(dir, name)))),
  );
}

/** A file's SQL with its checksum (the cluster variants are rendered files of the same names). */
export async function sqlFile(name: string, sql: string): Promise<SqlFile> {
  return { name, sql, checksum: await sha256(sql) };
}

/**
 * The single-node value of the placeholders that only the cluster variants fill
 * (processor/cluster_sql.ts): `${LOCAL}` marks a sharded table's name where the write path names it.
 */
export const SINGLE_NODE: Record<string, string> = { LOCAL: "" };

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Replaces `${NAME}` with deployment values (broker list, topic names); an unknown name is an error. */
export function substitute(sql: string, values: Record<string, string>, file = "SQL"): string {
  return sql.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(`${file} uses \${${name}}, which is not one of: ${Object.keys(values).join(", ")}`);
    }
    return value;
  });
}

/** Splits a file into statements at semicolons that end a line. */
export function splitStatements(sql: string): string[] {
  return sql.split(/;[ \t]*(?:\r?\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.split("\n").some((line) => line.trim() !== "" && !line.trim().startsWith("--")));
}

/** The command that wipes the local stack's data (Kafka and ClickHouse), said by OldSchemaError. */
export const WIPE_COMMAND = "deno task down && rm -rf .data";

/** ClickHouse data made by SQL files that clickhouse/ no longer has: its message says what to do. */
export class OldSchemaError extends Error {
  constructor(readonly unknown: string[]) {
    const named = unknown.length > 1 ? `${unknown[0]} and ${unknown.length - 1} more` : unknown[0];
    super(
      `The ClickHouse data was made by SQL files that clickhouse/ no longer has (schema_migrations lists ` +
        `${named}): clickhouse/ now starts from a baseline, and an older schema cannot be upgraded in place. ` +
        `Wipe the data and start again: \`${WIPE_COMMAND}\` (the local stack's Kafka and ClickHouse data; ` +
        `CLICKHOUSE_DATA_DIR names the processor's folder if it is elsewhere, and a ClickHouse server's ` +
        `database is dropped instead). The events are not rebuilt from the old tables.`,
    );
    this.name = "OldSchemaError";
  }
}

export type MigrationReport = { applied: string[]; skipped: string[] };

/** A statement that creates a Kafka engine table: consuming starts with it. */
const KAFKA_TABLE = /\bENGINE\s*=\s*Kafka\b/i;

export async function migrate(
  // What it uses: a test can record its statements without an engine.
  engine: Pick<Engine, "command" | "rows">,
  { values, files, beforeConsuming }: {
    values: Record<string, string>;
    files?: SqlFile[];
    /**
     * Runs once, before the first statement that creates a Kafka table (on a first start, before
     * anything is consumed), or after the files when none does (the tables already consume): for
     * the reference data the views look up as they count (processor/site_zones.ts).
     */
    beforeConsuming?: () => Promise<void>;
  },
): Promise<MigrationReport> {
  let prepared = false;
  const prepare = async () => {
    if (!prepared) await beforeConsuming?.();
    prepared = true;
  };
  await engine.command(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
  ) ENGINE = MergeTree ORDER BY name`);
  const done = new Map(
    (await engine.rows<{ name: string; checksum: string }>("SELECT name, checksum FROM schema_migrations"))
      .map((r) => [r.name, r.checksum]),
  );
  const sqlFiles = files ?? await readSqlFiles();
  const known = new Set(sqlFiles.map((f) => f.name));
  const unknown = [...done.keys()].filter((name) => !known.has(name)).sort();
  if (unknown.length > 0) throw new OldSchemaError(unknown);
  const report: MigrationReport = { applied: [], skipped: [] };
  for (const file of sqlFiles) {
    const previous = done.get(file.name);
    if (previous !== undefined) {
      if (previous !== file.checksum) {
        throw new Error(
          `clickhouse/${file.name} changed after it was applied (checksum ${previous.slice(0, 12)} is now ` +
            `${file.checksum.slice(0, 12)}); add a new numbered file instead of editing an applied one`,
        );
      }
      report.skipped.push(file.name);
      continue;
    }
    for (const statement of splitStatements(substitute(file.sql, { ...SINGLE_NODE, ...values }, file.name))) {
      if (KAFKA_TABLE.test(statement)) await prepare();
      try {
        await engine.command(statement);
      } catch (error) {
        throw new Error(
          `clickhouse/${file.name}: ${(error as Error).message}\n--- statement ---\n${statement}`,
        );
      }
    }
    await engine.command(
      `INSERT INTO schema_migrations (name, checksum) VALUES ('${file.name}', '${file.checksum}')`,
    );
    report.applied.push(file.name);
  }
  await prepare();
  return report;
}
