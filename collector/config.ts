// The collector's settings, read and checked once at start: a bad value stops the process with
// the variable's name and the expected form (see lib/env.ts).
import { dirname, join } from "node:path";
import { brokersFromEnv, topicsFromEnv } from "../contract/mod.ts";
import { ConfigError, type Env, envInt, envPort, envString, envUrl, processEnv } from "../lib/env.ts";
import { DEFAULT_LIMITS } from "./batch.ts";

function envChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env(name);
  if (raw === undefined || raw === "") return fallback;
  if (!choices.includes(raw as T)) {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is not valid: expected one of ${choices.join(", ")}`,
    );
  }
  return raw as T;
}

function envBool(env: Env, name: string, fallback: boolean): boolean {
  return { true: true, "1": true, false: false, "0": false, "": fallback }[
    envChoice(env, name, ["true", "1", "false", "0", ""], "")
  ]!;
}

function envHeader(env: Env, name: string): string | undefined {
  const raw = env(name);
  if (raw === undefined || raw === "") return undefined;
  if (!/^[A-Za-z0-9-]+$/.test(raw)) {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is not valid: expected a header name such as x-forwarded-for`,
    );
  }
  return raw.toLowerCase();
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

/** Requests per second per client IP across all sites when the collector is public. */
export const PUBLIC_IP_REQUESTS_PER_S = 50;

export function collectorConfig(env: Env = processEnv) {
  const transport = envChoice(env, "COLLECTOR_TRANSPORT", ["kafka", "upstash"] as const, "kafka");
  const upstashUrl = envUrl(env, "UPSTASH_KAFKA_REST_URL");
  if (
    transport === "upstash" &&
    (!upstashUrl || !env("UPSTASH_KAFKA_REST_USERNAME") || !env("UPSTASH_KAFKA_REST_PASSWORD"))
  ) {
    throw new ConfigError(
      "COLLECTOR_TRANSPORT=upstash needs UPSTASH_KAFKA_REST_URL, UPSTASH_KAFKA_REST_USERNAME and UPSTASH_KAFKA_REST_PASSWORD",
    );
  }
  const host = envString(env, "COLLECTOR_HOST", "127.0.0.1");
  const ipHeader = envHeader(env, "COLLECTOR_IP_HEADER");
  // Other machines reach a collector that binds beyond loopback, or that a proxy in front hands
  // clients' addresses to: that is production, and it fails closed.
  const exposed = !LOOPBACK.test(host) || ipHeader !== undefined;
  const sitesFile = env("COLLECTOR_SITES_FILE") || undefined;
  if (exposed && !sitesFile && !envBool(env, "COLLECTOR_ALLOW_ANY_SITE", false)) {
    throw new ConfigError(
      `COLLECTOR_SITES_FILE is not set, and the collector is reachable from other machines (${
        ipHeader ? `COLLECTOR_IP_HEADER=${ipHeader}` : `COLLECTOR_HOST=${host}`
      }): it would accept any site from any origin. Set COLLECTOR_SITES_FILE to the sites file ` +
        "(collector/clients/sites.ts), or COLLECTOR_ALLOW_ANY_SITE=1 to run open on purpose",
    );
  }
  const ipRate = envInt(env, "COLLECTOR_IP_REQUESTS_PER_S", exposed ? PUBLIC_IP_REQUESTS_PER_S : 0, {
    min: 0,
    max: 1_000_000,
  });
  const spoolDir = envString(env, "COLLECTOR_SPOOL_DIR", ".data/spool");
  // Beside the spool, not in it: a machine's collector processes each have their own spool but
  // must share one salt.
  const saltDir = envString(
    env,
    "COLLECTOR_SALT_DIR",
    spoolDir === "off" ? "off" : join(dirname(spoolDir), "salt"),
  );
  const topics = topicsFromEnv(env);
  const workers = envString(env, "COLLECTOR_WORKERS", "auto");
  return {
    /**
     * Request workers on the port (threads of one process, each with its own Kafka producer and
     * spool: main.ts); "auto" is one per core.
     */
    workers: workers === "auto" ? navigator.hardwareConcurrency : workerCount(env),
    host,
    port: envPort(env, "COLLECTOR_PORT", 8080),
    brokers: brokersFromEnv(env),
    topics,
    transport,
    upstash: {
      url: upstashUrl?.href ?? "",
      username: env("UPSTASH_KAFKA_REST_USERNAME") ?? "",
      password: env("UPSTASH_KAFKA_REST_PASSWORD") ?? "",
    },
    kafka: {
      lingerMs: envInt(env, "COLLECTOR_KAFKA_LINGER_MS", 5, { min: 0, max: 1000 }),
      compression: envChoice(
        env,
        "COLLECTOR_KAFKA_COMPRESSION",
        ["none", "gzip", "snappy", "lz4", "zstd"] as const,
        "lz4",
      ),
      /** Topics of JSON lines, whose messages are joined per partition (sinks/kafka/join_messages.ts). */
      lineTopics: [topics.events.name],
      /** How long a batch waits for Kafka before it goes to the spool instead. */
      timeoutMs: envInt(env, "COLLECTOR_KAFKA_TIMEOUT_MS", 3000, { min: 100, max: 60_000 }),
    },
    limits: {
      ...DEFAULT_LIMITS,
      maxBodyBytes: envInt(env, "COLLECTOR_MAX_BODY_BYTES", DEFAULT_LIMITS.maxBodyBytes, { min: 1024 }),
      maxEvents: envInt(env, "COLLECTOR_MAX_EVENTS", DEFAULT_LIMITS.maxEvents, { min: 1, max: 10_000 }),
    },
    sitesFile,
    client: {
      ipHeader,
      countryHeader: envHeader(env, "COLLECTOR_COUNTRY_HEADER"),
      ipRate: ipRate > 0
        ? { perSecond: ipRate, burst: envInt(env, "COLLECTOR_IP_BURST", ipRate * 5, { min: 1 }) }
        : undefined,
    },
    /** "off" runs without a spool: a Kafka outage then answers 503 at once. */
    spool: spoolDir === "off" ? undefined : {
      dir: spoolDir,
      maxBytes: envInt(env, "COLLECTOR_SPOOL_MAX_BYTES", 256 * 1024 * 1024, { min: 1024 }),
      segmentBytes: envInt(env, "COLLECTOR_SPOOL_SEGMENT_BYTES", 8 * 1024 * 1024, { min: 1024 }),
    },
    /** The folder this machine's collectors share the day's IP-hash salt through; unset: this process's own. */
    saltDir: saltDir === "off" ? undefined : saltDir,
    parseOnly: envBool(env, "COLLECTOR_PARSE_ONLY", false),
    serveSdk: envBool(env, "COLLECTOR_SERVE_SDK", true),
    /** The folder `GET /sdk.js` serves the bundle from (sdk/dist/ unless set), as the SDK build writes it. */
    sdkDistDir: env("SDK_DIST_DIR") || undefined,
  };
}

function workerCount(env: Env): number {
  try {
    return envInt(env, "COLLECTOR_WORKERS", 1, { min: 1, max: 256 });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}, or auto (one per core)`);
  }
}

export type CollectorConfig = ReturnType<typeof collectorConfig>;

/**
 * V8 settings to start the collector with (DENO_V8_FLAGS; V8 reads them before the first isolate, so
 * they cannot be set from here). A 4 MB semi-space: the young generation is where a request's garbage
 * dies, and V8 grew it to 16 MB per worker under load. Measured with wrk, 2 workers, 512 connections:
 * peak RSS 327 -> 267 MB, CPU per request unchanged (collector/DESIGN.md, "Memory").
 */
export const COLLECTOR_V8_FLAGS = "--max-semi-space-size=4";
