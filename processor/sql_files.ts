// The processor's own SQL files (the dashboard's panels, the alert rules): plain files read once
// at start and run with parameters, as the console or `clickhouse client` can run them by hand.
import { join } from "node:path";
import type { Engine } from "./engine/engine.ts";

export type QueryFiles<N extends string> = Record<N, string>;

/** Reads `<dir>/<name>.sql` for every name; a missing file fails the start, naming it. */
export async function readQueryFiles<N extends string>(
  names: readonly N[],
  dir: string,
): Promise<QueryFiles<N>> {
  const entries = await Promise.all(names.map(async (name) => {
    const path = join(dir, `${name}.sql`);
    try {
      return [name, await Deno.readTextFile(path)] as const;
    } catch (error) {
      throw new Error(`Cannot read the query ${path}: ${(error as Error).message}`);
    }
  }));
  return Object.fromEntries(entries) as QueryFiles<N>;
}

export type Params = Record<string, string | number>;
/** Runs one query file's SQL with parameters and returns its rows (JSON, 64-bit ints as strings). */
export type RunSql = <T = Record<string, unknown>>(sql: string, params: Params) => Promise<T[]>;

export function engineRunner(engine: Engine): RunSql {
  return (sql, params) => engine.rows(sql, params);
}

/** ClickHouse's DateTime text for a Unix time in ms: "2025-11-22 10:15:00" (UTC, whole seconds). */
export function chDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace("T", " ");
}
