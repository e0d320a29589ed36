// Reads one site's window without reading its whole history: the filter of window_scope.sql,
// filled in, as the `additional_table_filters` setting of a query.
import { fileURLToPath } from "node:url";

const SCOPE_FILE = fileURLToPath(new URL("./window_scope.sql", import.meta.url));

/** [from, to) in Unix ms of one site ('' or absent: every site). */
export type ReadWindow = { site?: string; from: number; to: number; withSessions?: boolean };
/** Query settings as ClickHouse's text of their values. */
export type Settings = Record<string, string>;

let filterSql: string | undefined;

/** A ClickHouse string literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** ClickHouse's DateTime64(3) text for a Unix time in ms (UTC). */
export function chDateTime64(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace("T", " ");
}

/** Replaces each `{name:Type}` with its value as a literal; a name without a value is an error. */
export function fillPlaceholders(sql: string, values: Record<string, string | number>): string {
  return sql.replace(/\{(\w+):[^{}]+\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`window scope: no value for {${name}}`);
    return typeof value === "number" ? String(value) : sqlString(value);
  });
}

/** The settings that restrict a query's reads of `counted_events` to what `window` can depend on. */
export function windowSettings(window: ReadWindow): Settings {
  filterSql ??= Deno.readTextFileSync(SCOPE_FILE).split("\n")
    .filter((line) => !line.trimStart().startsWith("--")).join("\n").trim();
  if (!(window.from < window.to)) {
    throw new Error(`window scope: from (${window.from}) must be before to (${window.to})`);
  }
  const filter = fillPlaceholders(filterSql, {
    site: window.site ?? "",
    from: chDateTime64(window.from),
    to: chDateTime64(window.to),
    with_sessions: window.withSessions ? 1 : 0,
  });
  return { additional_table_filters: `{'counted_events': ${sqlString(filter)}}` };
}
