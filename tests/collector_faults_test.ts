// The collector's promises on the real pipeline (broker, processor with ClickHouse, collector
// process): sites, write keys, CORS and rate limits as configured; a Kafka outage of 30 s and a
// `kill -9` of the collector lose no acknowledged event and duplicate none, end to end.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startBroker, stopBroker } from "../kafka/broker.ts";
import { isAlive, readPid, spawnDeno, waitForHttp } from "../lib/process.ts";
import { pollUntil, startTestPipeline, type TestPipeline } from "../stack/testing.ts";
import { toKafkaRow } from "../contract/mod.ts";

const KEY = "wk_locked_0123456789abcdef";
const SITES = {
  sites: [
    {
      id: "faults",
      events_per_second: 100_000,
      burst: 100_000,
      ip_requests_per_second: 10_000,
      ip_burst: 10_000,
    },
    { id: "locked", write_key: KEY, origins: ["https://shop.test"], events_per_second: 1, burst: 20 },
  ],
};

function pageView(i: number, tag = "x") {
  return {
    event_id: crypto.randomUUID(),
    type: "page_view",
    ts: Date.now(),
    session_id: `s${i % 97}`,
    anonymous_id: `a${i % 97}`,
    url: `https://shop.test/${tag}/p/${i}`,
  };
}

function send(pipeline: TestPipeline, body: unknown, { headers = {}, query = "" } = {}) {
  return fetch(`${pipeline.collectorUrl}/v1/batch${query}`, {
    method: "POST",
    headers: { "Content-Type": "text/plain", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
}

const streams: { stop(): Promise<void> }[] = [];

/** Sends batches of 10 events back to back until stopped; remembers what was acknowledged. */
function stream(pipeline: TestPipeline, tag: string) {
  const acknowledged = new Set<string>();
  const unacknowledged = new Set<string>();
  let running = true;
  let n = 0;
  const statuses = new Map<string, number>();
  const done = (async () => {
    while (running) {
      const events = Array.from({ length: 10 }, () => pageView(n++, tag));
      const status = await send(pipeline, { site: "faults", sent_at: Date.now(), events })
        .then(async (r) => (await r.body?.cancel(), r.status), () => 0);
      statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1);
      for (const e of events) (status === 202 ? acknowledged : unacknowledged).add(e.event_id);
      await new Promise((r) => setTimeout(r, status === 202 ? 20 : 100));
    }
  })();
  const handle = {
    tag,
    acknowledged,
    unacknowledged,
    statuses,
    stop: async () => {
      running = false;
      await done;
    },
  };
  streams.push(handle);
  return handle;
}

async function metric(pipeline: TestPipeline, name: string): Promise<number> {
  const text = await (await fetch(`${pipeline.collectorUrl}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
}

/**
 * Every acknowledged event in ClickHouse from exactly one Kafka message; unacknowledged ones from at
 * most one. The collector's promise is one message per event: the Kafka engine may read the same
 * offset twice when its consumers rebalance (its own at-least-once delivery), and the analytics'
 * first-delivery gate counts such a copy once, so a copy at the same offset is not a second message.
 */
async function assertExactlyOnce(pipeline: TestPipeline, s: ReturnType<typeof stream>) {
  const counts = await pollUntil(
    async () =>
      new Map(
        (await pipeline.rows<{ event_id: string; n: string }>(
          `SELECT event_id, uniqExact(_partition, _offset) AS n FROM events ` +
            `WHERE site = 'faults' AND url LIKE 'https://shop.test/${s.tag}/%' ` +
            "GROUP BY event_id",
        )).map((r) => [r.event_id, Number(r.n)]),
      ),
    (counts) => [...s.acknowledged].every((id) => counts.has(id)),
    {
      what: `all ${s.acknowledged.size} acknowledged events in ClickHouse`,
      deadlineMs: 120_000,
      intervalMs: 1000,
    },
  );
  const twice = [...counts].filter(([, n]) => n > 1);
  if (twice.length > 0) {
    const where = await pipeline.rows(
      `SELECT event_id, groupArray((_partition, _offset)) AS at FROM events WHERE event_id IN ` +
        `(${twice.slice(0, 5).map(([id]) => `'${id}'`).join(",")}) GROUP BY event_id`,
    );
    assertEquals(
      twice.length,
      0,
      `${twice.length} events in two Kafka messages, e.g. at ${JSON.stringify(where)}`,
    );
  }
  const stray = [...counts.keys()].filter((id) => !s.acknowledged.has(id) && !s.unacknowledged.has(id));
  assertEquals(stray, []);
  return counts;
}

Deno.test("the collector keeps its promises on the real pipeline", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "shoptrail-sites-" });
  const sitesFile = join(dir, "sites.json");
  await Deno.writeTextFile(sitesFile, JSON.stringify(SITES));
  const pipeline = await startTestPipeline({
    env: { COLLECTOR_SITES_FILE: sitesFile, COLLECTOR_KAFKA_TIMEOUT_MS: "1500" },
  });
  const kafkaDir = join(pipeline.dataRoot, "kafka");
  const kafkaPort = Number(pipeline.kafkaBootstrap.split(":")[1]);
  const collectorPidFile = join(pipeline.dataRoot, "run", "collector.pid");
  const restartCollector = async () => {
    const service = await spawnDeno({
      name: "collector",
      script: fileURLToPath(new URL("../collector/main.ts", import.meta.url)),
      dir: join(pipeline.dataRoot, "run"),
      env: pipeline.env,
    });
    await waitForHttp(`${pipeline.collectorUrl}/health`, { deadlineMs: 60_000, service });
  };
  try {
    await t.step("the parsed events row has exactly the keys of toKafkaRow", async () => {
      const [{ type }] = await pipeline.rows<{ type: string }>(
        "SELECT type FROM system.columns WHERE table = 'events_parsed' AND name = 'row'",
      );
      // Top-level field names of `Tuple(name Type, ...)`.
      const fields: string[] = [];
      let depth = 0, field = "";
      for (const ch of type.replace(/^Tuple\(/, "").replace(/\)$/, "")) {
        if (ch === "(") depth++;
        if (ch === ")") depth--;
        if (ch === "," && depth === 0) {
          fields.push(field);
          field = "";
        } else field += ch;
      }
      fields.push(field);
      const columns = fields.map((f) => f.trim().split(/\s/)[0]);
      const row = toKafkaRow(pageView(0) as Parameters<typeof toKafkaRow>[0], {
        site: "x",
        received_at: 0,
        event_time: 0,
        browser: "",
        os: "",
        device_type: "",
        is_bot: 0,
        ip_hash: "",
        country: "",
      });
      assertEquals(columns.sort(), Object.keys(row).sort());
    });

    await t.step("write keys, origins, CORS and rate limits behave as configured", async () => {
      const body = (n = 1) => ({
        site: "locked",
        sent_at: Date.now(),
        events: Array.from({ length: n }, (_, i) => pageView(i)),
      });
      const code = async (r: Response) => [r.status, (await r.json()).error?.code];
      assertEquals(await code(await send(pipeline, { ...body(), site: "nope" })), [401, "unknown_site"]);
      assertEquals(await code(await send(pipeline, body())), [401, "unknown_site"]);
      assertEquals(await code(await send(pipeline, body(), { query: "?key=wrong" })), [401, "unknown_site"]);
      assertEquals(
        await code(
          await send(pipeline, body(), { query: `?key=${KEY}`, headers: { Origin: "https://evil.test" } }),
        ),
        [403, "origin_not_allowed"],
      );
      const preflight = await fetch(`${pipeline.collectorUrl}/v1/batch`, {
        method: "OPTIONS",
        headers: { Origin: "https://shop.test", "Access-Control-Request-Method": "POST" },
      });
      await preflight.body?.cancel();
      assertEquals(preflight.headers.get("access-control-allow-origin"), "https://shop.test");
      const okResponse = await send(pipeline, body(10), {
        query: `?key=${KEY}`,
        headers: { Origin: "https://shop.test" },
      });
      assertEquals([okResponse.status, (await okResponse.json()).accepted], [202, 10]);
      const limited = await send(pipeline, body(15), { headers: { "X-Shoptrail-Key": KEY } });
      assertEquals(await code(limited), [429, "rate_limited"]);
      ok(Number(limited.headers.get("retry-after")) >= 1);
    });

    await t.step(
      "Kafka stopped for 30 s mid-stream: every acknowledged event reaches ClickHouse once",
      async () => {
        const s = stream(pipeline, "outage");
        await pollUntil(() => Promise.resolve(s.acknowledged.size), (n) => n >= 300, {
          what: "a steady stream",
        });
        await stopBroker(kafkaDir);
        const stoppedAt = Date.now();
        await pollUntil(() => metric(pipeline, "collector_spool_batches"), (n) => n > 0, {
          what: "the spool to fill",
        });
        // Halfway through the outage the collector dies too; it replays the spool after restart.
        await new Promise((r) => setTimeout(r, 15_000 - (Date.now() - stoppedAt)));
        Deno.kill(readPid(collectorPidFile)!, "SIGKILL");
        await pollUntil(() => Promise.resolve(readPid(collectorPidFile)), (pid) => pid === undefined, {
          what: "collector gone",
        });
        await restartCollector();
        await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - stoppedAt))));
        const spooled = await metric(pipeline, "collector_spool_batches");
        await startBroker({ dataDir: kafkaDir, port: kafkaPort });
        const restartedAt = Date.now();
        await pollUntil(() => metric(pipeline, "collector_spool_batches"), (n) => n === 0, {
          what: "the spool to drain",
          deadlineMs: 120_000,
          intervalMs: 50,
        });
        console.log(
          `spool: ${spooled} batches of 10 events replayed ${
            Date.now() - restartedAt
          } ms after Kafka restarted`,
        );
        await new Promise((r) => setTimeout(r, 1000));
        await s.stop();
        console.log(
          `outage stream: ${s.acknowledged.size} acknowledged, ${s.unacknowledged.size} not; statuses`,
          s.statuses,
        );
        ok(s.acknowledged.size > 1000, "the collector kept acknowledging while Kafka was down");
        await assertExactlyOnce(pipeline, s);
      },
    );

    await t.step(
      "kill -9 of the collector mid-stream: every acknowledged event reaches ClickHouse once",
      async () => {
        const s = stream(pipeline, "kill");
        await pollUntil(() => Promise.resolve(s.acknowledged.size), (n) => n >= 500, {
          what: "a steady stream",
        });
        const pid = readPid(collectorPidFile)!;
        Deno.kill(pid, "SIGKILL");
        await pollUntil(() => Promise.resolve(isAlive(pid)), (alive) => !alive, { what: "collector gone" });
        await restartCollector();
        const before = s.acknowledged.size;
        await pollUntil(() => Promise.resolve(s.acknowledged.size), (n) => n >= before + 300, {
          what: "stream resumed",
        });
        await s.stop();
        console.log(
          `kill -9 stream: ${s.acknowledged.size} acknowledged, ${s.unacknowledged.size} not; statuses`,
          s.statuses,
        );
        await assertExactlyOnce(pipeline, s);
      },
    );
    // Last: a step before the outage delays it, and a consumer group rebalance of ClickHouse's two
    // consumers then lands on the broker's stop (redelivery there is ClickHouse's, not the collector's).
    await t.step("one request's events of 40 sessions reach Kafka as one message per partition", async () => {
      const events = Array.from({ length: 40 }, (_, i) => pageView(i, "joined"));
      const response = await send(pipeline, { site: "faults", sent_at: Date.now(), events });
      assertEquals(response.status, 202);
      await response.body?.cancel();
      const [stored] = await pollUntil(
        () =>
          pipeline.rows<{ events: number; sessions: number; messages: number; partitions: number }>(
            "SELECT count() AS events, uniqExact(session_id) AS sessions, uniqExact(_partition, _offset) AS messages, " +
              "uniqExact(_partition) AS partitions FROM events WHERE url LIKE 'https://shop.test/joined/%'",
          ),
        ([r]) => Number(r.events) >= 40,
        { what: "the 40 events in ClickHouse" },
      );
      assertEquals([Number(stored.events), Number(stored.sessions)], [40, 40]);
      ok(Number(stored.partitions) > 1, `${stored.partitions} partitions`);
      assertEquals(Number(stored.messages), Number(stored.partitions));
    });
  } finally {
    await Promise.all(streams.map((s) => s.stop()));
    await pipeline.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
