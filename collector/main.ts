// Starts the collector on Deno.serve with the Kafka sink.
import { createApp } from "./app.ts";
import { collectorConfig } from "./config.ts";
import { KafkaSink } from "./kafka_sink.ts";
import { ConfigError } from "../stack/env.ts";

try {
  const config = collectorConfig();
  const sink = new KafkaSink({ brokers: config.brokers });
  const app = createApp({ sink, topic: config.topics.events.name, limits: config });
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    onListen: ({ hostname, port }) =>
      console.log(`collector: http://${hostname}:${port} -> Kafka ${config.brokers.join(",")}`),
  }, app.fetch);
  const stop = async () => {
    await server.shutdown();
    await sink.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
} catch (error) {
  console.error(`collector: ${error instanceof ConfigError ? error.message : (error as Error).stack}`);
  Deno.exit(1);
}
