// Loads the simulator's catalogue into ClickHouse's `products` and `users` tables by publishing
// one JSON message per row to their Kafka topics (the processor's SQL session is read-only; all
// data arrives through Kafka). Publishing again replaces rows: the newest updated_at wins.
//
//   deno run -A clickhouse/load_catalogue.ts [--seed 1] [--products 600] [--users 5000]
//
// KAFKA_BROKERS and KAFKA_TOPIC_PREFIX are read as the collector reads them.
import { parseArgs } from "node:util";
import { Producer, stringSerializers } from "@platformatic/kafka";
import { brokersFromEnv, topicsFromEnv } from "../contract/mod.ts";
import { buildCatalogue, type Catalogue, productRows, userRows } from "../loadtest/catalogue.ts";

export type LoadOptions = {
  brokers: string[];
  topics: { products: string; users: string };
  catalogue: Catalogue;
  /** Stamped on every row as updated_at (Unix ms). */
  now?: number;
};

/** Publishes every product and every user with an account; resolves once Kafka has them all. */
export async function loadCatalogue(
  { brokers, topics, catalogue, now = Date.now() }: LoadOptions,
): Promise<{ products: number; users: number }> {
  const producer = new Producer({
    clientId: "shoptrail-catalogue",
    bootstrapBrokers: brokers,
    serializers: stringSerializers,
    idempotent: true,
    acks: -1,
  });
  const messages = (topic: string, jsonl: string, key: string) =>
    jsonl.split("\n").filter(Boolean).map((line) => {
      const row = { ...JSON.parse(line), updated_at: now };
      return { topic, key: String(row[key]), value: JSON.stringify(row) };
    });
  try {
    const products = messages(topics.products, productRows(catalogue), "id");
    const users = messages(topics.users, userRows(catalogue), "user_id");
    for (const batch of chunks([...products, ...users], 1000)) await producer.send({ messages: batch });
    return { products: products.length, users: users.length };
  } finally {
    await producer.close();
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seed: { type: "string", default: "1" },
      products: { type: "string" },
      users: { type: "string" },
    },
  });
  const catalogue = buildCatalogue({
    seed: Number(values.seed),
    ...(values.products ? { products: Number(values.products) } : {}),
    ...(values.users ? { users: Number(values.users) } : {}),
  });
  const topics = topicsFromEnv();
  const brokers = brokersFromEnv();
  const loaded = await loadCatalogue({
    brokers,
    topics: { products: topics.products.name, users: topics.users.name },
    catalogue,
  });
  console.log(
    `published ${loaded.products} products to ${topics.products.name} and ${loaded.users} users to ` +
      `${topics.users.name} on ${brokers.join(",")} (catalogue seed ${catalogue.seed})`,
  );
}
