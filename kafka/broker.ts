// Runs a real Apache Kafka node (KRaft, combined broker + controller) from the jars that
// kafka/fetch.ts cached. State lives in one data folder: server.properties, the log, the pid and
// the partitions, so a test can run its own broker beside the developer's. By default a node is a
// cluster of one; kafka/cluster.ts starts several with a shared quorum (nodeId, voters, clusterId).
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Admin } from "@platformatic/kafka";
import { isAlive, readPid, shellQuote, stopPid } from "../lib/process.ts";
import { ensureKafkaJars } from "./fetch.ts";
import type { TopicSpec } from "../contract/mod.ts";

export type BrokerOptions = {
  dataDir: string;
  host?: string;
  port?: number;
  controllerPort?: number;
  heapMb?: number;
  /** How long to wait for the broker to answer metadata requests. */
  startDeadlineMs?: number;
  /** KRaft node id, unique in the cluster (default 1). */
  nodeId?: number;
  /** `controller.quorum.voters`, e.g. `1@127.0.0.1:9093,2@...` (default: this node alone). */
  voters?: string;
  /** The cluster id every node's storage is formatted with (default: a new random one). */
  clusterId?: string;
  /** Replication of the internal topics (consumer offsets, transactions); at most the node count. */
  internalReplication?: { factor: number; minInsync: number };
  /** More `server.properties` lines, e.g. broker defaults for a cluster. */
  properties?: Record<string, string | number | boolean>;
};

export type RunningBroker = { bootstrap: string; pid: number; logFile: string; dataDir: string };

const log4jConfig = fileURLToPath(new URL("./log4j2.properties", import.meta.url));

type NodeSettings = Required<Omit<BrokerOptions, "startDeadlineMs" | "clusterId">>;

function serverProperties(o: NodeSettings): string {
  const { factor, minInsync } = o.internalReplication;
  return [
    "process.roles=broker,controller",
    `node.id=${o.nodeId}`,
    `controller.quorum.voters=${o.voters}`,
    `listeners=PLAINTEXT://${o.host}:${o.port},CONTROLLER://${o.host}:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${o.host}:${o.port}`,
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    "inter.broker.listener.name=PLAINTEXT",
    `log.dirs=${join(o.dataDir, "partitions")}`,
    // Internal topics cannot have more replicas than brokers: 1 for a single node.
    `offsets.topic.replication.factor=${factor}`,
    `transaction.state.log.replication.factor=${factor}`,
    `transaction.state.log.min.isr=${minInsync}`,
    `share.coordinator.state.topic.replication.factor=${factor}`,
    `share.coordinator.state.topic.min.isr=${minInsync}`,
    // Consumers (ClickHouse's Kafka engine) join at once instead of waiting 3 s for peers.
    "group.initial.rebalance.delay.ms=0",
    "auto.create.topics.enable=false",
    ...Object.entries(o.properties).map(([key, value]) => `${key}=${value}`),
    "",
  ].join("\n");
}

function pidFile(dataDir: string) {
  return join(dataDir, "broker.pid");
}

export function brokerLogFile(dataDir: string) {
  return join(dataDir, "broker.log");
}

async function java(classpath: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("java", {
    args: ["-cp", classpath, `-Dlog4j2.configurationFile=${log4jConfig}`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) {
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    throw new Error(`java ${args[0]} failed (exit ${out.code}): ${text.trim().slice(-2000)}`);
  }
}

/** Starts the broker unless one already runs from this data folder; resolves once it serves metadata. */
export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const host = options.host ?? "127.0.0.1";
  const nodeId = options.nodeId ?? 1;
  const controllerPort = options.controllerPort ?? (options.port ?? 9092) + 1;
  const o = {
    heapMb: 512,
    internalReplication: { factor: 1, minInsync: 1 },
    properties: {},
    ...options,
    // After the spread: an option given as undefined keeps its default.
    port: options.port ?? 9092,
    host,
    controllerPort,
    nodeId,
    voters: options.voters ?? `${nodeId}@${host}:${controllerPort}`,
  };
  const bootstrap = `${o.host}:${o.port}`;
  const logFile = brokerLogFile(o.dataDir);
  const running = readPid(pidFile(o.dataDir));
  if (running) {
    await waitForBroker(bootstrap, { deadlineMs: o.startDeadlineMs ?? 60_000, logFile, pid: running });
    return { bootstrap, pid: running, logFile, dataDir: o.dataDir };
  }

  const libs = await ensureKafkaJars();
  const classpath = `${libs}/*`;
  await Deno.mkdir(o.dataDir, { recursive: true });
  const config = join(o.dataDir, "server.properties");
  await Deno.writeTextFile(config, serverProperties(o));
  const formatted = await Deno.stat(join(o.dataDir, "partitions", "meta.properties")).then(
    () => true,
    () => false,
  );
  if (!formatted) {
    await java(classpath, [
      "kafka.tools.StorageTool",
      "format",
      // One argument with `=`: an id may start with "-" (base64url), which as a separate argument
      // the tool's parser takes for an option.
      `--cluster-id=${o.clusterId ?? newClusterId()}`,
      "-c",
      config,
    ]);
  }

  // `exec` so the pid we record is the JVM's own, and stop() signals the broker, not a shell.
  const command = [
    "exec java",
    `-Xms${Math.min(256, o.heapMb)}m -Xmx${o.heapMb}m -XX:+UseG1GC`,
    `-Dlog4j2.configurationFile=${shellQuote(log4jConfig)}`,
    `-cp ${shellQuote(classpath)} kafka.Kafka ${shellQuote(config)}`,
    `>> ${shellQuote(logFile)} 2>&1`,
  ].join(" ");
  const child = new Deno.Command("sh", { args: ["-c", command], stdin: "null", detached: true }).spawn();
  child.unref();
  await Deno.writeTextFile(pidFile(o.dataDir), String(child.pid));
  await waitForBroker(bootstrap, { deadlineMs: o.startDeadlineMs ?? 60_000, logFile, pid: child.pid });
  return { bootstrap, pid: child.pid, logFile, dataDir: o.dataDir };
}

/** A KRaft cluster id: 16 random bytes, base64url without padding, as `kafka-storage random-uuid` makes. */
export function newClusterId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Polls metadata until the broker answers (and, with `brokers`, until it knows that many live
 * brokers), failing early if its process died.
 */
export async function waitForBroker(
  bootstrap: string,
  { deadlineMs, logFile, pid, brokers = 1 }: {
    deadlineMs: number;
    logFile: string;
    pid?: number;
    brokers?: number;
  },
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let lastError = "";
  while (Date.now() < deadline) {
    if (pid !== undefined && !isAlive(pid)) {
      throw new Error(`Kafka broker (pid ${pid}) exited during start; see ${logFile}`);
    }
    const admin = new Admin({
      clientId: "shoptrail-wait",
      bootstrapBrokers: bootstrap.split(","),
      retries: 0,
      timeout: 2000,
    });
    try {
      const meta = await admin.metadata({ topics: [] });
      if (meta.brokers.size >= brokers) return;
      lastError = `${meta.brokers.size} of ${brokers} brokers registered`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    } finally {
      await admin.close().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `Kafka broker at ${bootstrap} did not answer metadata requests within ${deadlineMs} ms ` +
      `(last error: ${lastError || "none"}); see ${logFile}`,
  );
}

/**
 * Creates the topics that do not exist yet, with their partition count and retention. `bootstrap`
 * may list several brokers (comma-separated); a cluster passes `replicas: 3, minInsyncReplicas: 2`.
 */
export async function ensureTopics(
  bootstrap: string,
  topics: TopicSpec[],
  { replicas = 1, minInsyncReplicas }: { replicas?: number; minInsyncReplicas?: number } = {},
): Promise<void> {
  const admin = new Admin({ clientId: "shoptrail-topics", bootstrapBrokers: bootstrap.split(",") });
  try {
    const existing = new Set(await admin.listTopics());
    for (const t of topics.filter((t) => !existing.has(t.name))) {
      await admin.createTopics({
        topics: [t.name],
        partitions: t.partitions,
        replicas,
        configs: [
          { name: "retention.ms", value: String(t.retentionMs) },
          ...(minInsyncReplicas === undefined
            ? []
            : [{ name: "min.insync.replicas", value: String(minInsyncReplicas) }]),
        ],
      }).catch((error) => {
        // A retried request (the first went to a node that was not yet controller) can find its
        // own earlier attempt's topic: that is success.
        if (!mentions(error, "already exists")) throw error;
      });
    }
  } finally {
    await admin.close();
  }
}

function mentions(error: unknown, text: string): boolean {
  if (!(error instanceof Error)) return false;
  if (error.message.includes(text)) return true;
  const nested = (error as Error & { errors?: unknown[] }).errors ?? [];
  return nested.some((e) => mentions(e, text));
}

/** Stops the broker cleanly (SIGTERM: it flushes and closes its logs), killing it after the deadline. */
export function stopBroker(dataDir: string, { deadlineMs = 30_000 } = {}): Promise<boolean> {
  return stopPid(pidFile(dataDir), { deadlineMs });
}

/** The pid of the broker running from this data folder, if any (used by failure tests). */
export function brokerPid(dataDir: string): number | undefined {
  return readPid(pidFile(dataDir));
}
