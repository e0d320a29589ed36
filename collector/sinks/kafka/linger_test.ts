import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Linger } from "./linger.ts";
import type { PublishOutcome, SinkMessage } from "../sink.ts";

const message = (value: string): SinkMessage => ({ topic: "t", key: "k", value });

/** A send whose answers the test releases, recording what each produce held. */
function heldSend() {
  const sends: string[][] = [];
  const release: (() => void)[] = [];
  const send = (messages: SinkMessage[]) =>
    new Promise<PublishOutcome[]>((resolve) => {
      sends.push(messages.map((m) => m.value));
      release.push(() => resolve(messages.map(() => "ok")));
    });
  return { sends, release, send };
}

Deno.test("Linger sends what one turn of the event loop gathered at once when no produce is in flight", async () => {
  const { sends, release, send } = heldSend();
  const linger = new Linger(send, { lingerMs: 10_000, maxBatch: 100 });
  const a = linger.publish([message("a")]);
  const b = linger.publish([message("b")]);
  await new Promise((r) => setTimeout(r, 5));
  assertEquals(sends, [["a", "b"]], "sent without waiting for lingerMs, in one produce");
  release[0]();
  assertEquals(await Promise.all([a, b]), [["ok"], ["ok"]]);
});

Deno.test("Linger gathers while a produce is in flight and sends the rest when it is answered", async () => {
  const { sends, release, send } = heldSend();
  const linger = new Linger(send, { lingerMs: 10_000, maxBatch: 100 });
  const first = linger.publish([message("a")]);
  await new Promise((r) => setTimeout(r, 5));
  const later = [linger.publish([message("b")]), linger.publish([message("c"), message("d")])];
  await new Promise((r) => setTimeout(r, 5));
  assertEquals(sends, [["a"]], "b, c and d wait for the produce in flight");
  release[0]();
  await first;
  await new Promise((r) => setTimeout(r, 5));
  assertEquals(sends, [["a"], ["b", "c", "d"]]);
  release[1]();
  assertEquals(await Promise.all(later), [["ok"], ["ok", "ok"]]);
});

Deno.test("Linger sends at lingerMs or maxBatch even while a produce is in flight", async () => {
  const { sends, send } = heldSend();
  const linger = new Linger(send, { lingerMs: 20, maxBatch: 3 });
  linger.publish([message("a")]);
  await new Promise((r) => setTimeout(r, 5));
  linger.publish([message("b")]);
  await new Promise((r) => setTimeout(r, 40));
  assertEquals(sends, [["a"], ["b"]], "b went at lingerMs");
  linger.publish([message("c"), message("d"), message("e")]);
  assertEquals(sends, [["a"], ["b"], ["c", "d", "e"]], "a full batch goes at once");
});
