import assert from "node:assert/strict";
import { z } from "zod";
import { Rng } from "./rng.ts";

Deno.test("Rng gives the same sequence for the same seed and another for another seed", () => {
  const draw = (seed: number) => Array.from({ length: 5 }, new Rng(seed).uint32.bind(new Rng(seed)));
  const a = new Rng(7), b = new Rng(7), c = new Rng(8);
  const seqA = Array.from({ length: 20 }, () => a.next());
  assert.deepEqual(seqA, Array.from({ length: 20 }, () => b.next()));
  assert.notDeepEqual(seqA, Array.from({ length: 20 }, () => c.next()));
  assert.equal(draw(1).length, 5);
});

Deno.test("Rng.uuid() produces RFC 9562 version 4 UUIDs the contract accepts", () => {
  const rng = new Rng(1);
  for (let i = 0; i < 1_000; i++) assert.ok(z.uuid().safeParse(rng.uuid()).success);
});

Deno.test("Rng.int() stays within bounds and reaches both ends", () => {
  const rng = new Rng(3);
  const seen = new Set<number>();
  for (let i = 0; i < 1_000; i++) seen.add(rng.int(1, 3));
  assert.deepEqual([...seen].sort(), [1, 2, 3]);
});
