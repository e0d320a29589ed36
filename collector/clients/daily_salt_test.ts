import { deepStrictEqual as assertEquals, notStrictEqual, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import { DailyIpHasher, DailySalt } from "./daily_salt.ts";

const DAY = Date.UTC(2025, 5, 1, 23, 59);
const NEXT_DAY = Date.UTC(2025, 5, 2, 0, 1);
const IP = "203.0.113.77";

const files = (dir: string) => Array.from(Deno.readDirSync(dir), (entry) => entry.name).sort();

Deno.test("two collector processes on one folder hash alike within a day, even when both start at once", async () => {
  const dir = await Deno.makeTempDir();
  const [a, b] = [new DailyIpHasher(new DailySalt(dir)), new DailyIpHasher(new DailySalt(dir))];
  const [ha, hb] = await Promise.all([a.hash(IP, DAY), b.hash(IP, DAY)]);
  ok(/^[0-9a-f]{32}$/.test(ha), ha);
  assertEquals(hb, ha);
  assertEquals(await new DailyIpHasher(new DailySalt(dir)).hash(IP, DAY - 3_600_000), ha, "a late starter");
  assertEquals(files(dir), ["ip-salt-2025-06-01"], "one salt file, no temporary file left");
  assertEquals((await Deno.stat(join(dir, "ip-salt-2025-06-01"))).mode! & 0o777, 0o600);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the next day hashes differently and the old day's salt file is gone", async () => {
  const dir = await Deno.makeTempDir();
  const a = new DailyIpHasher(new DailySalt(dir));
  const today = await a.hash(IP, DAY);
  await Deno.writeFile(join(dir, "ip-salt-2025-05-31.0a1b-2c.tmp"), new Uint8Array(32)); // left by a crash
  const tomorrow = await a.hash(IP, NEXT_DAY);
  notStrictEqual(tomorrow, today);
  assertEquals(files(dir), ["ip-salt-2025-06-02"]);
  const b = new DailyIpHasher(new DailySalt(dir));
  assertEquals(await b.hash(IP, NEXT_DAY), tomorrow, "a second process reads the new day's salt");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("roll() moves to the new day without a request: a quiet collector deletes the old salt too", async () => {
  const dir = await Deno.makeTempDir();
  const a = new DailyIpHasher(new DailySalt(dir));
  await a.roll(DAY);
  assertEquals(files(dir), ["ip-salt-2025-06-01"]);
  await a.roll(NEXT_DAY);
  assertEquals(files(dir), ["ip-salt-2025-06-02"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the salt is random, not derived from anything configured: another folder or process, another hash", async () => {
  const [one, two] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  const [a, b] = [new DailySalt(one), new DailySalt(two)];
  const [sa, sb] = [await a.of(DAY), await b.of(DAY)];
  assertEquals([sa.length, sb.length], [32, 32]);
  notStrictEqual(Array.from(sa).join(), Array.from(sb).join());
  notStrictEqual(await new DailyIpHasher(a).hash(IP, DAY), await new DailyIpHasher(b).hash(IP, DAY));
  const memory = [new DailyIpHasher(new DailySalt()), new DailyIpHasher(new DailySalt())];
  notStrictEqual(await memory[0].hash(IP, DAY), await memory[1].hash(IP, DAY), "no folder: per process");
  for (const dir of [one, two]) await Deno.remove(dir, { recursive: true });
});

Deno.test("a salt file of the wrong size is refused by name, without its content, and tried again", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "ip-salt-2025-06-01");
  await Deno.writeTextFile(path, "short");
  const hasher = new DailyIpHasher(new DailySalt(dir));
  await rejects(hasher.hash(IP, DAY), (e: Error) => {
    assertEquals(e.message, `${path} holds 5 bytes, not a 32-byte salt; delete it`);
    return true;
  });
  await Deno.remove(path);
  ok(/^[0-9a-f]{32}$/.test(await hasher.hash(IP, DAY)), "the next request reads the folder again");
  await Deno.remove(dir, { recursive: true });
});
