// ClickHouse inside this process through chdb. Its Kafka engine tables and materialized views keep
// consuming in the background for as long as the session is open.
import { fileURLToPath } from "node:url";
import { Session } from "chdb";
import { type Engine, EngineError, parseRows, type QueryOptions, type QueryResult } from "./engine.ts";

type ChdbError = Error & { clickhouseCode?: number };

const CONFIG_FILE = fileURLToPath(new URL("./embedded_config.xml", import.meta.url));

function asEngineError(error: unknown): never {
  const e = error as ChdbError;
  throw new EngineError(e.clickhouseCode ?? 1001, e.message ?? String(error));
}

export class EmbeddedEngine implements Engine {
  readonly kind = "embedded";
  #session: Session;
  /**
   * After `lockReadOnly`, `readonly = 2`: reads only, like the main session, but a query may carry
   * settings. It runs the queries that pass settings: the processor's own SQL files (dashboard
   * panels, alert rules), never SQL received over HTTP.
   */
  #withSettings: Session;

  constructor(dataDir: string) {
    const open = () => new Session(dataDir, { connectionArgs: [`--config-file=${CONFIG_FILE}`] });
    this.#session = open();
    this.#withSettings = open();
  }

  async command(sql: string): Promise<void> {
    await this.#session.queryAsync(sql).catch(asEngineError);
  }

  async query(
    sql: string,
    { format = "TabSeparated", params, settings = {} }: QueryOptions = {},
  ): Promise<QueryResult> {
    const clause = Object.entries(settings).map(([name, value]) => `${name} = ${value}`).join(", ");
    const session = clause ? this.#withSettings : this.#session;
    const text = clause ? `${sql.replace(/;\s*$/, "")}\nSETTINGS ${clause}` : sql;
    const result =
      await (params && Object.keys(params).length > 0
        ? session.queryBindAsync(text, params, { format })
        : session.queryAsync(text, { format })).catch(asEngineError);
    return { text: result.text(), elapsedMs: result.elapsed * 1000, rowsRead: result.rowsRead };
  }

  async rows<T>(
    sql: string,
    params?: Record<string, unknown>,
    settings?: Record<string, string>,
  ): Promise<T[]> {
    return parseRows<T>((await this.query(sql, { format: "JSONEachRow", params, settings })).text);
  }

  /**
   * Makes every later statement of this session read-only (ClickHouse's `readonly = 1`: no writes,
   * no DDL, no table functions such as file() or url(), no setting changes). chdb gives a process
   * one session and no user switching, so once migrations are applied the processor drops its own
   * write rights; all data arrives through Kafka, which the engine's background consumers write.
   */
  async lockReadOnly(limits: { maxExecutionTimeS: number; maxResultRows: number }): Promise<void> {
    for (const [session, readonly] of [[this.#session, 1], [this.#withSettings, 2]] as const) {
      const set = (sql: string) => session.queryAsync(sql).catch(asEngineError);
      await set(`SET max_execution_time = ${limits.maxExecutionTimeS}`);
      await set(`SET max_result_rows = ${limits.maxResultRows}, result_overflow_mode = 'break'`);
      // As a ClickHouse server does, so JSON clients get (U)Int64 as strings without losing precision.
      await set("SET output_format_json_quote_64bit_integers = 1");
      await set(`SET readonly = ${readonly}`);
    }
  }

  close(): Promise<void> {
    this.#withSettings.close();
    this.#session.close();
    return Promise.resolve();
  }
}
