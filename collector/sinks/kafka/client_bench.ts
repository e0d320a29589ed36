// Which Kafka client the collector uses, by measurement: the same workload (collector rows of
// ~700 bytes, sends of 100 messages, 4 sends in flight, idempotent, acks=all) through each
// client and compression on a real local broker. Run: deno run -A collector/sinks/kafka/client_bench.ts
// Results are recorded in DESIGN.md, "Kafka client".
import { join } from "node:path";
import process from "node:process";
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { ensureTopics, startBroker, stopBroker } from "../../../kafka/broker.ts";
import { freePort } from "../../../lib/process.ts";
import { enrich } from "../../stages/enrich.ts";
import { event } from "../../fixtures.ts";
import type { Event } from "../../../contract/mod.ts";

const TOTAL = Number(Deno.args[0] ?? 50_000);
const PER_SEND = 100;
const IN_FLIGHT = 4;

type Send = (messages: { key: string; value: string }[]) => Promise<void>;
type Client = {
  name: string;
  open(bootstrap: string, topic: string): Promise<{ send: Send; close(): Promise<void> }>;
};

const clients: Client[] = [
  ...(["none", "lz4", "gzip", "zstd"] as const).map((compression): Client => ({
    name: `@platformatic/kafka 2.12.1, ${compression}`,
    open(bootstrap, topic) {
      const producer = new Producer({
        clientId: "bench",
        bootstrapBrokers: [bootstrap],
        serializers: stringSerializers,
        idempotent: true,
        acks: ProduceAcks.ALL,
        ...(compression === "none" ? {} : { compression }),
      });
      return Promise.resolve({
        send: async (messages) =>
          void await producer.send({ messages: messages.map((m) => ({ topic, ...m })) }),
        close: () => producer.close(),
      });
    },
  })),
  ...([["none", CompressionTypes.None], ["gzip", CompressionTypes.GZIP]] as const).map((
    [label, compression],
  ): Client => ({
    name: `kafkajs 2.2.4, ${label}`,
    async open(bootstrap, topic) {
      const kafka = new Kafka({ clientId: "bench", brokers: [bootstrap], logLevel: logLevel.NOTHING });
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
      await producer.connect();
      return {
        send: async (messages) => void await producer.send({ topic, acks: -1, compression, messages }),
        close: () => producer.disconnect(),
      };
    },
  })),
];

function rows(n: number): { key: string; value: string }[] {
  const types: Event["type"][] = ["page_view", "page_view", "add_to_cart", "purchase"];
  return Array.from({ length: n }, (_, i) => {
    const e = event(types[i % 4], {
      session_id: `s${i % 500}`,
      title: "Product page — a fairly ordinary title",
    }) as Event;
    const [row] = enrich([e], {
      site: "bench",
      sentAt: e.ts,
      receivedAt: e.ts,
      client: {
        browser: "Chrome",
        os: "Android",
        device_type: "mobile",
        is_bot: 0,
        ip_hash: "0".repeat(32),
        country: "DE",
      },
    });
    return { key: `bench:${row.session_id}`, value: JSON.stringify(row) };
  });
}

const dataDir = await Deno.makeTempDir({ prefix: "shoptrail-bench-" });
try {
  const broker = await startBroker({ dataDir: join(dataDir, "kafka"), port: await freePort() });
  const payload = rows(TOTAL);
  const bytes = payload.reduce((n, m) => n + m.value.length, 0);
  console.log(
    `${TOTAL} messages, ${
      (bytes / TOTAL).toFixed(0)
    } bytes each, ${PER_SEND} per send, ${IN_FLIGHT} in flight`,
  );
  console.log(
    "| client, compression | messages/s | send p50 ms | send p99 ms | client CPU ms / 1000 msgs | topic bytes/message |",
  );
  console.log("|---|---|---|---|---|---|");
  for (const [i, client] of clients.entries()) {
    const topic = `bench.${i}`;
    await ensureTopics(broker.bootstrap, [{ name: topic, partitions: 6, retentionMs: 3_600_000 }]);
    const { send, close } = await client.open(broker.bootstrap, topic);
    await send(payload.slice(0, PER_SEND)); // connect and fetch metadata outside the timing
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < TOTAL) {
        const part = payload.slice(next, next += PER_SEND);
        const t = performance.now();
        await send(part);
        latencies.push(performance.now() - t);
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    await close();
    latencies.sort((a, b) => a - b);
    const q = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
    const size = await topicBytes(join(dataDir, "kafka", "partitions"), topic);
    console.log(
      `| ${client.name} | ${(TOTAL / seconds).toFixed(0)} | ${q(0.5)} | ${q(0.99)} | ${
        (cpuMs / TOTAL * 1000).toFixed(1)
      } | ` +
        `${(size / (TOTAL + PER_SEND)).toFixed(0)} |`,
    );
  }
} finally {
  await stopBroker(join(dataDir, "kafka"));
  await Deno.remove(dataDir, { recursive: true });
}

async function topicBytes(partitions: string, topic: string): Promise<number> {
  let total = 0;
  for await (const dir of Deno.readDir(partitions)) {
    if (!dir.name.startsWith(`${topic}-`)) continue;
    for await (const f of Deno.readDir(join(partitions, dir.name))) {
      if (f.name.endsWith(".log")) total += (await Deno.stat(join(partitions, dir.name, f.name))).size;
    }
  }
  return total;
}
