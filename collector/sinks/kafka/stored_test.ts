import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { HeldLines } from "./stored.ts";

Deno.test("HeldLines: a message is held once all its lines were read back, in one record or several", () => {
  const a = { topic: "events", key: "shop:a", value: "a1\na2" };
  const b = { topic: "events", key: "shop:b", value: "b1" };
  const c = { topic: "events", key: "shop:c", value: "c1\nc2" };
  const lines = new HeldLines([a, b, c]);
  lines.see("x\na1\nb1"); // joined with a line of another producer's message
  assertEquals(lines.held(), new Set(["b1"]));
  lines.see("a2\nc1");
  assertEquals(lines.held(), new Set(["a1\na2", "b1"]));
});
