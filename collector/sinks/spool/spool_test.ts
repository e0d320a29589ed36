import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import { MemorySink } from "../memory.ts";
import type { PublishOutcome, Sink, SinkMessage } from "../sink.ts";
import { SpoolSink } from "./spool.ts";

const msg = (i: number): SinkMessage => ({ topic: "t", key: `s${i % 3}`, value: JSON.stringify({ i }) });
const values = (sink: MemorySink) => sink.messages.map((m) => JSON.parse(m.value).i);
/** With `kafka`, the spool asks it after a crash which messages it holds (as main.ts the Kafka sink). */
const options = (dir: string, kafka?: MemorySink) => ({
  dir,
  maxBytes: 64 * 1024,
  segmentBytes: 2048,
  retryMs: { min: 10, max: 20 },
  stored: kafka && ((messages: SinkMessage[]) => kafka.stored(messages)),
});

async function files(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("SpoolSink publishes straight through while the inner sink works, writing nothing", async () => {
  const dir = await Deno.makeTempDir();
  const inner = new MemorySink();
  const spool = await SpoolSink.open(inner, options(dir));
  assertEquals(await spool.publish([msg(1), msg(2)]), ["ok", "ok"]);
  assertEquals(values(inner), [1, 2]);
  assertEquals(await files(dir), []);
  await spool.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("SpoolSink acknowledges batches Kafka refused once fsync'd, and replays them in order", async () => {
  const dir = await Deno.makeTempDir();
  const inner = new MemorySink();
  inner.outcome = "retriable";
  const spool = await SpoolSink.open(inner, options(dir));
  for (let i = 0; i < 100; i += 4) {
    assertEquals(await spool.publish([msg(i), msg(i + 1), msg(i + 2), msg(i + 3)]), ["ok", "ok", "ok", "ok"]);
  }
  assertEquals(spool.depth.batches, 25);
  ok(spool.depth.segments > 1, "rolled over to new segments");
  inner.outcome = "ok";
  // Arriving while the spool still holds older batches: it goes behind them.
  assertEquals(await spool.publish([msg(100)]), ["ok"]);
  await spool.drained(10_000);
  assertEquals(values(inner), Array.from({ length: 101 }, (_, i) => i));
  assertEquals(spool.depth, { batches: 0, bytes: 0, segments: 0 });
  assertEquals(await files(dir), []);
  await spool.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("SpoolSink refuses a batch when full, says so, and is not ready", async () => {
  const dir = await Deno.makeTempDir();
  const inner = new MemorySink();
  inner.outcome = "retriable";
  const spool = await SpoolSink.open(inner, { ...options(dir), maxBytes: 1024 });
  const big = (i: number) => ({ ...msg(i), value: "x".repeat(300) });
  assertEquals(await spool.publish([big(1)]), ["ok"]);
  assertEquals(await spool.publish([big(2)]), ["ok"]);
  assertEquals(await spool.publish([big(3), big(4)]), ["retriable", "retriable"]);
  ok(spool.full());
  assertEquals(await spool.ready(), false);
  await spool.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("SpoolSink replays what a crashed process left, skipping a line cut short and what was already sent", async () => {
  const dir = await Deno.makeTempDir();
  const down = new MemorySink();
  down.outcome = "retriable";
  const crashed = await SpoolSink.open(down, options(dir));
  for (let i = 0; i < 6; i++) await crashed.publish([msg(i)]);
  await crashed.close(); // only stops its replayer; the files stay as a crash leaves them
  // The process dies: no close(). A last write was cut short, and replay had sent 2 lines.
  const [segment] = (await files(dir)).filter((n) => n.endsWith(".seg"));
  const path = join(dir, segment);
  const lines = (await Deno.readTextFile(path)).split("\n");
  await Deno.writeTextFile(path, '[{"topic":"t","key":"k","val', { append: true });
  await Deno.writeTextFile(`${path}.pos`, String(lines[0].length + lines[1].length + 2));

  const inner = new MemorySink();
  const restarted = await SpoolSink.open(inner, options(dir, inner));
  await restarted.drained(10_000);
  assertEquals(values(inner), [2, 3, 4, 5]);
  assertEquals(await files(dir), []);
  await restarted.close();
  await Deno.remove(dir, { recursive: true });
});

/**
 * Kafka as a dying process sees it: no produce is answered. With `storeNext = n`, the next
 * produce of at least n messages puts its first n in the log all the same, as when the broker
 * stops in the middle of a request or the process dies before the answer arrives.
 */
class UnansweredKafka implements Sink {
  storeNext = 0;
  constructor(readonly log: MemorySink) {}
  publish(messages: SinkMessage[]): Promise<PublishOutcome[]> {
    if (this.storeNext > 0 && messages.length >= this.storeNext) {
      this.log.messages.push(...messages.slice(0, this.storeNext));
      this.storeNext = 0;
    }
    return Promise.resolve(messages.map(() => "retriable"));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

Deno.test("SpoolSink after a crash does not send again what Kafka stored of a batch spooled unanswered", async () => {
  const dir = await Deno.makeTempDir();
  const kafka = new MemorySink();
  const dying = new UnansweredKafka(kafka);
  const crashed = await SpoolSink.open(dying, options(dir));
  // The broker stops while taking a batch: 6 of its 10 messages reach the log, none is answered.
  dying.storeNext = 6;
  const batch = Array.from({ length: 10 }, (_, i) => msg(i));
  assertEquals(await crashed.publish(batch), batch.map(() => "ok"));
  assertEquals(await crashed.publish([msg(10)]), ["ok"]);
  await crashed.close(); // kill -9: the producer that would have deduplicated its retry is gone

  const restarted = await SpoolSink.open(kafka, options(dir, kafka));
  await restarted.drained(10_000);
  assertEquals(values(kafka), Array.from({ length: 11 }, (_, i) => i));
  await restarted.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("SpoolSink after a crash does not send again what a replayed produce stored before its answer", async () => {
  const dir = await Deno.makeTempDir();
  const kafka = new MemorySink();
  const dying = new UnansweredKafka(kafka);
  const crashed = await SpoolSink.open(dying, options(dir));
  await crashed.publish([msg(0)]); // unanswered, spooled
  await crashed.publish([msg(1), msg(2)]); // spooled behind it, never tried directly
  // Kafka is back: the replayer's produce of both lines is stored, and the process dies waiting.
  dying.storeNext = 3;
  while (kafka.messages.length < 3) await new Promise((r) => setTimeout(r, 5));
  await crashed.close();

  const restarted = await SpoolSink.open(kafka, options(dir, kafka));
  await restarted.drained(10_000);
  assertEquals(values(kafka), [0, 1, 2]);
  await restarted.close();
  await Deno.remove(dir, { recursive: true });
});
