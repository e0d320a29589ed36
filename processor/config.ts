// The processor's settings, read once at start.
import { brokersFromEnv, topicsFromEnv } from "../contract/mod.ts";
import { ConfigError, type Env, envInt, envPort, envString, envUrl, processEnv } from "../lib/env.ts";

export function processorConfig(env: Env = processEnv) {
  const topics = topicsFromEnv(env);
  return {
    host: envString(env, "PROCESSOR_HOST", "127.0.0.1"),
    port: envPort(env, "PROCESSOR_PORT", 8123),
    /**
     * Set: server mode. The SQL is applied to this ClickHouse server as CLICKHOUSE_USER (the processor's
     * own user, which also runs the dashboard's panels and alert rules and writes the alert state), and the
     * dashboard, console and SQL endpoint are served, SQL users' statements running as the server's
     * read-only CLICKHOUSE_READER_USER. Unset: embedded ClickHouse.
     */
    clickhouseUrl: envUrl(env, "CLICKHOUSE_URL"),
    clickhouseUser: env("CLICKHOUSE_USER"),
    clickhousePassword: env("CLICKHOUSE_PASSWORD"),
    clickhouseReaderUser: envString(env, "CLICKHOUSE_READER_USER", "reader"),
    clickhouseReaderPassword: env("CLICKHOUSE_READER_PASSWORD"),
    /**
     * Server mode's part: "all" migrates then serves, "migrate" migrates and exits (a one-shot job),
     * "serve" serves a schema that job keeps (no DDL or writes of reference data at start).
     */
    role: roleOf(envString(env, "PROCESSOR_ROLE", "all")),
    dataDir: envString(env, "CLICKHOUSE_DATA_DIR", ".data/clickhouse"),
    /**
     * The sites file (collector/clients/sites.ts), for each site's time zone: PROCESSOR_SITES_FILE,
     * else the collector's COLLECTOR_SITES_FILE (one file in the all-in-one stack). Unset: every site UTC.
     */
    sitesFile: sitesFileOf(env),
    /** The read-only user of the SQL endpoint; its password comes from SQL_PASSWORD or the file. */
    sqlUser: envString(env, "SQL_USER", "default"),
    sqlPassword: env("SQL_PASSWORD"),
    sqlPasswordFile: envString(env, "SQL_PASSWORD_FILE", ".data/sql_password"),
    /**
     * The processor's admin tasks (a shopper's erasure: processor/admin.ts) need this token, from
     * ADMIN_TOKEN or the file (made 0600 at first start); never the SQL users' password.
     */
    adminToken: env("ADMIN_TOKEN"),
    adminTokenFile: envString(env, "ADMIN_TOKEN_FILE", ".data/admin_token"),
    // Limits of each SQL user's query (SqlLimits in embedded_engine.ts); time and result rows hold
    // for the dashboard's and alerts' queries too.
    maxExecutionTimeS: envInt(env, "SQL_MAX_EXECUTION_TIME_S", 30, { min: 1, max: 3600 }),
    maxResultRows: envInt(env, "SQL_MAX_RESULT_ROWS", 1_000_000, { min: 1 }),
    maxResultBytes: envInt(env, "SQL_MAX_RESULT_BYTES", 256 * 2 ** 20, { min: 1 }),
    maxMemoryBytes: envInt(env, "SQL_MAX_MEMORY_BYTES", 2 * 2 ** 30, { min: 2 ** 20 }),
    /** Cores one SQL user's query may use: half by default, so ingestion keeps the rest. */
    maxThreads: envInt(env, "SQL_MAX_THREADS", Math.max(1, Math.floor(navigator.hardwareConcurrency / 2)), {
      min: 1,
    }),
    maxRowsToRead: envInt(env, "SQL_MAX_ROWS_TO_READ", 1_000_000_000, { min: 1 }),
    maxBytesToRead: envInt(env, "SQL_MAX_BYTES_TO_READ", 100 * 2 ** 30, { min: 1 }),
    /** SQL users' queries running at once (a chdb session each) and waiting for one; past both: 503. */
    maxConcurrentQueries: envInt(env, "SQL_MAX_CONCURRENT_QUERIES", 2, { min: 1, max: 64 }),
    maxQueuedQueries: envInt(env, "SQL_MAX_QUEUED_QUERIES", 8, { min: 0, max: 1000 }),
    sqlValues: {
      KAFKA_BROKERS: brokersFromEnv(env).join(","),
      EVENTS_TOPIC: topics.events.name,
      KAFKA_GROUP: envString(env, "KAFKA_GROUP", "shoptrail-clickhouse"),
      PRODUCTS_TOPIC: topics.products.name,
      USERS_TOPIC: topics.users.name,
      /** How long raw `events` rows are kept. */
      EVENTS_TTL_DAYS: String(envInt(env, "EVENTS_TTL_DAYS", 90, { min: 1, max: 36500 })),
      /** How long after its minute closes an event still counts in the live windows (funnel_1m, revenue_hop). */
      LIVE_WATERMARK_S: String(envInt(env, "LIVE_WATERMARK_S", 120, { min: 0, max: 86400 })),
    },
  };
}

export type ProcessorConfig = ReturnType<typeof processorConfig>;

const ROLES = ["all", "migrate", "serve"] as const;

function roleOf(value: string): typeof ROLES[number] {
  if (!(ROLES as readonly string[]).includes(value)) {
    throw new ConfigError(`PROCESSOR_ROLE must be one of ${ROLES.join(", ")}; got ${JSON.stringify(value)}`);
  }
  return value as typeof ROLES[number];
}

function sitesFileOf(env: Env): { path: string; variable: string } | undefined {
  for (const variable of ["PROCESSOR_SITES_FILE", "COLLECTOR_SITES_FILE"]) {
    const path = env(variable);
    if (path) return { path, variable };
  }
  return undefined;
}

/** The SQL password: from the environment, else the file, else a new random one saved there (0600). */
export function resolveSqlPassword(config: ProcessorConfig): Promise<string> {
  return resolveSecret(config.sqlPassword, config.sqlPasswordFile);
}

/** The admin token (processor/admin.ts), resolved as the SQL password is. */
export function resolveAdminToken(config: ProcessorConfig): Promise<string> {
  return resolveSecret(config.adminToken, config.adminTokenFile);
}

async function resolveSecret(value: string | undefined, file: string): Promise<string> {
  if (value) return value;
  try {
    return (await Deno.readTextFile(file)).trim();
  } catch {
    const secret = Array.from(
      crypto.getRandomValues(new Uint8Array(18)),
      (b) => b.toString(16).padStart(2, "0"),
    )
      .join("");
    const dir = file.replace(/\/[^/]*$/, "");
    if (dir && dir !== file) await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(file, secret + "\n", { mode: 0o600 });
    return secret;
  }
}
