// The one interface the processor speaks to ClickHouse through: the embedded engine (chdb, in this
// process) or a ClickHouse server (@clickhouse/client). Migrations, the SQL endpoint, the
// dashboard and alerts are written against it and run unchanged on either.
export type QueryResult = { text: string; elapsedMs: number; rowsRead: number };
export type QueryOptions = {
  format?: string;
  params?: Record<string, unknown>;
  settings?: Record<string, string>;
  /**
   * SQL an SQL user sent (the HTTP endpoint, the console): it runs within the SQL users' limits
   * (time, memory, rows and bytes read, result size, concurrent queries), apart from the
   * processor's own queries, so a runaway statement cannot hold up the dashboard or the alerts.
   */
  fromSqlUser?: boolean;
};

export interface Engine {
  readonly kind: "embedded" | "server";
  /** Runs one statement that returns nothing (DDL, INSERT). */
  command(sql: string): Promise<void>;
  /**
   * A write of the processor's own state (the alert state, clickhouse/017_alerts.sql) with bound
   * parameters: embedded, on a session of its own that no SQL user reaches (the others are read-only);
   * on a server, as the processor's own user (CLICKHOUSE_USER), never the reader.
   */
  writeOwn(sql: string, params: Record<string, unknown>): Promise<void>;
  /**
   * Runs one read statement and returns its output in `format` (ignored when the SQL has FORMAT).
   * `settings` (ClickHouse's text of each value) are for the processor's own SQL files only: the
   * SQL endpoint's session cannot change settings.
   */
  query(sql: string, options?: QueryOptions): Promise<QueryResult>;
  /** Rows of a JSONEachRow query, parsed. */
  rows<T = Record<string, unknown>>(
    sql: string,
    params?: Record<string, unknown>,
    settings?: Record<string, string>,
  ): Promise<T[]>;
  close(): Promise<void>;
}

/** What the engines share: rows() is query() in JSONEachRow, parsed. */
export abstract class EngineBase implements Engine {
  abstract readonly kind: Engine["kind"];
  abstract command(sql: string): Promise<void>;
  abstract writeOwn(sql: string, params: Record<string, unknown>): Promise<void>;
  abstract query(sql: string, options?: QueryOptions): Promise<QueryResult>;
  abstract close(): Promise<void>;

  async rows<T = Record<string, unknown>>(
    sql: string,
    params?: Record<string, unknown>,
    settings?: Record<string, string>,
  ): Promise<T[]> {
    return parseRows<T>((await this.query(sql, { format: "JSONEachRow", params, settings })).text);
  }
}

/** A ClickHouse error as the HTTP interface reports it: numeric code, name and message. */
export class EngineError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export function parseRows<T>(text: string): T[] {
  return text.split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line) as T);
}
