// The whole pipeline on one machine: Kafka broker, processor (embedded ClickHouse + SQL over
// HTTP) and collector, each a background process with its state under one data root. `deno task
// up` uses it with the default ports; tests use it with free ports and a temporary root. The
// topology tests put the same processor and collector on a three-node Kafka cluster instead.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brokerPid, ensureTopics, startBroker, stopBroker } from "../kafka/broker.ts";
import { type RunningCluster, startCluster, stopCluster } from "../kafka/cluster.ts";
import { topicsFromEnv } from "../contract/mod.ts";
import type { SqlEndpoint } from "../lib/sql_client.ts";
import { buildIfStale } from "../sdk/build.ts";
import { freePort, readPid, type Service, spawnDeno, stopPid, waitForHttp } from "../lib/process.ts";
import { freePortRange, portFree, portHolder } from "../lib/ports.ts";
import { COLLECTOR_V8_FLAGS } from "../collector/config.ts";

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
  processorLog: string;
  collectorLog: string;
};

const root = fileURLToPath(new URL("..", import.meta.url));

/** A start that cannot go on for a reason the user can fix; its message says what and how. */
export class StartError extends Error {}

/** A port a part needs; `setting` and `value` name the variable that moves it. */
type PortUse = { port: number; service: string; setting: string; value: number };

/**
 * Fails before anything starts when a port of a part that is not running yet is taken: otherwise
 * another instance on that port answers our health check, and the start fails later and elsewhere.
 */
function assertPortsFree(uses: PortUse[]): void {
  const taken = uses.filter((u) => !portFree(u.port)).map((u) => {
    const holder = portHolder(u.port);
    const by = holder ? ` by pid ${holder.pid} (${holder.command})` : "";
    return { line: `  port ${u.port} (${u.service}) is taken${by}`, move: `${u.setting}=${u.value + 10}` };
  });
  if (taken.length === 0) return;
  throw new StartError(
    `Cannot start Shoptrail: ${taken.length === 1 ? "a port it needs is" : "ports it needs are"} in use.\n` +
      `${taken.map((t) => t.line).join("\n")}\n` +
      "Stop what holds it (`deno task down` in the folder that started it), or move to free ports, e.g. " +
      `${[...new Set(taken.map((t) => t.move))].join(" ")} deno task up`,
  );
}

function serviceEnv(
  o: {
    dataRoot: string;
    kafkaBrokers: string;
    processorPort: number;
    collectorPort: number;
    env?: Record<string, string>;
  },
): Record<string, string> {
  return {
    // The broker and ClickHouse share this machine's cores: one collector worker unless asked for more
    // (one answered faster than two at fixed publish rates on 2 cores: docs/SCALING.md).
    COLLECTOR_WORKERS: "1",
    ...Deno.env.toObject(),
    KAFKA_BROKERS: o.kafkaBrokers,
    PROCESSOR_PORT: String(o.processorPort),
    CLICKHOUSE_DATA_DIR: join(o.dataRoot, "clickhouse"),
    SQL_PASSWORD_FILE: join(o.dataRoot, "sql_password"),
    ADMIN_TOKEN_FILE: join(o.dataRoot, "admin_token"),
    COLLECTOR_PORT: String(o.collectorPort),
    // The collector's own spool (used while Kafka cannot take a batch), not the developer's.
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
): Promise<Service> {
  const run = join(dataRoot, "run");
  const pid = readPid(join(run, `${name}.pid`));
  const service: Service = pid
    ? { name, pid, logFile: join(run, `${name}.log`) }
    : await spawnDeno({ name, script: join(root, script), dir: run, env });
  await waitForHttp(healthUrl, { deadlineMs, service });
  return service;
}

/** The processor and the collector on a running Kafka: started unless running, waited for. */
async function startServices(
  { dataRoot, env, processorPort, collectorPort, deadlineMs }: {
    dataRoot: string;
    env: Record<string, string>;
    processorPort: number;
    collectorPort: number;
    deadlineMs: number;
  },
): Promise<Pick<Pipeline, "collectorUrl" | "sql" | "processorLog" | "collectorLog">> {
  const sqlUrl = `http://127.0.0.1:${processorPort}/`;
  const collectorUrl = `http://127.0.0.1:${collectorPort}`;
  const [processor, collector] = await Promise.all([
    ensureService({
      name: "processor",
      script: "processor/main.ts",
      dataRoot,
      env,
      healthUrl: `${sqlUrl}ping`,
      deadlineMs,
    }),
    ensureService({
      name: "collector",
      script: "collector/main.ts",
      dataRoot,
      env: { ...env, DENO_V8_FLAGS: `${env.DENO_V8_FLAGS ?? ""} ${COLLECTOR_V8_FLAGS}`.trim() },
      healthUrl: `${collectorUrl}/health`,
      deadlineMs,
    }),
  ]);
  const password = (await Deno.readTextFile(env.SQL_PASSWORD_FILE)).trim();
  return {
    collectorUrl,
    sql: { url: sqlUrl, user: env.SQL_USER ?? "default", password },
    processorLog: processor.logFile,
    collectorLog: collector.logFile,
  };
}

/** Starts whatever part of the pipeline is not running yet and waits until all of it is healthy. */
export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const o = { kafkaPort: 9092, processorPort: 8123, collectorPort: 8080, ...options };
  const deadlineMs = o.startDeadlineMs ?? 120_000;
  const env = serviceEnv({ ...o, kafkaBrokers: `127.0.0.1:${o.kafkaPort}` });
  const running = (name: string) => readPid(join(o.dataRoot, "run", `${name}.pid`)) !== undefined;
  const controllerPort = o.kafkaControllerPort ?? o.kafkaPort + 1;
  assertPortsFree([
    ...(brokerPid(join(o.dataRoot, "kafka")) ? [] : [
      { port: o.kafkaPort, service: "Kafka broker, KAFKA_PORT", setting: "KAFKA_PORT", value: o.kafkaPort },
      {
        port: controllerPort,
        service: "Kafka controller, KAFKA_PORT + 1",
        setting: "KAFKA_PORT",
        value: o.kafkaPort,
      },
    ]),
    ...(running("processor") ? [] : [
      {
        port: o.processorPort,
        service: "processor, PROCESSOR_PORT",
        setting: "PROCESSOR_PORT",
        value: o.processorPort,
      },
    ]),
    ...(running("collector") ? [] : [
      {
        port: o.collectorPort,
        service: "collector, COLLECTOR_PORT",
        setting: "COLLECTOR_PORT",
        value: o.collectorPort,
      },
    ]),
  ]);
  // The collector serves sdk/dist/, which a fresh clone lacks: build it, or rebuild an old one.
  await buildIfStale({ outDir: env.SDK_DIST_DIR || undefined });
  const broker = await startBroker({
    dataDir: join(o.dataRoot, "kafka"),
    port: o.kafkaPort,
    controllerPort,
    startDeadlineMs: deadlineMs,
  });
  await ensureTopics(broker.bootstrap, Object.values(topicsFromEnv((name) => env[name])));
  const services = await startServices({ ...o, env, deadlineMs });
  return { dataRoot: o.dataRoot, kafkaBootstrap: broker.bootstrap, env, ...services };
}

/** Stops the collector first (no new events), then the processor, then the broker. */
export async function stopPipeline(dataRoot: string): Promise<string[]> {
  const stopped = await stopServices(dataRoot);
  if (await stopBroker(join(dataRoot, "kafka"))) stopped.push("kafka");
  return stopped;
}

async function stopServices(dataRoot: string): Promise<string[]> {
  const stopped: string[] = [];
  for (const name of ["collector", "processor"]) {
    if (await stopPid(join(dataRoot, "run", `${name}.pid`))) stopped.push(name);
  }
  return stopped;
}

export type ClusterPipeline = Pipeline & { kafkaDir: string; cluster: RunningCluster };

/**
 * The same processor and collector on a Kafka cluster of `nodes` brokers on free ports: KAFKA_BROKERS
 * lists every broker, and the topics are created with the cluster's replication (3 nodes: factor 3,
 * min.insync.replicas 2).
 */
export async function startClusterPipeline(
  { dataRoot, nodes = 3, env: extra, startDeadlineMs = 120_000 }: {
    dataRoot: string;
    nodes?: number;
    env?: Record<string, string>;
    startDeadlineMs?: number;
  },
): Promise<ClusterPipeline> {
  const kafkaDir = join(dataRoot, "kafka");
  const cluster = await startCluster({ dataDir: kafkaDir, nodes, basePort: freePortRange(2 * nodes) });
  await ensureTopics(cluster.bootstrap, Object.values(topicsFromEnv(() => undefined)), {
    replicas: cluster.replication.factor,
    minInsyncReplicas: cluster.replication.minInsync,
  });
  const ports = { processorPort: await freePort(), collectorPort: await freePort() };
  const env = serviceEnv({ dataRoot, kafkaBrokers: cluster.bootstrap, ...ports, env: extra });
  const services = await startServices({ dataRoot, env, ...ports, deadlineMs: startDeadlineMs });
  return { dataRoot, kafkaBootstrap: cluster.bootstrap, env, ...services, kafkaDir, cluster };
}

/** Stops the collector, the processor, then every broker of the cluster. */
export async function stopClusterPipeline(dataRoot: string): Promise<void> {
  await stopServices(dataRoot);
  await stopCluster(join(dataRoot, "kafka"));
}
