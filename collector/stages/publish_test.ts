import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { type KafkaRow, MAX_MESSAGE_CHARS, rowsOf } from "../../contract/mod.ts";
import { eventMessages } from "./publish.ts";

const row = (session_id: string, event_id: string, url = "https://shop.test/") =>
  ({ site: "shop", session_id, event_id, url }) as unknown as KafkaRow;

Deno.test("eventMessages() puts each session's rows in one message, in order, keyed by site and session", () => {
  const rows = [row("s1", "a"), row("s2", "b"), row("s1", "c"), row("s2", "d"), row("s3", "e")];
  const messages = eventMessages("events", rows);
  assertEquals(messages.map((m) => [m.topic, m.key]), [["events", "shop:s1"], ["events", "shop:s2"], [
    "events",
    "shop:s3",
  ]]);
  assertEquals(messages.map((m) => rowsOf(m.value).map((r) => r.event_id)), [["a", "c"], ["b", "d"], ["e"]]);
});

Deno.test("eventMessages() cuts a session's message before MAX_MESSAGE_CHARS and loses no row", () => {
  const long = "https://shop.test/" + "x".repeat(40_000);
  const rows = Array.from({ length: 20 }, (_, i) => row("s1", `e${i}`, long));
  const messages = eventMessages("events", rows);
  ok(messages.length > 1, "cut into several messages");
  for (const m of messages) ok(m.value.length <= MAX_MESSAGE_CHARS, `${m.value.length} chars`);
  assertEquals(messages.flatMap((m) => rowsOf(m.value)).map((r) => r.event_id), rows.map((r) => r.event_id));
  ok(messages.every((m) => m.key === "shop:s1"));
});

Deno.test("eventMessages() keeps a row with a newline in a string on one line", () => {
  const [message] = eventMessages("events", [row("s1", "a", "https://shop.test/\n?x"), row("s1", "b")]);
  assertEquals(message.value.split("\n").length, 2);
  assertEquals(rowsOf(message.value)[0].url, "https://shop.test/\n?x");
});
