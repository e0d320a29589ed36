// The spool's files. A segment holds one line per batch: the batch's messages as a JSON array,
// or `{"tried":<ms>,"messages":[…]}` when the collector had already tried to produce it (so
// Kafka may hold some of it). `<segment>.pos` holds how many bytes of the segment were sent,
// then, while a replayed produce of the lines from there is unanswered, when it was first tried.
// Both marks let a process that starts after a crash find what may be in Kafka already.
import { join } from "node:path";
import type { SinkMessage } from "../sink.ts";

export type SpoolRecord = { messages: SinkMessage[]; tried?: number };
export type Pos = { replayed: number; tried?: number };

const SEGMENT = /^(\d{12})\.seg$/;
const NEWLINE = 10;
const OPEN_BRACE = 123;

/** Segment `seq` of the spool folder: numbered in the order they were started. */
export function segmentPath(dir: string, seq: number): string {
  return join(dir, `${String(seq).padStart(12, "0")}.seg`);
}

/** The numbers of the folder's segments, oldest first. */
export async function listSegments(dir: string): Promise<number[]> {
  const seqs: number[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const m = SEGMENT.exec(entry.name);
    if (entry.isFile && m) seqs.push(Number(m[1]));
  }
  return seqs.sort((a, b) => a - b);
}

export function encodeRecord(messages: SinkMessage[], tried?: number): Uint8Array {
  const json = tried === undefined ? JSON.stringify(messages) : JSON.stringify({ tried, messages });
  return new TextEncoder().encode(json + "\n");
}

function decodeRecord(text: string): SpoolRecord {
  const parsed = JSON.parse(text) as SinkMessage[] | SpoolRecord;
  return Array.isArray(parsed) ? { messages: parsed } : parsed;
}

/** Complete lines of `path` from byte `from` (below `to`), up to about `maxMessages` messages. */
export async function readRecords(
  path: string,
  from: number,
  to: number,
  maxMessages: number,
): Promise<{ records: SpoolRecord[]; bytes: number }> {
  const length = Math.min(to - from, 4 * 1024 * 1024);
  if (length <= 0) return { records: [], bytes: 0 };
  const file = await Deno.open(path, { read: true });
  try {
    await file.seek(from, Deno.SeekMode.Start);
    const buffer = new Uint8Array(length);
    let read = 0;
    while (read < length) {
      const n = await file.read(buffer.subarray(read));
      if (n === null) break;
      read += n;
    }
    const records: SpoolRecord[] = [];
    let start = 0;
    let count = 0;
    const decoder = new TextDecoder();
    for (let i = 0; i < read && count < maxMessages; i++) {
      if (buffer[i] !== NEWLINE) continue;
      const record = decodeRecord(decoder.decode(buffer.subarray(start, i)));
      records.push(record);
      count += record.messages.length;
      start = i + 1;
    }
    return { records, bytes: start };
  } finally {
    file.close();
  }
}

/** The complete lines of `path` from byte `from`: how many, and those marked as tried. */
export async function scanLines(
  path: string,
  from: number,
): Promise<{ lines: number; tried: SpoolRecord[] }> {
  const bytes = (await Deno.readFile(path)).subarray(from);
  const decoder = new TextDecoder();
  const tried: SpoolRecord[] = [];
  let lines = 0;
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== NEWLINE) continue;
    lines++;
    // Only lines of batches produced before they were spooled start with a brace: few, and
    // the only ones parsed here.
    if (bytes[start] === OPEN_BRACE) tried.push(decodeRecord(decoder.decode(bytes.subarray(start, i))));
    start = i + 1;
  }
  return { lines, tried };
}

export async function readPos(segmentPath: string): Promise<Pos> {
  const text = await Deno.readTextFile(`${segmentPath}.pos`).catch(() => "0");
  const [replayed, tried] = text.trim().split(" ").map(Number);
  return {
    replayed: Number.isSafeInteger(replayed) && replayed >= 0 ? replayed : 0,
    ...(Number.isSafeInteger(tried) ? { tried } : {}),
  };
}

/** Replace-by-rename, fsync'd: after a crash the position is the old one or the new one. */
export async function writePos(segmentPath: string, pos: Pos): Promise<void> {
  const tmp = `${segmentPath}.pos.tmp`;
  const file = await Deno.open(tmp, { create: true, write: true, truncate: true });
  try {
    const text = pos.tried === undefined ? `${pos.replayed}` : `${pos.replayed} ${pos.tried}`;
    await file.write(new TextEncoder().encode(text));
    await file.syncData();
  } finally {
    file.close();
  }
  await Deno.rename(tmp, `${segmentPath}.pos`);
}
