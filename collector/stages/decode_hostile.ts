// Hostile cases for the decode stage: JSON syntax and nesting, and duplicate keys (last wins;
// what is published is re-serialized, so no parser disagrees).
// Run by hostile_test.ts through the whole app; the fields are described in hostile.ts.
import { batch, event, NOW } from "../fixtures.ts";
import { around, deep, good, type HostileCase, mid, nestedProps } from "./hostile.ts";

export const decodeCases: HostileCase[] = [
  // --- JSON syntax
  {
    category: "json",
    name: "NaN literal",
    body: `{"site":"shop","sent_at":NaN,"events":[]}`,
    status: 400,
    code: "invalid_json",
  },
  {
    category: "json",
    name: "Infinity literal",
    body: `{"site":"shop","sent_at":Infinity,"events":[]}`,
    status: 400,
    code: "invalid_json",
  },
  {
    category: "json",
    name: "-Infinity literal in an event",
    body: around(`{"price":-Infinity}`),
    status: 400,
    code: "invalid_json",
  },
  {
    category: "json",
    name: "trailing comma",
    body: `{"site":"shop","sent_at":1,"events":[1,],}`,
    status: 400,
    code: "invalid_json",
  },
  { category: "json", name: "comment", body: `{/* hi */"site":"shop"}`, status: 400, code: "invalid_json" },
  { category: "json", name: "single quotes", body: `{'site':'shop'}`, status: 400, code: "invalid_json" },
  { category: "json", name: "unquoted key", body: `{site:"shop"}`, status: 400, code: "invalid_json" },
  {
    category: "json",
    name: "raw control character in a string",
    body: around(`{"title":"a\u0001b"}`),
    status: 400,
    code: "invalid_json",
  },
  {
    category: "json",
    name: "raw newline in a string",
    body: around(`{"title":"a\nb"}`),
    status: 400,
    code: "invalid_json",
  },
  {
    category: "json",
    name: "two JSON documents",
    body: `${JSON.stringify(batch([event()]))}${JSON.stringify(batch([event()]))}`,
    status: 400,
    code: "invalid_json",
  },
  {
    category: "json",
    name: "truncated document",
    body: JSON.stringify(batch([event()])).slice(0, -5),
    status: 400,
    code: "invalid_json",
  },
  {
    category: "json",
    name: "hex number",
    body: `{"site":"shop","sent_at":0x10,"events":[]}`,
    status: 400,
    code: "invalid_json",
  },
  {
    category: "json",
    name: "nesting 10 000 deep",
    body: deep(10_000),
    status: 413,
    code: "payload_too_large",
  },
  {
    category: "json",
    name: "nesting 17 deep inside props",
    body: mid(event("page_view", { props: nestedProps(15) })),
    status: 413,
    code: "payload_too_large",
  },
  {
    category: "json",
    name: "brackets inside strings do not count as nesting",
    body: mid(event("page_view", { title: "[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{" })),
    status: 202,
    event: "accepted",
  },
  {
    category: "json",
    name: "escaped quote before brackets",
    body: mid(event("page_view", { title: '\\"[[[[[[[[[[[[[[[[[[[[[[' })),
    status: 202,
    event: "accepted",
  },
  {
    category: "json",
    name: "an escaped backslash ends the string: the nesting after it counts",
    body: mid(event("page_view", { title: "a\\", props: nestedProps(15) })),
    status: 413,
    code: "payload_too_large",
  },
  {
    category: "json",
    name: "a title of backslashes and a quote: the brackets after it are text",
    body: mid(event("page_view", { title: '\\\\\\"[[[[[[[[[[[[[[[[[[[[' })),
    status: 202,
    event: "accepted",
  },

  // --- duplicate keys (last wins; what is published is re-serialized, so no parser disagrees)
  {
    category: "duplicate keys",
    name: "price given twice, valid last",
    body: around(JSON.stringify(event("add_to_cart")).replace('"price":19.99', '"price":-1,"price":19.99')),
    status: 202,
    event: "accepted",
  },
  {
    category: "duplicate keys",
    name: "price given twice, invalid last",
    body: around(JSON.stringify(event("add_to_cart")).replace('"price":19.99', '"price":19.99,"price":-1')),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "duplicate keys",
    name: "type given twice",
    body: around(
      JSON.stringify(event("page_view")).replace(
        '"type":"page_view"',
        '"type":"purchase","type":"page_view"',
      ),
    ),
    status: 202,
    event: "accepted",
  },
  {
    category: "duplicate keys",
    name: "site given twice in the envelope",
    body: `{"site":"nope","site":"shop","sent_at":${NOW},"events":[${good()}]}`,
    status: 202,
  },
];
