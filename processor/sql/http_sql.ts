// ClickHouse's HTTP interface, for the common cases, over the embedded engine: curl and
// @clickhouse/client talk to it as to a ClickHouse server. It authenticates, lets through only the
// statements the guard allows (sql_guard.ts) and runs them within the SQL users' limits, on sessions
// the engine itself holds read-only (EmbeddedEngine.lockReadOnly).
import { Hono } from "hono";
import type { Context } from "hono";
import { type Engine, EngineError } from "../engine/engine.ts";
import { SqlGuard } from "./sql_guard.ts";

export type SqlUsers = ReadonlyMap<string, string>;

// ClickHouse error codes → the HTTP statuses a ClickHouse server answers with.
const STATUS_BY_CODE: Record<number, number> = {
  62: 400, // SYNTAX_ERROR
  36: 400, // BAD_ARGUMENTS
  47: 400, // UNKNOWN_IDENTIFIER
  46: 400, // UNKNOWN_FUNCTION
  60: 404, // UNKNOWN_TABLE
  81: 404, // UNKNOWN_DATABASE
  164: 403, // READONLY
  497: 403, // ACCESS_DENIED
  516: 401, // AUTHENTICATION_FAILED
  159: 408, // TIMEOUT_EXCEEDED
  202: 503, // TOO_MANY_SIMULTANEOUS_QUERIES
};

/** The HTTP status a ClickHouse server answers an error code with (500 for the rest). */
export function statusOfCode(code: number): number {
  return STATUS_BY_CODE[code] ?? 500;
}

function contentType(format: string): string {
  if (/EachRow$|^JSONLines$|^NDJSON$/i.test(format)) return "application/x-ndjson; charset=UTF-8";
  if (/^JSON/i.test(format)) return "application/json; charset=UTF-8";
  if (/^(TSV|TabSeparated)/i.test(format)) return "text/tab-separated-values; charset=UTF-8";
  if (/^CSV/i.test(format)) return "text/csv; charset=UTF-8";
  return "text/plain; charset=UTF-8";
}

type Credentials = { user: string; password: string };

/** A ClickHouse server takes `?password=`; here it is refused, since URLs end up in logs and history. */
const PASSWORD_IN_URL =
  "The password is not accepted in the URL (?password=): URLs end up in server logs, proxies and browser " +
  "history. Send it as the X-ClickHouse-Key header or with HTTP basic auth. (BAD_ARGUMENTS)";

function credentials(c: Context): Credentials {
  const header = c.req.header("X-ClickHouse-User");
  if (header !== undefined) return { user: header, password: c.req.header("X-ClickHouse-Key") ?? "" };
  const auth = c.req.header("Authorization");
  if (auth?.startsWith("Basic ")) {
    const decoded = atob(auth.slice(6));
    const colon = decoded.indexOf(":");
    return colon < 0
      ? { user: decoded, password: "" }
      : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { user: c.req.query("user") ?? "default", password: "" };
}

/** Constant-time comparison, so response timing does not leak how much of a password matched. */
function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

function errorResponse(c: Context, code: number, message: string) {
  const body = message.startsWith("Code:") ? message : `Code: ${code}. DB::Exception: ${message}`;
  return c.body(`${body.trimEnd()}\n`, statusOfCode(code) as 500, {
    "Content-Type": "text/plain; charset=UTF-8",
    "X-ClickHouse-Exception-Code": String(code),
    ...(code === 202 ? { "Retry-After": "1" } : {}),
  });
}

export function sqlHttpApp({ engine, users }: { engine: Engine; users: SqlUsers }) {
  const app = new Hono();
  const guard = new SqlGuard(engine);

  app.get("/ping", (c) => c.text("Ok.\n"));

  app.on(["GET", "POST"], "/", async (c) => {
    if (c.req.query("password") !== undefined) return errorResponse(c, 36, PASSWORD_IN_URL);
    const { user, password } = credentials(c);
    const expected = users.get(user);
    if (expected === undefined || !sameSecret(password, expected)) {
      return errorResponse(
        c,
        516,
        `${user}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)`,
      );
    }
    const body = c.req.method === "POST" ? await c.req.text() : "";
    const fromUrl = c.req.query("query") ?? "";
    // As in ClickHouse: the URL's query, then the body (the data of an INSERT, or the whole query).
    const sql = [fromUrl, body].filter((part) => part.trim() !== "").join("\n");
    if (sql === "") return c.text("Ok.\n");

    const format = c.req.query("default_format") ?? "TabSeparated";
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(c.req.queries())) {
      if (key.startsWith("param_")) params[key.slice(6)] = unescapeParam(value[0]);
    }
    const queryId = c.req.query("query_id") ?? crypto.randomUUID();
    try {
      const statement = await guard.check(sql, params);
      const result = await engine.query(statement, { format, params, fromSqlUser: true });
      const explicit = sql.match(/\bFORMAT\s+(\w+)\s*;?\s*$/i)?.[1];
      return c.body(result.text, 200, {
        "Content-Type": contentType(explicit ?? format),
        "X-ClickHouse-Format": explicit ?? format,
        "X-ClickHouse-Query-Id": queryId,
        "X-ClickHouse-Timezone": "UTC",
        "X-ClickHouse-Summary": JSON.stringify({
          read_rows: String(result.rowsRead),
          elapsed_ns: String(Math.round(result.elapsedMs * 1e6)),
        }),
      });
    } catch (error) {
      if (error instanceof EngineError) return errorResponse(c, error.code, error.message);
      throw error;
    }
  });

  return app;
}

const ESCAPES: Record<string, string> = {
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  "0": "\0",
  a: "\x07",
  v: "\v",
};

/**
 * A `param_` value as ClickHouse reads it: in its escaped text format, so `\n` is a line break and `\\`
 * one backslash. @clickhouse/client escapes each value so (a statement with line breaks or quotes as a
 * parameter arrived with literal backslashes); curl users who send plain text see no difference.
 */
export function unescapeParam(value: string): string {
  return value.replace(/\\(.)/gs, (_, ch: string) => ESCAPES[ch] ?? ch);
}
