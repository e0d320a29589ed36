// A ClickHouse server reached through @clickhouse/client (CLICKHOUSE_URL set).
import { type ClickHouseClient, createClient, type DataFormat } from "@clickhouse/client";
import { Buffer } from "node:buffer";
import { EngineBase, EngineError, type QueryOptions, type QueryResult } from "./engine.ts";

function asEngineError(error: unknown): never {
  const e = error as Error & { code?: string };
  throw new EngineError(Number(e.code ?? 1001), e.message ?? String(error));
}

/**
 * `fromSqlUser` changes nothing here: on a server, the SQL users' limits and read-only rights are the
 * server's own (a reader user with a settings profile), and the processor serves no SQL in this mode.
 */
export class ServerEngine extends EngineBase {
  readonly kind = "server";
  #client: ClickHouseClient;

  constructor(url: string, credentials: { username?: string; password?: string } = {}) {
    super();
    this.#client = createClient({ url, ...credentials });
  }

  async command(sql: string): Promise<void> {
    await this.#client.command({ query: sql }).catch(asEngineError);
  }

  async writeOwn(sql: string, params: Record<string, unknown>): Promise<void> {
    await this.#client.command({ query: sql, query_params: params }).catch(asEngineError);
  }

  async query(
    sql: string,
    { format = "TabSeparated", params, settings }: QueryOptions = {},
  ): Promise<QueryResult> {
    const started = performance.now();
    // The format as the HTTP interface's default_format, not a FORMAT clause appended to the text: in
    // `EXPLAIN AST SELECT 1 FORMAT JSONEachRow` the clause belongs to the SELECT, and the EXPLAIN (the SQL
    // guard's own statement) answered in TSV.
    const result = await this.#client.exec({
      query: sql,
      query_params: params,
      clickhouse_settings: { ...settings, default_format: format as DataFormat },
    }).catch(asEngineError);
    const chunks: Uint8Array[] = [];
    for await (const chunk of result.stream) chunks.push(chunk as Uint8Array);
    const text = new TextDecoder().decode(Buffer.concat(chunks));
    return { text, elapsedMs: performance.now() - started, rowsRead: 0 };
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
