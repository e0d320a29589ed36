// UpstashSink against a local STAND-IN of the Upstash Kafka REST API (upstash_standin.ts), served
// on a free port so the real @upstash/kafka client speaks real HTTP to it.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { upstashStandIn } from "./upstash_standin.ts";
import { UpstashSink } from "./upstash.ts";

async function withStandIn(run: (url: string, standIn: ReturnType<typeof upstashStandIn>) => Promise<void>) {
  const standIn = upstashStandIn({ username: "user", password: "secret" });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, standIn.app.fetch);
  try {
    await run(`http://127.0.0.1:${server.addr.port}`, standIn);
  } finally {
    await server.shutdown();
  }
}

Deno.test("UpstashSink produces each message with its topic and key through the REST API (stand-in)", async () => {
  await withStandIn(async (url, standIn) => {
    const sink = new UpstashSink({ url, username: "user", password: "secret" });
    const outcomes = await sink.publish([
      { topic: "e", key: "shop:s1", value: '{"a":1}' },
      { topic: "dlq", key: "shop", value: '{"b":2}' },
    ]);
    assertEquals(outcomes, ["ok", "ok"]);
    assertEquals(standIn.messages.map((m) => [m.topic, m.key, m.value]), [["e", "shop:s1", '{"a":1}'], [
      "dlq",
      "shop",
      '{"b":2}',
    ]]);
    assertEquals(await sink.ready(), true);
  });
});

Deno.test("UpstashSink calls a batch retriable when the service fails past its timeout (stand-in)", async () => {
  await withStandIn(async (url, standIn) => {
    standIn.state.failing = true;
    const sink = new UpstashSink({ url, username: "user", password: "secret", timeoutMs: 300 });
    assertEquals(await sink.publish([{ topic: "e", key: "k", value: "{}" }]), ["retriable"]);
    assertEquals(await sink.ready(), false);
    standIn.state.failing = false;
    // Let the client's own background retries finish before the server stops.
    await new Promise((r) => setTimeout(r, 600));
  });
});

Deno.test("UpstashSink with wrong credentials stores nothing (stand-in)", async () => {
  await withStandIn(async (url, standIn) => {
    const sink = new UpstashSink({ url, username: "user", password: "wrong", timeoutMs: 300 });
    assertEquals(await sink.publish([{ topic: "e", key: "k", value: "{}" }]), ["retriable"]);
    assertEquals(standIn.messages.length, 0);
  });
});
