// The collector's settings, read and checked once at start.
import { brokersFromEnv, topicsFromEnv } from "../kafka/topics.ts";
import { type Env, envInt, envPort, envString, processEnv } from "../stack/env.ts";

export function collectorConfig(env: Env = processEnv) {
  return {
    host: envString(env, "COLLECTOR_HOST", "127.0.0.1"),
    port: envPort(env, "COLLECTOR_PORT", 8080),
    brokers: brokersFromEnv(env),
    topics: topicsFromEnv(env),
    maxBodyBytes: envInt(env, "COLLECTOR_MAX_BODY_BYTES", 512 * 1024, { min: 1024 }),
  };
}
