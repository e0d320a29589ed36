// The on-disk spool: a Sink in front of another (Kafka) that takes over when that one cannot
// store a batch. Each batch is one JSON line appended to the active segment and fsync'd before
// the request is acknowledged (concurrent batches share one fsync: group commit). While anything
// is spooled, new batches are spooled too, so replay keeps arrival order; a replayer sends the
// oldest lines to the inner sink, records how far it got in `<segment>.pos`, and deletes a
// segment once it is sent. At start the segments left by a crash are replayed first. A line cut
// short by a crash was never acknowledged (its fsync did not return) and is skipped.
//
// A batch spooled after a produce that went unanswered may be in Kafka in whole or in part, and
// so may the lines a replayed produce was sending when the process died: after a crash those are
// in doubt (doubt.ts), and what Kafka is found to hold is not sent again.
import type { PublishOutcome, Sink, SinkMessage } from "../sink.ts";
import { Doubt, type StoredLookup } from "./doubt.ts";
import * as format from "./format.ts";
import { createLogger } from "../../../lib/log.ts";

const log = createLogger("collector");

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
  /** Which messages Kafka holds already (the Kafka sink's `stored`): asked after a crash. */
  stored?: StoredLookup;
};

type Segment = {
  seq: number;
  path: string;
  replayed: number;
  durable: number;
  file?: Deno.FsFile;
  /** When a replayed produce of the lines from `replayed` was first tried (also in `.pos`). */
  tried?: number;
};
type Waiting = { line: Uint8Array; done: (ok: boolean) => void };

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
  /** Messages a crashed process may have produced: checked before replay. */
  #doubt: Doubt;
  readonly replayBatch: number;
  readonly retryMs: { min: number; max: number };

  private constructor(readonly inner: Sink, readonly options: SpoolOptions) {
    this.replayBatch = options.replayBatch ?? 2000;
    this.retryMs = options.retryMs ?? { min: 250, max: 5000 };
    this.#doubt = new Doubt(options.stored);
  }

  /** Opens the spool folder and starts replaying what a previous process left there. */
  static async open(inner: Sink, options: SpoolOptions): Promise<SpoolSink> {
    const spool = new SpoolSink(inner, options);
    await Deno.mkdir(options.dir, { recursive: true });
    for (const seq of await format.listSegments(options.dir)) {
      const path = format.segmentPath(options.dir, seq);
      const size = (await Deno.stat(path)).size;
      const pos = await format.readPos(path);
      const replayed = Math.min(size, pos.replayed);
      // The first try's time stays: what that try stored is what a later check must find.
      spool.#segments.push({ seq, path, replayed, durable: size, tried: pos.tried });
      spool.#nextSeq = seq + 1;
      spool.#bytes += size - replayed;
      const { lines, tried } = await format.scanLines(path, replayed);
      spool.#batches += lines;
      for (const record of tried) spool.#doubt.add(record.messages, record.tried!);
      if (pos.tried !== undefined) {
        // The produce in flight at the crash: the same lines the replayer reads from here now.
        const { records } = await format.readRecords(path, replayed, size, spool.replayBatch);
        spool.#doubt.add(records.flatMap((r) => r.messages), pos.tried);
      }
    }
    if (spool.#segments.length > 0) {
      spool.#spooling = true;
      log.info("spool holds batches from before; replaying", {
        batches: spool.#batches,
        bytes: spool.#bytes,
      });
      spool.#kick();
    }
    return spool;
  }

  get depth(): { batches: number; bytes: number; segments: number } {
    return { batches: this.#batches, bytes: this.#bytes, segments: this.#segments.length };
  }

  async publish(messages: SinkMessage[]): Promise<PublishOutcome[]> {
    if (!this.#spooling) {
      const tried = Date.now();
      const outcomes = await this.inner.publish(messages);
      if (outcomes.every((o) => o !== "retriable")) return outcomes;
      // Unanswered is not refused: Kafka may have stored some of these, hence the mark.
      const stored = await this.#append(messages.filter((_, i) => outcomes[i] === "retriable"), tried);
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
    // The replayer also ends spooling before it deletes the last segment's files: wait for it too.
    while ((this.#spooling || this.#replaying) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
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

  #append(messages: SinkMessage[], tried?: number): Promise<boolean> {
    const line = format.encodeRecord(messages, tried);
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
        log.error("spool write failed", { error: (error as Error).message });
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
    const path = format.segmentPath(this.options.dir, seq);
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
    this.#replaying ??= this.#replay().then(
      () => {
        this.#replaying = undefined;
        // A write that landed while the replay was reading or returning kicked a replay still
        // running, which then ended without its lines: they would wait for the next write.
        if (!this.#closed && this.#segments.some((s) => s.replayed < s.durable)) this.#kick();
      },
      (error) => {
        this.#replaying = undefined;
        log.error("spool replay stopped", { error: (error as Error).message });
      },
    );
  }

  async #replay(): Promise<void> {
    let wait = this.retryMs.min;
    while (!this.#closed) {
      const segment = this.#segments[0];
      if (!segment) {
        if (this.#queue.length === 0 && !this.#writing) this.#spooling = false;
        return;
      }
      const { records, bytes } = await format.readRecords(
        segment.path,
        segment.replayed,
        segment.durable,
        this.replayBatch,
      );
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
      const messages = records.flatMap((r) => r.messages);
      const sent = await this.#send(segment, messages);
      if (!sent) {
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
      segment.tried = undefined;
      await format.writePos(segment.path, { replayed: segment.replayed });
      this.#doubt.forget(messages);
      this.#bytes -= bytes;
      this.#batches -= records.length;
    }
  }

  /** One replayed produce, less what a crashed process is known to have produced; true if sent. */
  async #send(segment: Segment, messages: SinkMessage[]): Promise<boolean> {
    if (!(await this.#doubt.settle())) return false;
    const fresh = this.#doubt.fresh(messages);
    if (fresh.length === 0) return true;
    if (segment.tried === undefined) {
      // Before the produce: if the process dies waiting for its answer, the next one knows.
      segment.tried = Date.now();
      await format.writePos(segment.path, { replayed: segment.replayed, tried: segment.tried });
    }
    const outcomes = await this.inner.publish(fresh).catch(() => fresh.map(() => "retriable" as const));
    return outcomes.every((o) => o !== "retriable");
  }

  async #drop(segment: Segment): Promise<void> {
    this.#segments.shift();
    segment.file?.close();
    this.#bytes -= segment.durable - segment.replayed;
    await Deno.remove(segment.path).catch(() => {});
    await Deno.remove(`${segment.path}.pos`).catch(() => {});
  }
}
