// `deno task up`: Kafka, processor and collector in the background on their default ports;
// a no-op for whatever already runs.
import { type Pipeline, StartError, startPipeline } from "./pipeline.ts";
import { envPort, envString, processEnv } from "../lib/env.ts";

export function upOptions() {
  return {
    dataRoot: envString(processEnv, "SHOPTRAIL_DATA", ".data"),
    kafkaPort: envPort(processEnv, "KAFKA_PORT", 9092),
    processorPort: envPort(processEnv, "PROCESSOR_PORT", 8123),
    collectorPort: envPort(processEnv, "COLLECTOR_PORT", 8080),
  };
}

/** Starts the pipeline; a start the user can fix (a taken port) ends the process with its message alone. */
export async function upOrExit(): Promise<Pipeline> {
  try {
    return await startPipeline(upOptions());
  } catch (error) {
    if (!(error instanceof StartError)) throw error;
    console.error(error.message);
    Deno.exit(1);
  }
}

/** What a newcomer opens first, then what an operator needs. */
export function describeUrls(p: Pipeline): string {
  return `  storefront  ${p.collectorUrl}/demo/          a demo shop with the script tag at work
  SDK         ${p.collectorUrl}/sdk.js          <script src> for your own pages
  dashboard   ${p.sql.url}dashboard/  SQL console: ${p.sql.url}dashboard/console
              sign in as '${p.sql.user}' with the password in ${p.env.SQL_PASSWORD_FILE}
  collector   ${p.collectorUrl}/v1/batch        POST events
  SQL (HTTP)  ${p.sql.url}               ClickHouse-compatible, read-only
  Kafka       ${p.kafkaBootstrap}
  logs        ${p.dataRoot}/run/*.log, ${p.dataRoot}/kafka/broker.log`;
}

if (import.meta.main) {
  const started = performance.now();
  const p = await upOrExit();
  console.log(`Shoptrail is up (${((performance.now() - started) / 1000).toFixed(1)} s):
${describeUrls(p)}
Stop with: deno task down`);
}
