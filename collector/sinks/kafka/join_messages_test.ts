import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { defaultPartitioner } from "@platformatic/kafka";
import { joinByPartition, partitionOf } from "./join_messages.ts";
import { MAX_MESSAGE_CHARS } from "../../../contract/mod.ts";
import type { SinkMessage } from "../sink.ts";

const event = (session: string, line: string): SinkMessage => ({
  topic: "events",
  key: `shop:${session}`,
  value: line,
});

Deno.test("partitionOf() puts a key where Kafka's default partitioner (and the client's) puts it", () => {
  for (let i = 0; i < 500; i++) {
    // Every length modulo 4, non-ASCII bytes, and keys past the hash's 1 KB buffer.
    const key = `shop:s${i}-${"é".repeat(i % 3)}${i % 50 === 0 ? "x".repeat(1000 + i) : ""}`;
    assertEquals(partitionOf(key, 6), (defaultPartitioner(undefined as never, Buffer.from(key)) >>> 0) % 6);
  }
});

Deno.test("joinByPartition() joins a line topic's messages per partition, in order, and passes the rest", () => {
  const sessions = Array.from({ length: 40 }, (_, i) => `s${i}`);
  const messages = [
    ...sessions.map((s) => event(s, `{"e":"${s}-1"}`)),
    { topic: "dlq", key: "shop", value: '{"code":"x"}' },
    ...sessions.map((s) => event(s, `{"e":"${s}-2"}\n{"e":"${s}-3"}`)),
  ];
  const joined = joinByPartition(messages, new Map([["events", 6]]));
  assertEquals(joined.filter((m) => m.topic === "dlq"), [{
    topic: "dlq",
    key: "shop",
    value: '{"code":"x"}',
  }]);
  const events = joined.filter((m) => m.topic === "events");
  assertEquals(events.length, 6, "one message per partition");
  for (const m of events) {
    assertEquals(m.key, undefined, "a joined message holds many sessions: no key");
    const lines = m.value.split("\n");
    // Every line is on its session's partition, and each session's lines keep their order.
    for (const line of lines) {
      assertEquals(partitionOf(`shop:${line.slice(6, line.indexOf("-"))}`, 6), m.partition);
    }
    for (const s of sessions.filter((s) => partitionOf(`shop:${s}`, 6) === m.partition)) {
      assertEquals(lines.filter((l) => l.includes(`"${s}-`)), [1, 2, 3].map((n) => `{"e":"${s}-${n}"}`));
    }
  }
  assertEquals(events.flatMap((m) => m.value.split("\n")).length, 120);
});

Deno.test("joinByPartition() keeps a lone message's key, and cuts a joined one before MAX_MESSAGE_CHARS", () => {
  const [lone] = joinByPartition([event("s1", "{}")], new Map([["events", 6]]));
  assertEquals(lone, { topic: "events", key: "shop:s1", value: "{}", partition: partitionOf("shop:s1", 6) });
  const big = "x".repeat(MAX_MESSAGE_CHARS / 4);
  const messages = Array.from({ length: 10 }, (_, i) => event("s1", `${i}${big}`));
  const joined = joinByPartition(messages, new Map([["events", 6]]));
  ok(joined.length === 4, `${joined.length} messages`);
  for (const m of joined) ok(m.value.length <= MAX_MESSAGE_CHARS);
  assertEquals(joined.flatMap((m) => m.value.split("\n")), messages.map((m) => m.value));
});
