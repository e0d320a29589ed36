// `deno task demo`: the pipeline up, simulated shoppers sending through the collector, the
// dashboard's URL, and the live funnel printed from ClickHouse every few seconds until Ctrl-C.
import { describeUrls, upOrExit } from "./up.ts";
import { envInt, processEnv } from "../lib/env.ts";
import { formatProgress, simulate } from "../loadtest/simulate.ts";
import { sqlText } from "../lib/sql_client.ts";
import { loadCatalogue } from "../clickhouse/load_catalogue.ts";
import { buildCatalogue } from "../loadtest/catalogue.ts";
import { brokersFromEnv, topicsFromEnv } from "../contract/mod.ts";

const eps = envInt(processEnv, "DEMO_EPS", 50, { min: 1, max: 100_000 });
const started = performance.now();
const pipeline = await upOrExit();
console.log(
  `Pipeline up in ${((performance.now() - started) / 1000).toFixed(1)} s:\n${describeUrls(pipeline)}`,
);
// The shoppers browse this catalogue, so products and users join to the events.
const seed = envInt(processEnv, "DEMO_SEED", 42, { min: 0 });
const fromPipeline = (name: string) => pipeline.env[name];
const topics = topicsFromEnv(fromPipeline);
const loaded = await loadCatalogue({
  brokers: brokersFromEnv(fromPipeline),
  topics: { products: topics.products.name, users: topics.users.name },
  catalogue: buildCatalogue({ seed }),
});
console.log(`Catalogue loaded: ${loaded.products} products, ${loaded.users} users (seed ${seed}).`);
console.log(
  `Simulating shoppers at ${eps} events/s; Ctrl-C to stop (the pipeline keeps running: deno task down).\n`,
);

const stop = new AbortController();
Deno.addSignalListener("SIGINT", () => stop.abort());

let progress = "";
const traffic = simulate({
  collector: pipeline.collectorUrl,
  site: "demo",
  eps,
  durationMs: 24 * 60 * 60 * 1000,
  seed,
  signal: stop.signal,
  onProgress: (p) => progress = formatProgress(p),
});

const FUNNEL = `SELECT window_start, viewers, carters, purchasers, view_to_cart_rate, cart_to_buy_rate
FROM funnel_1m WHERE site = 'demo' ORDER BY window_start DESC LIMIT 5 FORMAT PrettyCompactMonoBlock`;

while (!stop.signal.aborted) {
  const table = await sqlText(pipeline.sql, FUNNEL, "PrettyCompactMonoBlock").catch((e) =>
    `(query failed: ${e.message})`
  );
  const heading = `${new Date().toISOString()}  live funnel (last 5 minutes)`;
  console.log(`\n${heading} · dashboard ${pipeline.sql.url}dashboard/\n${table}${progress}`);
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 3000);
    stop.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}
const summary = await traffic;
console.log(`\nstopped: ${summary.accepted} events accepted, ${summary.rejected} rejected.`);
