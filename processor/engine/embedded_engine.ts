// ClickHouse inside this process through chdb. Its Kafka engine tables and materialized views keep
// consuming in the background for as long as the session is open.
import { fileURLToPath } from "node:url";
import { Session } from "chdb";
import { EngineBase, EngineError, type QueryOptions, type QueryResult } from "./engine.ts";
import { inlineParams } from "./inline_params.ts";
import { QuerySlots } from "./sql_slots.ts";

type ChdbError = Error & { clickhouseCode?: number };

/**
 * How the engine is opened: its config (the Kafka consumers' librdkafka settings) and its users config
 * (the `default` profile, whose settings the Kafka consumers' inserts run with).
 */
export const CONNECTION_ARGS = [
  `--config-file=${fileURLToPath(new URL("../embedded_config.xml", import.meta.url))}`,
  `--users_config=${fileURLToPath(new URL("../embedded_users.xml", import.meta.url))}`,
];

/**
 * How many of the processor's own reads (dashboard panels, alert rules) run at once, each on a
 * session of its own: ClickHouse plans a query on one thread, and planning is most of a small
 * read's cost (loadtest/RESULTS.md, "The per-query floor"); two for this machine's two cores.
 */
const OWN_READERS = 2;

function asEngineError(error: unknown): never {
  const e = error as ChdbError;
  throw new EngineError(e.clickhouseCode ?? 1001, e.message ?? String(error));
}

/**
 * Limits of the SQL users' queries (the HTTP endpoint and the console), set on their own sessions
 * before those turn read-only; an unset one keeps ClickHouse's default (no limit), and unset
 * concurrency is one query at a time, none waiting. The time and result-rows limits hold for the
 * processor's own queries too.
 */
export type SqlLimits = {
  maxExecutionTimeS: number;
  maxResultRows: number;
  maxResultBytes?: number;
  maxMemoryBytes?: number;
  maxThreads?: number;
  maxRowsToRead?: number;
  maxBytesToRead?: number;
  maxConcurrentQueries?: number;
  maxQueuedQueries?: number;
};

export class EmbeddedEngine extends EngineBase {
  readonly kind = "embedded";
  #open: () => Session;
  /** Statements without rows (migrations, the site zones' writes) until `lockReadOnly`. */
  #session: Session;
  /**
   * The processor's own reads (its SQL files: dashboard panels, alert rules), never SQL received
   * over HTTP: after `lockReadOnly`, `readonly = 2`, reads only, but a query may carry settings.
   */
  #readers: { sessions: Session[]; slots: QuerySlots };
  /** The SQL users' sessions, one per slot, opened by `lockReadOnly`: until then SQL users get nothing. */
  #sqlUsers?: { sessions: Session[]; slots: QuerySlots };
  #admin?: EngineBase;

  constructor(dataDir: string) {
    super();
    this.#open = () =>
      new Session(dataDir, {
        connectionArgs: CONNECTION_ARGS,
      });
    this.#session = this.#open();
    const sessions = Array.from({ length: OWN_READERS }, () => this.#open());
    this.#readers = { sessions, slots: new QuerySlots({ running: OWN_READERS, queued: Infinity }) };
  }

  /** On the admin session (below), which no SQL user's statement reaches. */
  writeOwn(sql: string, params: Record<string, unknown>): Promise<void> {
    return this.admin().writeOwn(sql, params);
  }

  async command(sql: string): Promise<void> {
    await this.#session.queryAsync(sql).catch(asEngineError);
  }

  query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    if (!options.fromSqlUser) {
      // Parameters as literals where they can be: a bound query waits for every other one in the
      // process (inline_params.ts).
      const inlined = options.params ? inlineParams(sql, options.params) : sql;
      const own = inlined === undefined
        ? { sql, options }
        : { sql: inlined, options: { ...options, params: undefined } };
      const readers = this.#readers;
      return readers.slots.run((slot) => runOn(readers.sessions[slot], own.sql, own.options));
    }
    const sqlUsers = this.#sqlUsers;
    if (!sqlUsers) {
      return Promise.reject(
        new EngineError(164, "The SQL users' sessions open once the engine is read-only (lockReadOnly)"),
      );
    }
    return sqlUsers.slots.run((slot) => runOn(sqlUsers.sessions[slot], sql, options));
  }

  /**
   * Makes every later statement read-only (ClickHouse's `readonly = 1`: no writes, no DDL, no table
   * functions such as file() or url(), no setting changes) and opens the SQL users' sessions with
   * their limits. chdb gives a process one engine and no user switching, so once migrations are
   * applied the processor drops its own write rights; all data arrives through Kafka, which the
   * engine's background consumers write. readonly stops neither the scalar file() nor INTO OUTFILE
   * here: the SQL endpoint checks each statement first (sql_guard.ts).
   */
  async lockReadOnly(limits: SqlLimits): Promise<void> {
    const own = [
      `max_execution_time = ${limits.maxExecutionTimeS}`,
      `max_result_rows = ${limits.maxResultRows}, result_overflow_mode = 'break'`,
      // As a ClickHouse server does, so JSON clients get (U)Int64 as strings without losing precision.
      "output_format_json_quote_64bit_integers = 1",
    ];
    const sqlUsers = [
      ...own,
      ...[
        ["max_result_bytes", limits.maxResultBytes],
        ["max_memory_usage", limits.maxMemoryBytes],
        ["max_threads", limits.maxThreads],
        ["max_rows_to_read", limits.maxRowsToRead],
        ["max_bytes_to_read", limits.maxBytesToRead],
      ].filter(([, value]) => value !== undefined).map(([name, value]) => `${name} = ${value}`),
      // A read past its limit is an error, not a silently partial count.
      "read_overflow_mode = 'throw'",
    ];
    const running = limits.maxConcurrentQueries ?? 1;
    const sessions = Array.from({ length: running }, () => this.#open());
    const locks: [Session, string[], number][] = [
      [this.#session, own, 1],
      ...this.#readers.sessions.map((session): [Session, string[], number] => [session, own, 2]),
      ...sessions.map((session): [Session, string[], number] => [session, sqlUsers, 1]),
    ];
    for (const [session, settings, readonly] of locks) {
      for (const setting of [...settings, `readonly = ${readonly}`]) {
        await session.queryAsync(`SET ${setting}`).catch(asEngineError);
      }
    }
    this.#sqlUsers = { sessions, slots: new QuerySlots({ running, queued: limits.maxQueuedQueries ?? 0 }) };
  }

  /**
   * The processor's own writable user for its admin tasks (processor/admin.ts: a shopper's erasure; the
   * alert state, `writeOwn`):
   * a session of its own, which lockReadOnly leaves as it is and no SQL user's statement reaches.
   */
  admin(): EngineBase {
    if (!this.#admin) {
      const session = this.#open();
      this.#admin = new (class extends EngineBase {
        readonly kind = "embedded";
        async command(sql: string): Promise<void> {
          await session.queryAsync(sql).catch(asEngineError);
        }
        query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
          return runOn(session, sql, options);
        }
        async writeOwn(sql: string, params: Record<string, unknown>): Promise<void> {
          await runOn(session, sql, { params });
        }
        close(): Promise<void> {
          session.close();
          return Promise.resolve();
        }
      })();
    }
    return this.#admin;
  }

  close(): Promise<void> {
    this.#admin?.close();
    for (const session of this.#sqlUsers?.sessions ?? []) session.close();
    for (const session of this.#readers.sessions) session.close();
    this.#session.close();
    return Promise.resolve();
  }
}

async function runOn(
  session: Session,
  sql: string,
  { format = "TabSeparated", params, settings = {} }: QueryOptions,
): Promise<QueryResult> {
  const clause = Object.entries(settings).map(([name, value]) => `${name} = ${value}`).join(", ");
  const text = clause ? `${sql.replace(/;\s*$/, "")}\nSETTINGS ${clause}` : sql;
  const result =
    await (params && Object.keys(params).length > 0
      ? session.queryBindAsync(text, params, { format })
      : session.queryAsync(text, { format })).catch(asEngineError);
  return { text: result.text(), elapsedMs: result.elapsed * 1000, rowsRead: result.rowsRead };
}
