import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { DeadlineError, OverdueSends } from "./overdue_sends.ts";
import type { SinkMessage } from "../sink.ts";

const msg = (i: number): SinkMessage => ({ topic: "t", key: `s${i}`, value: `v${i}` });

/** A Kafka client whose produces settle when the test says: each call is one pending promise. */
function heldProducer() {
  const calls: { values: string[]; deliver: () => void }[] = [];
  const produce = (messages: SinkMessage[]) =>
    new Promise<void>((resolve) => calls.push({ values: messages.map((m) => m.value), deliver: resolve }));
  return { calls, produce };
}

Deno.test("OverdueSends produces a batch delivered late by an overdue send only once, however the retries go", async () => {
  const { calls, produce } = heldProducer();
  const sends = new OverdueSends(produce, 30);
  const s = [msg(0), msg(1)];
  const t = [msg(2)];
  // The broker goes away: the live send of S passes its deadline (the spool takes S).
  await rejects(sends.send(s), DeadlineError);
  // The broker returns and S arrives after all; the replay of S and T finds S delivered, sends
  // T alone, and T passes its deadline too.
  calls[0].deliver();
  await rejects(sends.send([...s, ...t]), DeadlineError);
  // T arrives late as well: the next replay of the same lines has nothing left to produce.
  calls[1].deliver();
  assertEquals(await sends.send([...s, ...t]), { produced: 0 });
  assertEquals(calls.map((c) => c.values), [["v0", "v1"], ["v2"]]);
});

Deno.test("OverdueSends is busy while an overdue send has not settled, and produces nothing meanwhile", async () => {
  const { calls, produce } = heldProducer();
  const sends = new OverdueSends(produce, 20);
  await rejects(sends.send([msg(0)]), DeadlineError);
  assertEquals(await sends.send([msg(0), msg(1)]), "busy");
  calls[0].deliver();
  const next = sends.send([msg(0), msg(1)]);
  await new Promise((r) => setTimeout(r, 5));
  calls[1].deliver();
  assertEquals(await next, { produced: 1 });
  assertEquals(calls.map((c) => c.values), [["v0"], ["v1"]]);
});

Deno.test("OverdueSends.stuckForMs: the age of the oldest unanswered overdue send, 0 once it settles", async () => {
  const { calls, produce } = heldProducer();
  const sends = new OverdueSends(produce, 20);
  assertEquals(sends.stuckForMs(), 0);
  const before = performance.now();
  await rejects(sends.send([msg(0)]), DeadlineError);
  const stuck = sends.stuckForMs(before + 1000);
  assertEquals(stuck > 990 && stuck <= 1000, true, `stuck for ${stuck} ms`);
  assertEquals(await sends.send([msg(1)]), "busy");
  calls[0].deliver();
  await new Promise((r) => setTimeout(r, 0));
  assertEquals(sends.stuckForMs(), 0);
});

Deno.test("OverdueSends.held lists what unanswered sends hold; assumeDelivered keeps it from being produced again", async () => {
  const { calls, produce } = heldProducer();
  const sends = new OverdueSends(produce, 20);
  assertEquals(sends.held(), undefined);
  const before = Date.now();
  await rejects(sends.send([msg(0), msg(1)]), DeadlineError);
  const held = sends.held()!;
  assertEquals(held.messages.map((m) => m.value), ["v0", "v1"]);
  assertEquals(held.since >= before && held.since <= Date.now(), true);
  // A new producer's sends: Kafka was found to hold v0, so only v1 is produced.
  const fresh = new OverdueSends(produce, 20);
  fresh.assumeDelivered(["v0"]);
  const sending = fresh.send([msg(0), msg(1)]);
  calls[1].deliver();
  assertEquals(await sending, { produced: 1 });
  assertEquals(calls[1].values, ["v1"]);
});
