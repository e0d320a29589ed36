// A STAND-IN for Upstash's Kafka REST API, for tests only: the hosted service cannot run here.
// It implements the one call the collector makes, POST /produce (a message or an array of
// them, Basic auth), answering per message {topic, partition, offset, timestamp} as the hosted
// API does, and keeps the messages in memory. `failing` makes it answer 503.
import { Hono } from "hono";

export type StoodInMessage = {
  topic: string;
  key?: string;
  value: string;
  partition: number;
  offset: number;
};

export function upstashStandIn({ username, password }: { username: string; password: string }) {
  const messages: StoodInMessage[] = [];
  const state = { failing: false };
  const app = new Hono();
  app.post("/produce", async (c) => {
    if (c.req.header("authorization") !== `Basic ${btoa(`${username}:${password}`)}`) {
      return c.json({ error: "Unauthorized", status: 401 }, 401);
    }
    if (state.failing) return c.json({ error: "Service Unavailable", status: 503 }, 503);
    const body = await c.req.json();
    const requests = (Array.isArray(body) ? body : [body]) as {
      topic: string;
      key?: string;
      value: string;
    }[];
    return c.json(requests.map((r) => {
      const offset = messages.filter((m) => m.topic === r.topic).length;
      messages.push({ topic: r.topic, key: r.key, value: r.value, partition: 0, offset });
      return { topic: r.topic, partition: 0, offset, timestamp: Date.now() };
    }));
  });
  return { app, messages, state };
}
