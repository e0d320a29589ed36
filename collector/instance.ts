// One request worker of the collector: the sites file, the Kafka (or Upstash) sink behind its own
// on-disk spool, the app and Deno.serve on the configured port. main.ts runs one per core on the
// same port (SO_REUSEPORT: the kernel spreads connections over them); each has its own producer
// and spool, and all share the day's IP salt through COLLECTOR_SALT_DIR.
import { createApp } from "./app.ts";
import type { CollectorConfig } from "./config.ts";
import { DailyIpHasher, DailySalt } from "./clients/daily_salt.ts";
import { KafkaSink } from "./sinks/kafka/kafka_sink.ts";
import { Metrics } from "./metrics.ts";
import type { Sink, SinkMessage } from "./sinks/sink.ts";
import { type SpoolOptions, SpoolSink } from "./sinks/spool/spool.ts";
import { UpstashSink } from "./sinks/upstash.ts";
import { Sites } from "./clients/sites.ts";
import { join } from "node:path";
import { sdkRoutes } from "../sdk/serve.ts";
import { createLogger } from "../lib/log.ts";
import type { Running } from "../lib/service.ts";

const log = createLogger("collector");

/**
 * Worker 0 keeps the configured spool folder; worker i > 0 spools in `<dir>/worker-<i>`, inside it, so
 * one volume holds a machine's spools (a spool reads only its own segment files).
 */
export function spoolDirOf(dir: string, worker: number): string {
  return worker === 0 ? dir : join(dir, `worker-${worker}`);
}

export type InstanceOptions = {
  worker: number;
  workers: number;
  /** What GET /metrics answers (main.ts: every worker's sum); this worker's own by default. */
  renderMetrics?: (own: Metrics) => () => Promise<string>;
};

export async function startInstance(
  config: CollectorConfig,
  { worker, workers, renderMetrics }: InstanceOptions,
): Promise<Running & { metrics: Metrics }> {
  const sites = config.sitesFile ? await Sites.load(config.sitesFile) : Sites.open();
  if (sites.open && worker === 0) {
    log.warn("COLLECTOR_SITES_FILE is not set: accepting any site from any origin");
  }
  const ipHasher = new DailyIpHasher(new DailySalt(config.saltDir));
  await ipHasher.roll(Date.now()); // an unwritable folder stops the start, not the first request
  // Past midnight the old salt is deleted even if no request comes to move the day on.
  const roll = setInterval(() => {
    ipHasher.roll(Date.now()).catch((error) => log.error("could not roll the day's salt", { error }));
  }, 60_000);
  Deno.unrefTimer(roll);
  const metrics = new Metrics();
  const onProduce = (seconds: number) => metrics.produceSeconds.observe(seconds);
  const kafka = config.transport === "upstash"
    ? undefined
    : new KafkaSink({ brokers: config.brokers, ...config.kafka, onProduce });
  const transport: Sink = kafka ?? new UpstashSink({ ...config.upstash, onProduce });
  // After a crash the spool asks Kafka what it holds already; over Upstash it cannot.
  const stored = kafka && ((messages: SinkMessage[], since: number) => kafka.stored(messages, since));
  const spoolDir = config.spool && spoolDirOf(config.spool.dir, worker);
  const spool = config.spool
    ? await SpoolSink.open(transport, { ...config.spool, dir: spoolDir!, stored })
    : undefined;
  const sink = spool ?? transport;
  const orphans = spool && worker === 0 ? drainOrphans(config.spool!, workers, transport, stored) : undefined;
  if (spool) {
    metrics.gauges = () => [
      {
        name: "collector_spool_batches",
        help: "Batches in the spool waiting for Kafka",
        value: spool.depth.batches + (orphans?.depth().batches ?? 0),
      },
      {
        name: "collector_spool_bytes",
        help: "Bytes in the spool waiting for Kafka",
        value: spool.depth.bytes + (orphans?.depth().bytes ?? 0),
      },
    ];
  }
  const app = createApp({
    sink,
    spoolFull: spool && (() => spool.full()),
    topics: { events: config.topics.events.name, dlq: config.topics.dlq.name },
    limits: config.limits,
    sites,
    client: { ...config.client, ipHasher },
    metrics,
    parseOnly: config.parseOnly,
    // The browser SDK (GET /sdk.js) and the demo storefront (GET /demo/), see sdk/serve.ts.
    sdkRoutes: config.serveSdk ? sdkRoutes({ distDir: config.sdkDistDir }) : undefined,
    renderMetrics: renderMetrics?.(metrics),
  });
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    reusePort: workers > 1,
    onListen: ({ hostname, port }) =>
      log.info("listening", {
        url: `http://${hostname}:${port}`,
        ...(workers > 1 ? { worker: `${worker + 1} of ${workers}` } : {}),
        sink: config.transport === "upstash" ? config.upstash.url : `Kafka ${config.brokers.join(",")}`,
        spool: spoolDir ?? "off",
      }),
  }, app.fetch);
  return {
    metrics,
    stop: async () => {
      clearInterval(roll);
      await server.shutdown();
      await orphans?.stop();
      await sink.close();
    },
  };
}

/**
 * The spools of workers beyond `workers` (COLLECTOR_WORKERS was lowered, or the cores are fewer):
 * worker 0 replays each through its own transport, as after a crash, then deletes the folder.
 */
function drainOrphans(
  spool: NonNullable<CollectorConfig["spool"]>,
  workers: number,
  transport: Sink,
  stored: SpoolOptions["stored"],
): { stop(): Promise<void>; depth(): { batches: number; bytes: number } } {
  const opened: SpoolSink[] = [];
  let stopped = false;
  const shared: Sink = { publish: (messages) => transport.publish(messages), close: async () => {} };
  (async () => {
    const found: string[] = [];
    for await (const entry of Deno.readDir(spool.dir)) {
      const index = /^worker-(\d+)$/.exec(entry.name)?.[1];
      if (entry.isDirectory && index !== undefined && Number(index) >= workers) {
        found.push(join(spool.dir, entry.name));
      }
    }
    for (const dir of found) {
      if (stopped) return;
      const orphan = await SpoolSink.open(shared, { ...spool, dir, stored });
      opened.push(orphan);
      log.info("replaying the spool of a worker that no longer runs", { spool: dir, ...orphan.depth });
      await orphan.drained(24 * 3600_000);
      opened.splice(opened.indexOf(orphan), 1);
      await orphan.close();
      await Deno.remove(dir, { recursive: true });
    }
  })().catch((error) => log.error("could not replay a spool of a former worker", { error }));
  return {
    /** What the former workers' spools still hold: part of /metrics' spool gauges. */
    depth: () =>
      opened.reduce(
        (sum, o) => ({ batches: sum.batches + o.depth.batches, bytes: sum.bytes + o.depth.bytes }),
        {
          batches: 0,
          bytes: 0,
        },
      ),
    // A spool closed before it drained keeps its folder (drained() never resolves for it).
    stop: async () => {
      stopped = true;
      await Promise.all(opened.map((o) => o.close()));
    },
  };
}
