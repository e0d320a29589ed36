// Starts the collector: settings from the environment (checked first), then one request worker per
// core (COLLECTOR_WORKERS) on one port: this thread is worker 0, the others are worker threads
// (worker.ts) bound with SO_REUSEPORT, so the kernel spreads connections over them. Each has its own
// Kafka producer and spool (instance.ts); GET /metrics answers their sum.
import { type CollectorConfig, collectorConfig } from "./config.ts";
import { startInstance } from "./instance.ts";
import { Metrics } from "./metrics.ts";
import type { FromWorker, ToWorker } from "./worker.ts";
import { ConfigError } from "../lib/env.ts";
import { createLogger } from "../lib/log.ts";
import { type Running, runService } from "../lib/service.ts";

const log = createLogger("collector");

async function start(config: CollectorConfig): Promise<Running> {
  // Port 0 would give each worker a port of its own.
  const workers = config.port === 0 ? 1 : config.workers;
  if (workers === 1) return startInstance(config, { worker: 0, workers: 1 });
  // Sockets with SO_REUSEPORT share a port with any other process of this user that set it too: a
  // collector left running would silently take half the connections. A plain bind fails instead.
  Deno.listen({ hostname: config.host, port: config.port }).close();
  const threads = await Promise.all(
    Array.from({ length: workers - 1 }, (_, i) => startThread(i + 1, workers)),
  );
  const own = await startInstance(config, {
    worker: 0,
    workers,
    renderMetrics: (mine) => () => metricsOf(mine, threads),
  });
  for (const thread of threads) {
    thread.on("metrics", async (m) => {
      thread.post({ type: "metrics", id: m.id, text: await metricsOf(own.metrics, threads) });
    });
  }
  return {
    stop: async () => {
      await Promise.all(threads.map((t) => t.stop()));
      await own.stop();
    },
  };
}

type Thread = Awaited<ReturnType<typeof startThread>>;

/** A worker thread, started and listening. */
async function startThread(worker: number, workers: number) {
  const thread = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  const handlers = new Map<string, (m: FromWorker) => void>();
  const snapshots = new Map<number, (s: ReturnType<Metrics["snapshot"]>) => void>();
  let nextId = 0;
  thread.onmessage = ({ data }: MessageEvent<FromWorker>) => {
    if (data.type === "snapshot") {
      snapshots.get(data.id)?.(data.snapshot);
      snapshots.delete(data.id);
    } else handlers.get(data.type)?.(data);
  };
  const post = (message: ToWorker) => thread.postMessage(message);
  const next = (type: FromWorker["type"]) =>
    new Promise<FromWorker>((resolve) => handlers.set(type, resolve));
  const started = Promise.race([next("listening"), next("failed")]);
  post({ type: "start", worker, workers });
  const answer = await started;
  if (answer.type === "failed") {
    thread.terminate();
    if (answer.addrInUse) throw new Deno.errors.AddrInUse(answer.message);
    throw new Error(`collector worker ${worker} could not start: ${answer.message}`);
  }
  return {
    post,
    on: (type: "metrics", handler: (m: { id: number }) => void) =>
      handlers.set(type, handler as (m: FromWorker) => void),
    snapshot: () =>
      new Promise<ReturnType<Metrics["snapshot"]>>((resolve) => {
        const id = ++nextId;
        snapshots.set(id, resolve);
        post({ type: "snapshot", id });
      }),
    stop: async () => {
      const stopped = next("stopped");
      post({ type: "stop" });
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 10_000))]);
      thread.terminate();
    },
  };
}

async function metricsOf(own: Metrics, threads: Thread[]): Promise<string> {
  return Metrics.render([own.snapshot(), ...await Promise.all(threads.map((t) => t.snapshot()))]);
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
