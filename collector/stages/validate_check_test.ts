// validate's fast check (lib/zod_check.ts compiled from the contract) must accept exactly what the
// contract's zod schemas accept: on every body of the hostile tables, and on valid events of each type
// with each field removed or replaced by values chosen to sit on and across the contract's limits.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { Batch, Event, EVENT_TYPES } from "../../contract/mod.ts";
import { compileCheck } from "../../lib/zod_check.ts";
import { event } from "../fixtures.ts";
import { hostileCases } from "./hostile_cases.ts";

const acceptsBatch = compileCheck(Batch);
const acceptsEvent = compileCheck(Event);

/** Values that disagree with the contract in every way it can be disagreed with, and some that agree. */
const text = (n: number, unit = "x") => unit.repeat(n);
const ITEM = { product_id: "p1", quantity: 1, price: 1 };
const VALUES: unknown[] = [
  null,
  true,
  0,
  -0,
  -1,
  1,
  1.5,
  2 ** 53 - 1,
  2 ** 53,
  1e999,
  -1e999,
  9_999,
  10_000,
  10_001,
  1e6,
  1e6 + 0.01,
  1e10,
  1e10 + 1,
  "",
  "a",
  text(32),
  text(33),
  text(35),
  text(36),
  text(128),
  text(129),
  text(2048),
  text(2049),
  text(4096),
  text(4097),
  text(64, "😀"),
  text(65, "😀"),
  text(1025, "😀"),
  text(2049, "😀"),
  "\ud83d",
  "EUR",
  "eur",
  "EURO",
  "page_view",
  "purchase",
  "add_to_cart",
  "checkout",
  "00000000-0000-4000-8000-000000000001",
  "00000000-0000-0000-0000-000000000000",
  "00000000-0000-9000-8000-000000000001",
  "not-a-uuid",
  [],
  [ITEM],
  [{ ...ITEM, quantity: 0 }],
  [{ ...ITEM, quantity: 1.5 }],
  [{ ...ITEM, price: -1 }],
  [{ product_id: "", quantity: 1, price: 1 }],
  Array(201).fill(ITEM),
  {},
  { a: 1 },
  { [text(129)]: 1 },
  { a: { b: { c: 1 } } },
  ["a"],
];

const fields = new Set<string>(["extra"]);
for (const option of Event.options) for (const key of Object.keys(option.shape)) fields.add(key);

function* mutated(): Generator<unknown> {
  for (const type of EVENT_TYPES) {
    const base = event(type);
    yield base;
    for (const field of fields) {
      const { [field]: _, ...without } = base;
      yield without;
      for (const value of VALUES) yield { ...base, [field]: value };
    }
  }
}

Deno.test("the compiled check accepts exactly the events zod accepts, field by field across the limits", () => {
  let accepted = 0;
  let total = 0;
  for (const raw of mutated()) {
    const zod = Event.safeParse(raw).success;
    assertEquals(acceptsEvent(raw), zod, JSON.stringify(raw)?.slice(0, 300));
    accepted += zod ? 1 : 0;
    total++;
  }
  // Both answers occur plenty, so agreeing is not agreeing on "no".
  ok(accepted > 500 && total - accepted > 2000, `${accepted} accepted of ${total}`);
});

Deno.test("the compiled check agrees with zod on every body and event of the hostile tables", () => {
  let events = 0;
  for (const c of hostileCases) {
    let body: unknown = c.body;
    if (typeof body === "string") {
      try {
        body = JSON.parse(body);
      } catch {
        continue; // refused before validation
      }
    }
    assertEquals(acceptsBatch(body), Batch.safeParse(body).success, c.name);
    const list = (body as { events?: unknown } | null)?.events;
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      assertEquals(
        acceptsEvent(raw),
        Event.safeParse(raw).success,
        `${c.name}: ${JSON.stringify(raw)?.slice(0, 200)}`,
      );
      events++;
    }
  }
  ok(events > 100, `${events} events`);
});
