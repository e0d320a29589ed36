// Spool write and replay rates on this machine's disk: 32 concurrent requests of 10 collector
// rows each, written while the inner sink refuses everything (each batch fsync'd before it is
// acknowledged, concurrent ones sharing an fsync), then replayed into a memory sink. The replay
// rate into a real broker is printed by tests/collector_faults_test.ts.
// Run: deno run -A collector/sinks/spool/spool_bench.ts [batches]
import { MemorySink } from "../memory.ts";
import { SpoolSink } from "./spool.ts";

const BATCHES = Number(Deno.args[0] ?? 5000);
const CONCURRENCY = 32;
const row = JSON.stringify({
  event_id: crypto.randomUUID(),
  type: "page_view",
  url: "https://shop.test/".padEnd(600, "x"),
});
const batch = Array.from(
  { length: 10 },
  (_, i) => ({ topic: "shoptrail.events", key: `shop:s${i}`, value: row }),
);

const dir = await Deno.makeTempDir({ prefix: "shoptrail-spool-bench-" });
const inner = new MemorySink();
inner.outcome = "retriable";
const spool = await SpoolSink.open(inner, {
  dir,
  maxBytes: 1024 ** 3,
  segmentBytes: 8 * 1024 ** 2,
  retryMs: { min: 3_600_000, max: 3_600_000 },
});
let sent = 0;
const started = performance.now();
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  while (sent < BATCHES) {
    sent++;
    const outcomes = await spool.publish(batch);
    if (outcomes.some((o) => o !== "ok")) throw new Error("spool refused a batch");
  }
}));
const writeS = (performance.now() - started) / 1000;
const { bytes, segments } = spool.depth;
console.log(
  `write: ${BATCHES} batches (${BATCHES * 10} events, ${
    (bytes / 1024 ** 2).toFixed(1)
  } MB, ${segments} segments) in ` +
    `${writeS.toFixed(2)} s = ${(BATCHES / writeS).toFixed(0)} batches/s, ${
      (BATCHES * 10 / writeS).toFixed(0)
    } events/s`,
);
await spool.close();

const target = new MemorySink();
const replayStarted = performance.now();
const replay = await SpoolSink.open(target, { dir, maxBytes: 1024 ** 3, segmentBytes: 8 * 1024 ** 2 });
await replay.drained(600_000);
const replayS = (performance.now() - replayStarted) / 1000;
console.log(
  `replay: ${target.messages.length} events in ${replayS.toFixed(2)} s = ${
    (target.messages.length / replayS).toFixed(0)
  } events/s ` +
    `(${(BATCHES / replayS).toFixed(0)} batches/s) into a memory sink`,
);
await replay.close();
await Deno.remove(dir, { recursive: true });
