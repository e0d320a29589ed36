// mayHoldBadText decides, from the body's text, whether validate walks every key and string of the
// events for control characters, unpaired surrogates and reserved keys. Saying "no" where the walk would
// find something would publish such an event: the hostile tables are the cases (hostile_test.ts runs
// them through the app); saying "yes" for ordinary batches would only lose the cut, checked here too.
import { ok } from "node:assert/strict";
import { EVENT_TYPES } from "../../contract/mod.ts";
import { batch, event } from "../fixtures.ts";
import { hostileCases } from "./hostile_cases.ts";
import { mayHoldBadText } from "./validate.ts";

const textOf = (body: unknown) => typeof body === "string" ? body : JSON.stringify(body);

Deno.test("mayHoldBadText() is true for every hostile body refused for its keys or text", () => {
  const cases = hostileCases.filter((c) => c.event === "invalid_text" || c.event === "forbidden_key");
  ok(cases.length >= 15, `only ${cases.length} cases`);
  for (const c of cases) ok(mayHoldBadText(textOf(c.body)), c.name);
});

Deno.test("mayHoldBadText() is false for ordinary batches: titles with quotes, tabs, newlines, emoji", () => {
  const events = EVENT_TYPES.map((type) => event(type));
  events.push(
    event("page_view", { title: 'Say "hi"\tnow\r\n😀 ünïcode', url: "https://shop.test/a?b=c\\d" }),
  );
  ok(!mayHoldBadText(JSON.stringify(batch(events))));
});

Deno.test("mayHoldBadText() looks at a \\u escape even after an escaped backslash", () => {
  ok(mayHoldBadText(JSON.stringify({ title: "\\u0041" }))); // the text holds \\u0041: a harmless "\u0041"
  ok(mayHoldBadText('{"title":"\\u0001"}'));
});
