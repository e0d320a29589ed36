// The on-disk spool: a Sink in front of another (Kafka) that takes over when that one cannot
// store a batch. Each batch is one JSON line appended to the active segment and fsync'd before
// the request is acknowledged (concurrent batches share one fsync: group commit). While anything
// is spooled, new batches are spooled too, so replay keeps arrival order; a replayer sends the
// oldest lines to the inner sink, records how far it got in `<segment>.pos`, and deletes a
// segment once it is sent. At start the segments left by a crash are replayed first. A line cut
// short by a crash was never acknowledged (its fsync did not return) and is skipped.
import { join } from "node:path";
import type { PublishOutcome, Sink, SinkMessage } from "./sink.ts";

export type SpoolOptions = {
  dir: string;
  /** Unsent bytes the spool may hold; beyond it, publish fails (503 spool_full). */
  maxBytes: number;
  /** A new segment starts once the active one passes this size. */
  segmentBytes: number;
  /** Messages per replay send. */
  replayBatch?: number;
  /** Wait between replay attempts while the inner sink fails: doubles from min to max. */
  retryMs?: { min: number; max: number };
};

type Segment = { seq: number; path: string; replayed: number; durable: number; file?: Deno.FsFile };
type Waiting = { line: Uint8Array; done: (ok: boolean) => void };

const SEGMENT = /^(\d{12})\.seg$/;
const NEWLINE = 10;

export class SpoolSink implements Sink {
  #segments: Segment[] = [];
  #active?: Segment;
  #bytes = 0;
  #batches = 0;
  #spooling = false;
  #refused = false;
  #queue: Waiting[] = [];
  #writing = false;
  #replaying?: Promise<void>;
  #closed = false;
  #wake?: () => void;
  #nextSeq = 1;
  readonly replayBatch: number;
  readonly retryMs: { min: number; max: number };

  private constructor(readonly inner: Sink, readonly options: SpoolOptions) {
    this.replayBatch = options.replayBatch ?? 2000;
    this.retryMs = options.retryMs ?? { min: 250, max: 5000 };
  }

  /** Opens the spool folder and starts replaying what a previous process left there. */
  static async open(inner: Sink, options: SpoolOptions): Promise<SpoolSink> {
    const spool = new SpoolSink(inner, options);
    await Deno.mkdir(options.dir, { recursive: true });
    const seqs: number[] = [];
    for await (const entry of Deno.readDir(options.dir)) {
      const m = SEGMENT.exec(entry.name);
      if (entry.isFile && m) seqs.push(Number(m[1]));
    }
    for (const seq of seqs.sort((a, b) => a - b)) {
      const path = spool.#path(seq);
      const size = (await Deno.stat(path)).size;
      const replayed = Math.min(size, await readPos(path));
      spool.#segments.push({ seq, path, replayed, durable: size });
      spool.#nextSeq = seq + 1;
      spool.#bytes += size - replayed;
      spool.#batches += await countLines(path, replayed);
    }
    if (spool.#segments.length > 0) {
      spool.#spooling = true;
      console.log(
        `collector: spool holds ${spool.#batches} batches (${spool.#bytes} bytes) from before; replaying`,
      );
      spool.#kick();
    }
    return spool;
  }

  get depth(): { batches: number; bytes: number; segments: number } {
    return { batches: this.#batches, bytes: this.#bytes, segments: this.#segments.length };
  }

  async publish(messages: SinkMessage[]): Promise<PublishOutcome[]> {
    if (!this.#spooling) {
      const outcomes = await this.inner.publish(messages);
      if (outcomes.every((o) => o !== "retriable")) return outcomes;
      const stored = await this.#append(messages.filter((_, i) => outcomes[i] === "retriable"));
      return outcomes.map((o) => (o === "retriable" && stored ? "ok" : o));
    }
    const stored = await this.#append(messages);
    return messages.map(() => (stored ? "ok" : "retriable"));
  }

  full(): boolean {
    return this.#refused || this.#bytes >= this.options.maxBytes * 0.9;
  }

  async ready(): Promise<boolean> {
    return !this.full() && (this.inner.ready ? await this.inner.ready() : true);
  }

  /** Resolves once everything spooled so far has been replayed (tests, benchmarks). */
  async drained(deadlineMs = 60_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (this.#spooling && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (this.#spooling) {
      throw new Error(`spool not drained within ${deadlineMs} ms: ${JSON.stringify(this.depth)}`);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#replaying;
    while (this.#writing) await new Promise((r) => setTimeout(r, 5));
    for (const s of this.#segments) s.file?.close();
    await this.inner.close();
  }

  #path(seq: number): string {
    return join(this.options.dir, `${String(seq).padStart(12, "0")}.seg`);
  }

  #append(messages: SinkMessage[]): Promise<boolean> {
    const line = new TextEncoder().encode(JSON.stringify(messages) + "\n");
    if (this.#closed || this.#bytes + line.byteLength > this.options.maxBytes) {
      this.#refused = true;
      return Promise.resolve(false);
    }
    this.#refused = false;
    this.#spooling = true;
    this.#bytes += line.byteLength;
    this.#batches++;
    return new Promise((done) => {
      this.#queue.push({ line, done });
      if (!this.#writing) this.#write();
    });
  }

  /** Writes everything queued with one fsync, then acknowledges it; repeats while more queued. */
  async #write(): Promise<void> {
    this.#writing = true;
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      const size = group.reduce((n, w) => n + w.line.byteLength, 0);
      const chunk = new Uint8Array(size);
      let at = 0;
      for (const w of group) {
        chunk.set(w.line, at);
        at += w.line.byteLength;
      }
      try {
        const segment = await this.#activeSegment();
        let written = 0;
        while (written < chunk.byteLength) written += await segment.file!.write(chunk.subarray(written));
        await segment.file!.syncData();
        segment.durable += chunk.byteLength;
        group.forEach((w) => w.done(true));
      } catch (error) {
        console.error(`collector: spool write failed: ${(error as Error).message}`);
        this.#bytes -= size;
        this.#batches -= group.length;
        group.forEach((w) => w.done(false));
      }
      this.#kick();
    }
    this.#writing = false;
  }

  async #activeSegment(): Promise<Segment> {
    if (this.#active && this.#active.durable < this.options.segmentBytes) return this.#active;
    if (this.#active) {
      this.#active.file?.close();
      this.#active.file = undefined;
    }
    const seq = this.#nextSeq++;
    const path = this.#path(seq);
    const file = await Deno.open(path, { create: true, append: true });
    const dir = await Deno.open(this.options.dir);
    await dir.sync().catch(() => {}); // the new file's name survives a crash too
    dir.close();
    this.#active = { seq, path, replayed: 0, durable: 0, file };
    this.#segments.push(this.#active);
    return this.#active;
  }

  #kick(): void {
    this.#wake?.();
    this.#replaying ??= this.#replay()
      .catch((error) => console.error(`collector: spool replay stopped: ${(error as Error).message}`))
      .finally(() => (this.#replaying = undefined));
  }

  async #replay(): Promise<void> {
    let wait = this.retryMs.min;
    while (!this.#closed) {
      const segment = this.#segments[0];
      if (!segment) {
        if (this.#queue.length === 0 && !this.#writing) this.#spooling = false;
        return;
      }
      const { records, bytes } = await readRecords(segment, this.replayBatch);
      if (records.length === 0) {
        if (segment !== this.#active) {
          await this.#drop(segment); // fully sent (or ends in a line a crash cut short)
          continue;
        }
        if (this.#queue.length === 0 && !this.#writing && segment.replayed === segment.durable) {
          // Everything acknowledged is in Kafka: back to publishing directly.
          this.#active = undefined;
          this.#spooling = false;
          await this.#drop(segment);
        }
        return;
      }
      const messages = records.flat();
      const outcomes = await this.inner.publish(messages).catch(() =>
        messages.map(() => "retriable" as const)
      );
      if (outcomes.some((o) => o === "retriable")) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.#wake = () => {
            if (this.#closed) {
              clearTimeout(timer);
              resolve();
            }
          };
        });
        wait = Math.min(this.retryMs.max, wait * 2);
        continue;
      }
      wait = this.retryMs.min;
      segment.replayed += bytes;
      await writePos(segment.path, segment.replayed);
      this.#bytes -= bytes;
      this.#batches -= records.length;
    }
  }

  async #drop(segment: Segment): Promise<void> {
    this.#segments.shift();
    segment.file?.close();
    this.#bytes -= segment.durable - segment.replayed;
    await Deno.remove(segment.path).catch(() => {});
    await Deno.remove(`${segment.path}.pos`).catch(() => {});
  }
}

/** Complete lines from where replay stopped, up to about `maxMessages` messages. */
async function readRecords(
  segment: Segment,
  maxMessages: number,
): Promise<{ records: SinkMessage[][]; bytes: number }> {
  const length = Math.min(segment.durable - segment.replayed, 4 * 1024 * 1024);
  if (length <= 0) return { records: [], bytes: 0 };
  const file = await Deno.open(segment.path, { read: true });
  try {
    await file.seek(segment.replayed, Deno.SeekMode.Start);
    const buffer = new Uint8Array(length);
    let read = 0;
    while (read < length) {
      const n = await file.read(buffer.subarray(read));
      if (n === null) break;
      read += n;
    }
    const records: SinkMessage[][] = [];
    let start = 0;
    let count = 0;
    const decoder = new TextDecoder();
    for (let i = 0; i < read && count < maxMessages; i++) {
      if (buffer[i] !== NEWLINE) continue;
      const record = JSON.parse(decoder.decode(buffer.subarray(start, i))) as SinkMessage[];
      records.push(record);
      count += record.length;
      start = i + 1;
    }
    return { records, bytes: start };
  } finally {
    file.close();
  }
}

async function countLines(path: string, from: number): Promise<number> {
  const bytes = (await Deno.readFile(path)).subarray(from);
  let n = 0;
  for (const b of bytes) if (b === NEWLINE) n++;
  return n;
}

async function readPos(segmentPath: string): Promise<number> {
  const text = await Deno.readTextFile(`${segmentPath}.pos`).catch(() => "0");
  const pos = Number(text.trim());
  return Number.isSafeInteger(pos) && pos >= 0 ? pos : 0;
}

/** Replace-by-rename, fsync'd: after a crash the position is the old one or the new one. */
async function writePos(segmentPath: string, pos: number): Promise<void> {
  const tmp = `${segmentPath}.pos.tmp`;
  const file = await Deno.open(tmp, { create: true, write: true, truncate: true });
  try {
    await file.write(new TextEncoder().encode(String(pos)));
    await file.syncData();
  } finally {
    file.close();
  }
  await Deno.rename(tmp, `${segmentPath}.pos`);
}
