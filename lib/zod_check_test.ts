import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { z } from "zod";
import { compileCheck } from "./zod_check.ts";

Deno.test("compileCheck() refuses a kind it does not know, naming it, instead of guessing", () => {
  throws(() => compileCheck(z.object({ at: z.string().default("x") })), /'default' is not supported/);
  throws(() => compileCheck(z.string().trim()), /overwrite/);
});

Deno.test("compileCheck() answers as zod does for a union, a nullable and a record of strings", () => {
  const schema = z.object({
    n: z.union([z.number().int(), z.literal("none")]),
    r: z.record(z.string().max(2), z.string()).nullable(),
  });
  const check = compileCheck(schema);
  const inputs = [
    { n: 1, r: null },
    { n: "none", r: { ab: "x" } },
    { n: 1.5, r: null },
    { n: 1, r: { abc: "x" } },
    { n: 1, r: { ab: 1 } },
    { n: 1 },
    [],
  ];
  assertEquals(inputs.map(check), inputs.map((i) => schema.safeParse(i).success));
});
