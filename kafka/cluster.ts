// A local Kafka cluster: several KRaft nodes (each a combined broker + controller, one JVM each,
// from the same jars as the single node) sharing one quorum and cluster id. Production settings
// in small: replication factor 3 and min.insync.replicas 2, so one node can die without losing an
// acknowledged message or stopping writes. Used by the broker-failure test and `deno task kafka:cluster`.
import { join } from "node:path";
import { Connection, findCoordinatorV6, metadataV12 } from "@platformatic/kafka";
import { isAlive } from "../lib/process.ts";
import { brokerLogFile, brokerPid, newClusterId, startBroker, stopBroker, waitForBroker } from "./broker.ts";

export type ClusterOptions = {
  dataDir: string;
  /** Node count; 3 tolerates one failure with RF 3 / min.insync 2 (default 3). */
  nodes?: number;
  host?: string;
  /** First port: node i listens on basePort + 2i (broker) and basePort + 2i + 1 (controller). */
  basePort?: number;
  /** Heap per JVM; three of them share the machine with the tests (default 384). */
  heapMb?: number;
  startDeadlineMs?: number;
};

export type ClusterNode = { nodeId: number; port: number; controllerPort: number; dataDir: string };

export type ClusterLayout = {
  clusterId: string;
  host: string;
  heapMb: number;
  nodes: ClusterNode[];
  replication: { factor: number; minInsync: number };
};

export type RunningCluster = ClusterLayout & {
  /** Every broker, comma-separated: the KAFKA_BROKERS of the collector and the processor. */
  bootstrap: string;
};

/** Broker settings that make failover quick enough to watch in a test, and safe. */
const CLUSTER_PROPERTIES = {
  // A killed node is fenced (its partitions get new leaders) after 6 s without a heartbeat,
  // instead of Kafka's 9 s; short enough for a test, long enough not to flap on a busy machine.
  "broker.session.timeout.ms": 6000,
  "broker.heartbeat.interval.ms": 1000,
  // Never elect a leader that missed acknowledged writes, even if that means unavailability.
  "unclean.leader.election.enable": false,
};

function layoutFile(dataDir: string) {
  return join(dataDir, "cluster.json");
}

/** The cluster's fixed facts (id, ports), written once so a restarted node rejoins as itself. */
async function layout(o: ClusterOptions): Promise<ClusterLayout> {
  try {
    return JSON.parse(await Deno.readTextFile(layoutFile(o.dataDir)));
  } catch { /* first start */ }
  const count = o.nodes ?? 3;
  const basePort = o.basePort ?? 9192;
  const factor = Math.min(3, count);
  const fresh: ClusterLayout = {
    clusterId: newClusterId(),
    host: o.host ?? "127.0.0.1",
    heapMb: o.heapMb ?? 384,
    nodes: Array.from({ length: count }, (_, i) => ({
      nodeId: i + 1,
      port: basePort + 2 * i,
      controllerPort: basePort + 2 * i + 1,
      dataDir: join(o.dataDir, `node-${i + 1}`),
    })),
    replication: { factor, minInsync: Math.max(1, factor - 1) },
  };
  await Deno.mkdir(o.dataDir, { recursive: true });
  await Deno.writeTextFile(layoutFile(o.dataDir), JSON.stringify(fresh, null, 2));
  return fresh;
}

function bootstrapOf(l: ClusterLayout): string {
  return l.nodes.map((n) => `${l.host}:${n.port}`).join(",");
}

function nodeOptions(l: ClusterLayout, node: ClusterNode, startDeadlineMs?: number) {
  return {
    dataDir: node.dataDir,
    host: l.host,
    port: node.port,
    controllerPort: node.controllerPort,
    heapMb: l.heapMb,
    nodeId: node.nodeId,
    voters: l.nodes.map((n) => `${n.nodeId}@${l.host}:${n.controllerPort}`).join(","),
    clusterId: l.clusterId,
    internalReplication: l.replication,
    properties: {
      ...CLUSTER_PROPERTIES,
      "default.replication.factor": l.replication.factor,
      "min.insync.replicas": l.replication.minInsync,
    },
    startDeadlineMs,
  };
}

/**
 * Starts every node that is not running (all at once: a node answers only once a quorum of
 * controllers elected a leader) and resolves when each knows all brokers.
 */
export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const l = await layout(options);
  const deadlineMs = options.startDeadlineMs ?? 120_000;
  await Promise.all(l.nodes.map((node) => startBroker(nodeOptions(l, node, deadlineMs))));
  const bootstrap = bootstrapOf(l);
  await waitForBroker(bootstrap, {
    deadlineMs,
    logFile: brokerLogFile(l.nodes[0].dataDir),
    brokers: l.nodes.length,
  });
  return { ...l, bootstrap };
}

/** Starts one node again (after a crash or a stop) with its old data; resolves when it serves metadata. */
export async function restartNode(dataDir: string, nodeId: number, { startDeadlineMs = 120_000 } = {}) {
  const l = await layout({ dataDir });
  const node = l.nodes.find((n) => n.nodeId === nodeId);
  if (!node) {
    throw new Error(
      `Kafka cluster in ${dataDir} has no node ${nodeId}; it has ${l.nodes.map((n) => n.nodeId)}`,
    );
  }
  return await startBroker(nodeOptions(l, node, startDeadlineMs));
}

/** `kill -9` of one node's JVM: no shutdown hooks, no flush, no leadership hand-over. */
export async function killNode(dataDir: string, nodeId: number): Promise<number> {
  const l = await layout({ dataDir });
  const node = l.nodes.find((n) => n.nodeId === nodeId);
  const pid = node && brokerPid(node.dataDir);
  if (!pid) throw new Error(`Kafka node ${nodeId} in ${dataDir} is not running`);
  Deno.kill(pid, "SIGKILL");
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  return pid;
}

export async function stopCluster(dataDir: string): Promise<number> {
  const l = await layout({ dataDir }).catch(() => undefined);
  if (!l) return 0;
  const stopped = await Promise.all(l.nodes.map((n) => stopBroker(n.dataDir)));
  return stopped.filter(Boolean).length;
}

export type PartitionState = { partition: number; leader: number; replicas: number[]; isr: number[] };

/**
 * Leader, replicas and in-sync replicas of each partition of a topic, as the cluster reports now.
 * A raw Metadata request to the first broker that answers: the clients' metadata cache hides
 * internal topics such as `__consumer_offsets`, whose ISR matters as much.
 */
export async function partitionStates(bootstrap: string, topic: string): Promise<PartitionState[]> {
  return await askAnyBroker(bootstrap, "shoptrail-isr", async (connection, broker) => {
    const response = await metadataV12.api.async(connection, [topic], false, false);
    const t = response.topics.find((t) => t.name === topic);
    if (!t || t.errorCode !== 0) {
      throw new Error(`topic ${topic} is not in the metadata of ${broker} (${t?.errorCode})`);
    }
    return t.partitions
      .map((p) => ({
        partition: p.partitionIndex,
        leader: p.leaderId,
        replicas: p.replicaNodes,
        isr: p.isrNodes,
      }))
      .sort((a, b) => a.partition - b.partition);
  });
}

/** The node id of the broker coordinating a consumer group (FindCoordinator). */
export async function groupCoordinator(bootstrap: string, group: string): Promise<number> {
  return await askAnyBroker(bootstrap, "shoptrail-coordinator", async (connection, broker) => {
    const [coordinator] = (await findCoordinatorV6.api.async(connection, 0, [group])).coordinators;
    if (!coordinator || coordinator.errorCode !== 0) {
      throw new Error(
        `${broker} names no coordinator for ${group}: ${coordinator?.errorMessage ?? "no answer"}`,
      );
    }
    return coordinator.nodeId;
  });
}

/** One request to the first broker of the list that answers it. */
async function askAnyBroker<T>(
  bootstrap: string,
  clientId: string,
  ask: (connection: Connection, broker: string) => Promise<T>,
): Promise<T> {
  let lastError: unknown;
  for (const broker of bootstrap.split(",")) {
    const [host, port] = [
      broker.slice(0, broker.lastIndexOf(":")),
      Number(broker.slice(broker.lastIndexOf(":") + 1)),
    ];
    const connection = new Connection(clientId, { connectTimeout: 2000 });
    // A broker dying under the socket is an answer here (try the next), not a crash of the caller.
    connection.on("error", (error) => lastError = error);
    try {
      await connection.connect(host, port);
      return await ask(connection, broker);
    } catch (error) {
      lastError = error;
    } finally {
      await connection.close().catch(() => {});
    }
  }
  throw lastError;
}

if (import.meta.main) {
  // `deno task kafka:cluster [up|down]`: a three-node cluster on 127.0.0.1:9192,9194,9196.
  const dataDir = join(Deno.env.get("SHOPTRAIL_DATA") ?? ".data", "kafka-cluster");
  if (Deno.args[0] === "down") {
    console.log(`stopped ${await stopCluster(dataDir)} Kafka nodes`);
  } else {
    const c = await startCluster({ dataDir });
    console.log(`Kafka cluster ${c.clusterId} up: KAFKA_BROKERS=${c.bootstrap}
  replication factor ${c.replication.factor}, min.insync.replicas ${c.replication.minInsync}
  logs ${c.nodes.map((n) => brokerLogFile(n.dataDir)).join(", ")}`);
  }
}
