// A request worker thread of the collector: main.ts starts one per core beyond its own, each
// serving the same port with its own Kafka producer and spool (instance.ts). Messages with the
// main thread: start → listening | failed; stop → stopped; /metrics asks main for every worker's
// sum ("metrics"), and main asks each worker for its counts ("snapshot").
import { collectorConfig } from "./config.ts";
import { startInstance } from "./instance.ts";
import type { Metrics } from "./metrics.ts";

export type ToWorker =
  | { type: "start"; worker: number; workers: number }
  | { type: "stop" }
  | { type: "snapshot"; id: number }
  | { type: "metrics"; id: number; text: string };

export type FromWorker =
  | { type: "listening" }
  | { type: "failed"; message: string; addrInUse: boolean }
  | { type: "stopped" }
  | { type: "snapshot"; id: number; snapshot: ReturnType<Metrics["snapshot"]> }
  | { type: "metrics"; id: number };

const port = self as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};
const asked = new Map<number, (text: string) => void>();
let nextId = 0;
let running: Awaited<ReturnType<typeof startInstance>> | undefined;

/** Every worker's metrics, summed by the main thread. */
const allMetrics = () => () =>
  new Promise<string>((resolve) => {
    const id = ++nextId;
    asked.set(id, resolve);
    port.postMessage({ type: "metrics", id });
  });

port.onmessage = async ({ data }) => {
  switch (data.type) {
    case "start":
      try {
        running = await startInstance(collectorConfig(), { ...data, renderMetrics: allMetrics });
        port.postMessage({ type: "listening" });
      } catch (error) {
        port.postMessage({
          type: "failed",
          message: (error as Error).message,
          addrInUse: error instanceof Deno.errors.AddrInUse,
        });
      }
      break;
    case "snapshot":
      port.postMessage({ type: "snapshot", id: data.id, snapshot: running!.metrics.snapshot() });
      break;
    case "metrics":
      asked.get(data.id)?.(data.text);
      asked.delete(data.id);
      break;
    case "stop":
      await running?.stop();
      port.postMessage({ type: "stopped" });
      break;
  }
};
