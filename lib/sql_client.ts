// A small client of the SQL endpoint (ours or a ClickHouse server's HTTP interface).
export type SqlEndpoint = { url: string; user: string; password: string };

export class SqlError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }
}

export async function sqlText(endpoint: SqlEndpoint, sql: string, format = "JSONEachRow"): Promise<string> {
  const url = new URL(endpoint.url);
  url.searchParams.set("default_format", format);
  const response = await fetch(url, {
    method: "POST",
    body: sql,
    headers: { "X-ClickHouse-User": endpoint.user, "X-ClickHouse-Key": endpoint.password },
  });
  const text = await response.text();
  if (!response.ok) {
    throw new SqlError(
      response.status,
      Number(response.headers.get("X-ClickHouse-Exception-Code") ?? 0),
      text.trim(),
    );
  }
  return text;
}

export async function sqlRows<T = Record<string, unknown>>(endpoint: SqlEndpoint, sql: string): Promise<T[]> {
  const text = await sqlText(endpoint, sql, "JSONEachRow");
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as T);
}
