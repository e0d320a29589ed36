// Starts the collector on Deno.serve: settings from the environment (checked first), the sites
// file, the Kafka (or Upstash) sink behind the on-disk spool, and the SDK's routes.
import { createApp } from "./app.ts";
import { type CollectorConfig, collectorConfig } from "./config.ts";
import { DailyIpHasher, DailySalt } from "./clients/daily_salt.ts";
import { KafkaSink } from "./sinks/kafka/kafka_sink.ts";
import { Metrics } from "./metrics.ts";
import type { Sink, SinkMessage } from "./sinks/sink.ts";
import { SpoolSink } from "./sinks/spool/spool.ts";
import { UpstashSink } from "./sinks/upstash.ts";
import { Sites } from "./clients/sites.ts";
import { ConfigError } from "../lib/env.ts";
import { sdkRoutes } from "../sdk/serve.ts";
import { createLogger } from "../lib/log.ts";
import { type Running, runService } from "../lib/service.ts";

const log = createLogger("collector");

async function start(config: CollectorConfig): Promise<Running> {
  const sites = config.sitesFile ? await Sites.load(config.sitesFile) : Sites.open();
  if (sites.open) log.warn("COLLECTOR_SITES_FILE is not set: accepting any site from any origin");
  const ipHasher = new DailyIpHasher(new DailySalt(config.saltDir));
  await ipHasher.roll(Date.now()); // an unwritable folder stops the start, not the first request
  // Past midnight the old salt is deleted even if no request comes to move the day on.
  Deno.unrefTimer(setInterval(() => {
    ipHasher.roll(Date.now()).catch((error) => log.error("could not roll the day's salt", { error }));
  }, 60_000));
  const metrics = new Metrics();
  const onProduce = (seconds: number) => metrics.produceSeconds.observe(seconds);
  const kafka = config.transport === "upstash"
    ? undefined
    : new KafkaSink({ brokers: config.brokers, ...config.kafka, onProduce });
  const transport: Sink = kafka ?? new UpstashSink({ ...config.upstash, onProduce });
  // After a crash the spool asks Kafka what it holds already; over Upstash it cannot.
  const stored = kafka && ((messages: SinkMessage[], since: number) => kafka.stored(messages, since));
  const spool = config.spool ? await SpoolSink.open(transport, { ...config.spool, stored }) : undefined;
  const sink = spool ?? transport;
  if (spool) {
    metrics.gauges = () => [
      {
        name: "collector_spool_batches",
        help: "Batches in the spool waiting for Kafka",
        value: spool.depth.batches,
      },
      {
        name: "collector_spool_bytes",
        help: "Bytes in the spool waiting for Kafka",
        value: spool.depth.bytes,
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
  });
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    onListen: ({ hostname, port }) =>
      log.info("listening", {
        url: `http://${hostname}:${port}`,
        sink: config.transport === "upstash" ? config.upstash.url : `Kafka ${config.brokers.join(",")}`,
        spool: config.spool?.dir ?? "off",
      }),
  }, app.fetch);
  return {
    stop: async () => {
      await server.shutdown();
      await sink.close();
    },
  };
}

try {
  const config = collectorConfig();
  await runService(() => start(config), {
    log,
    listen: { port: config.port, setting: "COLLECTOR_PORT" },
    expected: (error) => error instanceof ConfigError,
  });
} catch (error) {
  // A setting that does not parse: before there is a config to start from.
  if (error instanceof ConfigError) log.error(error.message);
  else log.error("could not start", { error });
  Deno.exit(1);
}
