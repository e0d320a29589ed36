// The key of the IP hash: 32 random bytes per UTC day, never derived from a setting. An HMAC of a
// fixed secret and the date could be recomputed by whoever holds the secret and reversed by trying
// the 2^24 IPv4 /24 networks; a random salt that is deleted once its day is over cannot be.
//
// Collector processes on one machine share the day's salt through a file in one folder
// (COLLECTOR_SALT_DIR), so a visitor hashes alike whichever process answers: the first process of
// the day writes a fresh salt to a temporary file and links it into place (a link never replaces
// an existing file, so two processes racing both end up with the winner's), the others read it.
// Files of earlier days are deleted when a process moves on to a new day. Without a folder (e.g.
// Deno Deploy) the salt lives only in this process. The salt is never logged.
import { join } from "node:path";
import { IpHasher } from "./ip.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const SALT_BYTES = 32;
const SALT_FILE = /^ip-salt-(\d{4}-\d{2}-\d{2})(\.[0-9a-f-]+\.tmp)?$/;

const dateOf = (now: number) => new Date(Math.floor(now / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

/** The salt of the UTC day, shared through `dir` when given. */
export class DailySalt {
  #date = "";
  #salt?: Promise<Uint8Array>;

  constructor(readonly dir?: string) {}

  /** The salt of the day `now` falls on; moving to a new day forgets the old salt and deletes its files. */
  of(now: number): Promise<Uint8Array> {
    const date = dateOf(now);
    if (date !== this.#date) {
      const salt = this.dir === undefined
        ? Promise.resolve(crypto.getRandomValues(new Uint8Array(SALT_BYTES)))
        : shared(this.dir, date);
      [this.#date, this.#salt] = [date, salt];
      salt.catch(() => this.#salt === salt && (this.#date = "")); // a failed read is tried again
    }
    return this.#salt!;
  }
}

async function shared(dir: string, date: string): Promise<Uint8Array> {
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, `ip-salt-${date}`);
  const salt = await readSalt(path) ?? await create(path);
  await deleteBefore(dir, date);
  return salt;
}

async function create(path: string): Promise<Uint8Array> {
  const fresh = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const temp = `${path}.${crypto.randomUUID()}.tmp`;
  const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o600 });
  try {
    await file.write(fresh);
    await file.syncData(); // the link below must never name a file whose bytes a crash lost
  } finally {
    file.close();
  }
  try {
    await Deno.link(temp, path);
    return fresh;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    return (await readSalt(path))!; // another process was first: its salt is the day's
  } finally {
    await Deno.remove(temp);
  }
}

async function readSalt(path: string): Promise<Uint8Array | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  if (bytes.length !== SALT_BYTES) {
    throw new Error(`${path} holds ${bytes.length} bytes, not a ${SALT_BYTES}-byte salt; delete it`);
  }
  return bytes;
}

async function deleteBefore(dir: string, date: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const day = SALT_FILE.exec(entry.name)?.[1];
    if (!entry.isFile || day === undefined || day >= date) continue;
    await Deno.remove(join(dir, entry.name)).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error; // another process deleted it first
    });
  }
}

/** IpHasher keyed by the day's salt: the same interface, a new key each UTC day. */
export class DailyIpHasher {
  #date = "";
  #hasher?: Promise<IpHasher>;

  constructor(readonly salt: DailySalt) {}

  hash(ip: string, now: number): Promise<string> {
    return this.#of(now).then((hasher) => hasher.hash(ip, now));
  }

  bucketKey(ip: string, now: number): Promise<string> {
    return this.#of(now).then((hasher) => hasher.bucketKey(ip, now));
  }

  /** Moves to the day of `now` without a request: the old day's salt leaves memory and disk. */
  async roll(now: number): Promise<void> {
    await this.#of(now);
  }

  #of(now: number): Promise<IpHasher> {
    const date = dateOf(now);
    if (date !== this.#date) {
      const hasher = this.salt.of(now).then((salt) => new IpHasher(hex(salt)));
      [this.#date, this.#hasher] = [date, hasher];
      hasher.catch(() => this.#hasher === hasher && (this.#date = ""));
    }
    return this.#hasher!;
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
