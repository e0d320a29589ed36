// Hostile cases for the validate stage, each event between two valid ones: its shape, prototype
// pollution, props and time.
// Run by hostile_test.ts through the whole app; the fields are described in hostile.ts.
import { batch, event, NOW } from "../fixtures.ts";
import { around, good, type HostileCase, HOUR, keys, mid, nestedProps, rawEvent } from "./hostile.ts";

export const eventCases: HostileCase[] = [
  // --- event shape (each between two valid events)
  { category: "event", name: "event is null", body: mid(null), status: 202, event: "invalid_event" },
  { category: "event", name: "event is a number", body: mid(7), status: 202, event: "invalid_event" },
  {
    category: "event",
    name: "event is a string",
    body: mid("page_view"),
    status: 202,
    event: "invalid_event",
  },
  { category: "event", name: "event is an array", body: mid([event()]), status: 202, event: "invalid_event" },
  { category: "event", name: "event is empty", body: mid({}), status: 202, event: "invalid_event" },
  {
    category: "event",
    name: "unknown type",
    body: mid(event("page_view", { type: "checkout" })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "event",
    name: "type missing",
    body: mid({ ...event(), type: undefined }),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "event",
    name: "event_id not a UUID",
    body: mid(event("page_view", { event_id: "1" })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "event",
    name: "event_id SQL injection",
    body: mid(event("page_view", { event_id: "'; DROP TABLE events; --" })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "event",
    name: "session_id empty",
    body: mid(event("page_view", { session_id: "" })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "event",
    name: "session_id an object",
    body: mid(event("page_view", { session_id: { $ne: 1 } })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "event",
    name: "url empty",
    body: mid(event("page_view", { url: "" })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "event",
    name: "add_to_cart without product",
    body: mid({ ...event("add_to_cart"), product_id: undefined }),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "event",
    name: "purchase without items",
    body: mid({ ...event("purchase"), items: undefined }),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "event",
    name: "unknown fields are dropped, not published",
    body: mid(event("page_view", { ip: "1.2.3.4", admin: true })),
    status: 202,
    event: "accepted",
  },
  {
    category: "event",
    name: "HTML in the title is data, published as text",
    body: mid(event("page_view", { title: "<script>alert(1)</script>" })),
    status: 202,
    event: "accepted",
  },
  {
    category: "event",
    name: "event_id repeated in the same batch",
    body: `{"site":"shop","sent_at":${NOW},"events":[${
      JSON.stringify(event("page_view", { event_id: "00000000-0000-4000-8000-0000000000ff" }))
    },${
      JSON.stringify(event("page_view", { event_id: "00000000-0000-4000-8000-0000000000ff" }))
    },${good()}]}`,
    status: 202,
    event: "duplicate_event_id",
  },

  // --- prototype pollution
  {
    category: "prototype",
    name: "__proto__ at the event's top level",
    body: rawEvent(`"__proto__":{"isAdmin":true}`),
    status: 202,
    event: "forbidden_key",
  },
  {
    category: "prototype",
    name: "__proto__ in props",
    body: around(JSON.stringify(event()).slice(0, -1) + `,"props":{"__proto__":{"x":1}}}`),
    status: 202,
    event: "forbidden_key",
  },
  {
    category: "prototype",
    name: "__proto__ deep in props",
    body: around(JSON.stringify(event()).slice(0, -1) + `,"props":{"a":{"b":{"__proto__":1}}}}`),
    status: 202,
    event: "forbidden_key",
  },
  {
    category: "prototype",
    name: "constructor in props",
    body: mid(event("page_view", { props: { constructor: { prototype: 1 } } })),
    status: 202,
    event: "forbidden_key",
  },
  {
    category: "prototype",
    name: "prototype in props",
    body: mid(event("page_view", { props: { prototype: 1 } })),
    status: 202,
    event: "forbidden_key",
  },
  {
    category: "prototype",
    name: "constructor at the event's top level",
    body: rawEvent(`"constructor":{"name":"x"}`),
    status: 202,
    event: "forbidden_key",
  },
  {
    category: "prototype",
    name: "__proto__ in a purchase item",
    body: around(
      JSON.stringify(event("purchase")).replace(`"price":19.99}`, `"price":19.99,"__proto__":{"price":0}}`),
    ),
    status: 202,
    event: "forbidden_key",
  },
  {
    category: "prototype",
    name: "escaped __proto__ key (\\u005f)",
    body: rawEvent(`"\\u005f_proto__":{"x":1}`),
    status: 202,
    event: "forbidden_key",
  },

  // --- props
  {
    category: "props",
    name: "props nested 4 levels",
    body: mid(event("page_view", { props: nestedProps(4) })),
    status: 202,
    event: "payload_too_large",
  },
  {
    category: "props",
    name: "props nested 3 levels is fine",
    body: mid(event("page_view", { props: nestedProps(3) })),
    status: 202,
    event: "accepted",
  },
  {
    category: "props",
    name: "props with 51 keys",
    body: mid(event("page_view", { props: keys(51) })),
    status: 202,
    event: "payload_too_large",
  },
  {
    category: "props",
    name: "props of 5 KB",
    body: mid(event("page_view", { props: { blob: "x".repeat(5000) } })),
    status: 202,
    event: "payload_too_large",
  },
  {
    category: "props",
    name: "props an array",
    body: mid(event("page_view", { props: [1, 2] })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "props",
    name: "props null",
    body: mid(event("page_view", { props: null })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "props",
    name: "props key of 200 characters",
    body: mid(event("page_view", { props: { ["k".repeat(200)]: 1 } })),
    status: 202,
    event: "payload_too_large",
  },

  // --- time
  {
    category: "time",
    name: "ts 8 days old",
    body: mid(event("page_view", { ts: NOW - 8 * 24 * HOUR })),
    status: 202,
    event: "timestamp_out_of_range",
  },
  {
    category: "time",
    name: "ts 6 days old is kept (offline queue)",
    body: mid(event("page_view", { ts: NOW - 6 * 24 * HOUR })),
    status: 202,
    event: "accepted",
  },
  {
    category: "time",
    name: "ts a year in the future",
    body: mid(event("page_view", { ts: NOW + 365 * 24 * HOUR })),
    status: 202,
    event: "timestamp_out_of_range",
  },
  {
    category: "time",
    name: "ts 2 minutes after sent_at",
    body: mid(event("page_view", { ts: NOW + 2 * 60_000 })),
    status: 202,
    event: "timestamp_out_of_range",
  },
  {
    category: "time",
    name: "ts zero (1970)",
    body: mid(event("page_view", { ts: 0 })),
    status: 202,
    event: "timestamp_out_of_range",
  },
  {
    category: "time",
    name: "client clock 3 h fast is corrected, not refused",
    body: batch([event("page_view", { ts: NOW + 3 * HOUR - 1000 })], { sent_at: NOW + 3 * HOUR }),
    status: 202,
  },
  {
    category: "time",
    name: "client clock 10 years slow, event 'old' by its clock",
    body: batch([event("page_view", { ts: NOW - 3650 * 24 * HOUR })], {
      sent_at: NOW - 3650 * 24 * HOUR + 1000,
    }),
    status: 202,
  },
];
