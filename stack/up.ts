// `deno task up`: Kafka, processor and collector in the background on their default ports;
// a no-op for whatever already runs.
import { startPipeline } from "./pipeline.ts";
import { envPort, envString, processEnv } from "./env.ts";

export function upOptions() {
  return {
    dataRoot: envString(processEnv, "SHOPTRAIL_DATA", ".data"),
    kafkaPort: envPort(processEnv, "KAFKA_PORT", 9092),
    processorPort: envPort(processEnv, "PROCESSOR_PORT", 8123),
    collectorPort: envPort(processEnv, "COLLECTOR_PORT", 8080),
  };
}

if (import.meta.main) {
  const started = performance.now();
  const p = await startPipeline(upOptions());
  console.log(`Shoptrail is up (${((performance.now() - started) / 1000).toFixed(1)} s):
  collector   ${p.collectorUrl}          POST /v1/batch
  SQL (HTTP)  ${p.sql.url}         user '${p.sql.user}', password in ${p.env.SQL_PASSWORD_FILE}
  Kafka       ${p.kafkaBootstrap}
  logs        ${p.dataRoot}/run/*.log, ${p.dataRoot}/kafka/broker.log
Stop with: deno task down`);
}
