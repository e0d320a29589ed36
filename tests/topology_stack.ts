// The pipeline on a three-node Kafka cluster, for the topology tests: the same processor and
// collector as `startTestPipeline`, but with KAFKA_BROKERS listing every broker and topics
// created with replication factor 3 and min.insync.replicas 2.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureTopics } from "../kafka/broker.ts";
import { type RunningCluster, startCluster, stopCluster } from "../kafka/cluster.ts";
import { topicsFromEnv } from "../contract/mod.ts";
import { sqlRows } from "../lib/sql_client.ts";
import { freePort, spawnDeno, stopPid, waitForHttp } from "../lib/process.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

export type ClusterStack = {
  dataRoot: string;
  kafkaDir: string;
  cluster: RunningCluster;
  collectorUrl: string;
  collectorLog: string;
  processorLog: string;
  rows<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  stop(): Promise<void>;
};

/**
 * Where the kernel starts handing out ports to outgoing connections. A broker's port is checked
 * free, then bound seconds later by the JVM; in that ephemeral range a client connection can take
 * it meanwhile (seen: "Address already in use" for node 3, about one run in ten).
 */
function ephemeralPortStart(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range").trim().split(/\s+/)[0]) ||
      32_768;
  } catch {
    return 32_768;
  }
}

/** A base port whose next `count` ports are all free right now, all below the ephemeral range. */
function freePortRange(count: number): number {
  const below = ephemeralPortStart() - count;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 10_000 + 2 * Math.floor(Math.random() * ((below - 10_000) / 2));
    const listeners: Deno.Listener[] = [];
    try {
      for (let i = 0; i < count; i++) listeners.push(Deno.listen({ hostname: "127.0.0.1", port: base + i }));
      return base;
    } catch {
      /* taken: try another */
    } finally {
      for (const l of listeners) l.close();
    }
  }
  throw new Error(`no ${count} consecutive free ports found on 127.0.0.1`);
}

export async function startClusterStack(): Promise<ClusterStack> {
  const dataRoot = await Deno.makeTempDir({ prefix: "shoptrail-cluster-" });
  const kafkaDir = join(dataRoot, "kafka");
  const run = join(dataRoot, "run");
  const stop = async () => {
    for (const name of ["collector", "processor"]) await stopPid(join(run, `${name}.pid`));
    await stopCluster(kafkaDir);
  };
  try {
    const cluster = await startCluster({ dataDir: kafkaDir, nodes: 3, basePort: freePortRange(6) });
    const topics = topicsFromEnv(() => undefined);
    await ensureTopics(cluster.bootstrap, Object.values(topics), {
      replicas: cluster.replication.factor,
      minInsyncReplicas: cluster.replication.minInsync,
    });
    const processorPort = await freePort();
    const collectorPort = await freePort();
    const env = {
      ...Deno.env.toObject(),
      KAFKA_BROKERS: cluster.bootstrap,
      PROCESSOR_PORT: String(processorPort),
      CLICKHOUSE_DATA_DIR: join(dataRoot, "clickhouse"),
      SQL_PASSWORD_FILE: join(dataRoot, "sql_password"),
      COLLECTOR_PORT: String(collectorPort),
      // The collector's own spool (used while Kafka cannot take a batch), not the developer's.
      COLLECTOR_SPOOL_DIR: join(dataRoot, "spool"),
    };
    const sqlUrl = `http://127.0.0.1:${processorPort}/`;
    const collectorUrl = `http://127.0.0.1:${collectorPort}`;
    const [processor, collector] = await Promise.all([
      spawnDeno({ name: "processor", script: join(root, "processor/main.ts"), dir: run, env }),
      spawnDeno({ name: "collector", script: join(root, "collector/main.ts"), dir: run, env }),
    ]);
    await Promise.all([
      waitForHttp(`${sqlUrl}ping`, { deadlineMs: 120_000, service: processor }),
      waitForHttp(`${collectorUrl}/health`, { deadlineMs: 120_000, service: collector }),
    ]);
    const sql = {
      url: sqlUrl,
      user: "default",
      password: (await Deno.readTextFile(env.SQL_PASSWORD_FILE)).trim(),
    };
    return {
      dataRoot,
      kafkaDir,
      cluster,
      collectorUrl,
      collectorLog: collector.logFile,
      processorLog: processor.logFile,
      rows: (query) => sqlRows(sql, query),
      stop: async () => {
        await stop();
        await Deno.remove(dataRoot, { recursive: true }).catch(() => {});
      },
    };
  } catch (error) {
    await stop().catch(() => {});
    throw new Error(`${(error as Error).message} (state kept in ${dataRoot})`);
  }
}
