// The whole pipeline on one machine: Kafka broker, processor (embedded ClickHouse + SQL over
// HTTP) and collector, each a background process with its state under one data root. `deno task
// up` uses it with the default ports; tests use it with free ports and a temporary root.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureTopics, startBroker, stopBroker } from "../kafka/broker.ts";
import { topicsFromEnv } from "../kafka/topics.ts";
import type { SqlEndpoint } from "../processor/sql_client.ts";
import { readPid, type Service, spawnDeno, stopPid, waitForHttp } from "./process.ts";

export type PipelineOptions = {
  dataRoot: string;
  kafkaPort?: number;
  /** The broker's KRaft controller listener (default: kafkaPort + 1). */
  kafkaControllerPort?: number;
  processorPort?: number;
  collectorPort?: number;
  /** Extra environment for the processor and collector. */
  env?: Record<string, string>;
  startDeadlineMs?: number;
};

export type Pipeline = {
  dataRoot: string;
  kafkaBootstrap: string;
  collectorUrl: string;
  sql: SqlEndpoint;
  env: Record<string, string>;
};

const root = fileURLToPath(new URL("..", import.meta.url));

function serviceEnv(
  o: Required<Omit<PipelineOptions, "env" | "startDeadlineMs" | "kafkaControllerPort">> & { env?: Record<string, string> },
): Record<string, string> {
  return {
    ...Deno.env.toObject(),
    KAFKA_BROKERS: `127.0.0.1:${o.kafkaPort}`,
    PROCESSOR_PORT: String(o.processorPort),
    CLICKHOUSE_DATA_DIR: join(o.dataRoot, "clickhouse"),
    SQL_PASSWORD_FILE: join(o.dataRoot, "sql_password"),
    COLLECTOR_PORT: String(o.collectorPort),
    COLLECTOR_SPOOL_DIR: join(o.dataRoot, "spool"),
    ...o.env,
  };
}

async function ensureService(
  { name, script, dataRoot, env, healthUrl, deadlineMs }: {
    name: string;
    script: string;
    dataRoot: string;
    env: Record<string, string>;
    healthUrl: string;
    deadlineMs: number;
  },
): Promise<void> {
  const run = join(dataRoot, "run");
  const pid = readPid(join(run, `${name}.pid`));
  const service: Service = pid
    ? { name, pid, logFile: join(run, `${name}.log`) }
    : await spawnDeno({ name, script: join(root, script), dir: run, env });
  await waitForHttp(healthUrl, { deadlineMs, service });
}

/** Starts whatever part of the pipeline is not running yet and waits until all of it is healthy. */
export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const o = { kafkaPort: 9092, processorPort: 8123, collectorPort: 8080, ...options };
  const deadlineMs = o.startDeadlineMs ?? 120_000;
  const env = serviceEnv(o);
  const broker = await startBroker({
    dataDir: join(o.dataRoot, "kafka"),
    port: o.kafkaPort,
    controllerPort: o.kafkaControllerPort,
    startDeadlineMs: deadlineMs,
  });
  await ensureTopics(broker.bootstrap, Object.values(topicsFromEnv((name) => env[name])));

  const sqlUrl = `http://127.0.0.1:${o.processorPort}/`;
  const collectorUrl = `http://127.0.0.1:${o.collectorPort}`;
  await Promise.all([
    ensureService({ name: "processor", script: "processor/main.ts", dataRoot: o.dataRoot, env, healthUrl: `${sqlUrl}ping`, deadlineMs }),
    ensureService({ name: "collector", script: "collector/main.ts", dataRoot: o.dataRoot, env, healthUrl: `${collectorUrl}/health`, deadlineMs }),
  ]);
  const password = (await Deno.readTextFile(env.SQL_PASSWORD_FILE)).trim();
  return {
    dataRoot: o.dataRoot,
    kafkaBootstrap: broker.bootstrap,
    collectorUrl,
    sql: { url: sqlUrl, user: env.SQL_USER ?? "default", password },
    env,
  };
}

/** Stops the collector first (no new events), then the processor, then the broker. */
export async function stopPipeline(dataRoot: string): Promise<string[]> {
  const stopped: string[] = [];
  for (const name of ["collector", "processor"]) {
    if (await stopPid(join(dataRoot, "run", `${name}.pid`))) stopped.push(name);
  }
  if (await stopBroker(join(dataRoot, "kafka"))) stopped.push("kafka");
  return stopped;
}
