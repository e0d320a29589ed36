// Shared helpers for tests that need the real pipeline: each test file starts its own broker,
// processor and collector on free ports under a temporary folder, and stops them after.
import { freePort } from "../lib/process.ts";
import {
  type ClusterPipeline,
  type Pipeline,
  startClusterPipeline,
  startPipeline,
  stopClusterPipeline,
  stopPipeline,
} from "./pipeline.ts";
import { sqlRows } from "../lib/sql_client.ts";

export type TestPipeline = Pipeline & {
  rows<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  stop(): Promise<void>;
};

export function startTestPipeline(
  { env = {} }: { env?: Record<string, string> } = {},
): Promise<TestPipeline> {
  return underTempRoot("shoptrail-test-", stopPipeline, async (dataRoot) =>
    startPipeline({
      dataRoot,
      kafkaPort: await freePort(),
      // Its own free port: kafkaPort + 1 may be another connection's local end.
      kafkaControllerPort: await freePort(),
      processorPort: await freePort(),
      collectorPort: await freePort(),
      env,
    }));
}

export type ClusterStack = ClusterPipeline & TestPipeline;

/** The pipeline on a three-node Kafka cluster (stack/pipeline.ts), for the topology tests. */
export function startClusterStack(): Promise<ClusterStack> {
  return underTempRoot(
    "shoptrail-cluster-",
    stopClusterPipeline,
    (dataRoot) => startClusterPipeline({ dataRoot }),
  );
}

/**
 * Starts a pipeline under a new temporary folder, which `stop()` removes after stopping it; a start
 * that fails stops what it started and keeps the folder for its logs.
 */
async function underTempRoot<P extends Pipeline>(
  prefix: string,
  stopAll: (dataRoot: string) => Promise<unknown>,
  start: (dataRoot: string) => Promise<P>,
): Promise<P & TestPipeline> {
  const dataRoot = await Deno.makeTempDir({ prefix });
  try {
    const pipeline = await start(dataRoot);
    return {
      ...pipeline,
      rows: (sql) => sqlRows(pipeline.sql, sql),
      stop: async () => {
        await stopAll(dataRoot);
        await Deno.remove(dataRoot, { recursive: true }).catch(() => {});
      },
    };
  } catch (error) {
    await stopAll(dataRoot).catch(() => {});
    throw new Error(`${(error as Error).message} (state kept in ${dataRoot})`);
  }
}

/** Rows of a query file's SQL run through the pipeline's SQL endpoint with `{name:Type}` parameters. */
export async function sqlFileRows(p: TestPipeline, sql: string, params: Record<string, string>) {
  const url = new URL(p.sql.url);
  url.searchParams.set("default_format", "JSONEachRow");
  for (const [k, v] of Object.entries(params)) url.searchParams.set(`param_${k}`, v);
  const response = await fetch(url, {
    method: "POST",
    body: sql,
    headers: { "X-ClickHouse-User": p.sql.user, "X-ClickHouse-Key": p.sql.password },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`SQL failed (${response.status}): ${text}`);
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Polls `probe` until `done` holds for its result, returning that result; throws after the
 * deadline with the last value seen, so a failing test says what it saw instead.
 */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { deadlineMs = 30_000, intervalMs = 100, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `${what} not reached within ${deadlineMs} ms; last value: ${JSON.stringify(last)}` +
      (lastError ? `; last error: ${(lastError as Error).message}` : ""),
  );
}
