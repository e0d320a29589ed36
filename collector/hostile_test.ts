// The hostile-input suite: malformed and malicious requests through the real app on a memory
// sink with a fixed clock. Each case states the answer it must get; none may get a 5xx. Cases
// about one event embed it between two valid events, and those two must be published.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { batch, event, NOW, post, testApp, TOPICS } from "./fixtures.ts";
import { Sites } from "./sites.ts";
import { rowsOf } from "../contract/mod.ts";

type Case = {
  category: string;
  name: string;
  /** The body as sent: a string is sent verbatim, anything else as JSON. */
  body: unknown;
  headers?: Record<string, string>;
  path?: string;
  status: number;
  /** The request error's code, for whole-request refusals. */
  code?: string;
  /** For one hostile event between two valid ones: "accepted" or its event error code. */
  event?: string;
};

const KEY = "wk_locked_0123456789abcdef";
const sites = Sites.parse({
  sites: [
    { id: "shop", origins: ["https://shop.test", "https://*.shop.test"] },
    { id: "locked", write_key: KEY, origins: ["*"] },
    { id: "tiny", events_per_second: 1, burst: 3, ip_requests_per_second: 1, ip_burst: 100 },
    { id: "perip", ip_requests_per_second: 0.001, ip_burst: 1 },
  ],
});

const MB = 1024 * 1024;
const good = () => JSON.stringify(event());
/** A batch whose middle event is the given JSON text, between two valid events. */
const around = (raw: string) => `{"site":"shop","sent_at":${NOW},"events":[${good()},${raw},${good()}]}`;
const mid = (e: unknown) => around(JSON.stringify(e));
const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
const nestedProps = (levels: number) => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { k: v };
  return v;
};
const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ product_id: `p${i}`, quantity: 1, price: 1 }));
const HOUR = 3_600_000;

const rawEvent = (fields: string) => around(`{${JSON.stringify(event()).slice(1, -1)},${fields}}`);

const cases: Case[] = [
  // --- transport: media types, encodings, sizes
  {
    category: "transport",
    name: "no content type",
    body: batch([event()]),
    headers: { "Content-Type": "" },
    status: 415,
    code: "unsupported_media_type",
  },
  {
    category: "transport",
    name: "form encoded",
    body: "site=shop",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    status: 415,
    code: "unsupported_media_type",
  },
  {
    category: "transport",
    name: "multipart",
    body: "--x",
    headers: { "Content-Type": "multipart/form-data; boundary=x" },
    status: 415,
    code: "unsupported_media_type",
  },
  {
    category: "transport",
    name: "xml",
    body: "<batch/>",
    headers: { "Content-Type": "application/xml" },
    status: 415,
    code: "unsupported_media_type",
  },
  {
    category: "transport",
    name: "latin-1 charset",
    body: batch([event()]),
    headers: { "Content-Type": "text/plain; charset=iso-8859-1" },
    status: 415,
    code: "unsupported_media_type",
  },
  {
    category: "transport",
    name: "brotli encoding",
    body: batch([event()]),
    headers: { "Content-Encoding": "br" },
    status: 415,
    code: "unsupported_media_type",
  },
  {
    category: "transport",
    name: "deflate encoding",
    body: batch([event()]),
    headers: { "Content-Encoding": "deflate" },
    status: 415,
    code: "unsupported_media_type",
  },
  {
    category: "transport",
    name: "gzip header on a plain body",
    body: JSON.stringify(batch([event()])),
    headers: { "Content-Encoding": "gzip" },
    status: 400,
    code: "invalid_payload",
  },
  {
    category: "transport",
    name: "truncated gzip",
    body: gzipSync(JSON.stringify(batch([event()]))).subarray(0, 20),
    headers: { "Content-Encoding": "gzip" },
    status: 400,
    code: "invalid_payload",
  },
  {
    category: "transport",
    name: "gzip bomb (1 KB to 10 MB)",
    body: gzipSync(" ".repeat(10 * MB)),
    headers: { "Content-Encoding": "gzip" },
    status: 413,
    code: "payload_too_large",
  },
  {
    category: "transport",
    name: "gzip of 600 KB of valid-looking JSON",
    body: gzipSync(
      JSON.stringify(
        batch([event("page_view", { title: "x".repeat(2000) })], { pad: "x".repeat(600 * 1024) }),
      ),
    ),
    headers: { "Content-Encoding": "gzip" },
    status: 413,
    code: "payload_too_large",
  },
  {
    category: "transport",
    name: "body over 512 KB",
    body: JSON.stringify(batch([event()], { pad: "x".repeat(513 * 1024) })),
    status: 413,
    code: "payload_too_large",
  },
  {
    category: "transport",
    name: "Content-Length claiming 1 GB",
    body: "{}",
    headers: { "Content-Length": String(1024 * MB) },
    status: 413,
    code: "payload_too_large",
  },
  { category: "transport", name: "empty body", body: "", status: 400, code: "invalid_json" },
  {
    category: "transport",
    name: "invalid UTF-8 bytes",
    body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    status: 400,
    code: "invalid_json",
  },
  {
    category: "transport",
    name: "overlong UTF-8 encoding of '/'",
    body: new Uint8Array([0x22, 0xc0, 0xaf, 0x22]),
    status: 400,
    code: "invalid_json",
  },
  {
    category: "transport",
    name: "UTF-16 body",
    body: new Uint8Array([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
    status: 400,
    code: "invalid_json",
  },
  {
    category: "transport",
    name: "gzip-compressed valid batch is accepted",
    body: gzipSync(JSON.stringify(batch([event()]))),
    headers: { "Content-Encoding": "gzip" },
    status: 202,
  },
  {
    category: "transport",
    name: "application/json with charset is accepted",
    body: batch([event()]),
    headers: { "Content-Type": "application/json; charset=UTF-8" },
    status: 202,
  },
  {
    category: "transport",
    name: "GET on the batch route",
    body: undefined,
    path: "GET /v1/batch",
    status: 404,
    code: "not_found",
  },
  {
    category: "transport",
    name: "unknown route",
    body: batch([event()]),
    path: "/v2/batch",
    status: 404,
    code: "not_found",
  },

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

  // --- envelope
  { category: "envelope", name: "array body", body: [event()], status: 400, code: "invalid_payload" },
  { category: "envelope", name: "null body", body: "null", status: 400, code: "invalid_payload" },
  { category: "envelope", name: "number body", body: "42", status: 400, code: "invalid_payload" },
  { category: "envelope", name: "string body", body: '"hello"', status: 400, code: "invalid_payload" },
  { category: "envelope", name: "empty object", body: {}, status: 400, code: "invalid_payload" },
  {
    category: "envelope",
    name: "missing site",
    body: { sent_at: NOW, events: [event()] },
    status: 400,
    code: "invalid_payload",
  },
  {
    category: "envelope",
    name: "site with uppercase and spaces",
    body: batch([event()], { site: "My Shop" }),
    status: 400,
    code: "invalid_payload",
  },
  {
    category: "envelope",
    name: "site with path traversal",
    body: batch([event()], { site: "../etc" }),
    status: 400,
    code: "invalid_payload",
  },
  {
    category: "envelope",
    name: "site 65 characters",
    body: batch([event()], { site: "a".repeat(65) }),
    status: 400,
    code: "invalid_payload",
  },
  {
    category: "envelope",
    name: "site as number",
    body: batch([event()], { site: 7 }),
    status: 400,
    code: "invalid_payload",
  },
  {
    category: "envelope",
    name: "sent_at missing",
    body: { site: "shop", events: [event()] },
    status: 400,
    code: "invalid_payload",
  },
  {
    category: "envelope",
    name: "sent_at negative",
    body: batch([event()], { sent_at: -1 }),
    status: 400,
    code: "invalid_payload",
  },
  {
    category: "envelope",
    name: "sent_at as string",
    body: batch([event()], { sent_at: String(NOW) }),
    status: 400,
    code: "invalid_payload",
  },
  {
    category: "envelope",
    name: "sent_at fractional",
    body: batch([event()], { sent_at: NOW + 0.5 }),
    status: 400,
    code: "invalid_payload",
  },
  {
    category: "envelope",
    name: "sent_at 1e300",
    body: batch([event()], { sent_at: 1e300 }),
    status: 400,
    code: "invalid_payload",
  },
  {
    category: "envelope",
    name: "sent_at overflowing to Infinity (1e999)",
    body: `{"site":"shop","sent_at":1e999,"events":[${good()}]}`,
    status: 400,
    code: "invalid_payload",
  },
  {
    category: "envelope",
    name: "events missing",
    body: { site: "shop", sent_at: NOW },
    status: 400,
    code: "invalid_payload",
  },
  { category: "envelope", name: "events empty", body: batch([]), status: 400, code: "invalid_payload" },
  {
    category: "envelope",
    name: "events an object",
    body: batch({ 0: event() } as unknown as unknown[]),
    status: 400,
    code: "invalid_payload",
  },
  {
    category: "envelope",
    name: "501 events",
    body: batch(Array.from({ length: 501 }, () => ({}))),
    status: 413,
    code: "payload_too_large",
  },
  {
    category: "envelope",
    name: "100 000 tiny events",
    body: `{"site":"shop","sent_at":${NOW},"events":[${"0,".repeat(99_999)}0]}`,
    status: 413,
    code: "payload_too_large",
  },
  {
    category: "envelope",
    name: "__proto__ key in the envelope is ignored",
    body: `{"__proto__":{"polluted":1},"site":"shop","sent_at":${NOW},"events":[${good()}]}`,
    status: 202,
  },
  {
    category: "envelope",
    name: "unknown envelope fields are ignored (SDK's dropped count)",
    body: batch([event()], { dropped: 3, extra: { a: 1 } }),
    status: 202,
  },

  // --- sites, keys, origins, rates
  {
    category: "site",
    name: "unknown site",
    body: batch([event()], { site: "nope" }),
    status: 401,
    code: "unknown_site",
  },
  {
    category: "site",
    name: "write key missing",
    body: batch([event()], { site: "locked" }),
    status: 401,
    code: "unknown_site",
  },
  {
    category: "site",
    name: "write key wrong",
    body: batch([event()], { site: "locked" }),
    path: "/v1/batch?key=wk_locked_0123456789abcdeX",
    status: 401,
    code: "unknown_site",
  },
  {
    category: "site",
    name: "write key of the right length but empty-padded",
    body: batch([event()], { site: "locked" }),
    headers: { "X-Shoptrail-Key": " ".repeat(KEY.length) },
    status: 401,
    code: "unknown_site",
  },
  {
    category: "site",
    name: "write key in the query is accepted",
    body: batch([event()], { site: "locked" }),
    path: `/v1/batch?key=${KEY}`,
    status: 202,
  },
  {
    category: "site",
    name: "write key in the header is accepted",
    body: batch([event()], { site: "locked" }),
    headers: { "X-Shoptrail-Key": KEY },
    status: 202,
  },
  {
    category: "site",
    name: "foreign origin",
    body: batch([event()]),
    headers: { Origin: "https://evil.test" },
    status: 403,
    code: "origin_not_allowed",
  },
  {
    category: "site",
    name: "look-alike origin suffix",
    body: batch([event()]),
    headers: { Origin: "https://shop.test.evil.test" },
    status: 403,
    code: "origin_not_allowed",
  },
  {
    category: "site",
    name: "origin with another scheme",
    body: batch([event()]),
    headers: { Origin: "http://shop.test" },
    status: 403,
    code: "origin_not_allowed",
  },
  {
    category: "site",
    name: "null origin (sandboxed iframe)",
    body: batch([event()]),
    headers: { Origin: "null" },
    status: 403,
    code: "origin_not_allowed",
  },
  {
    category: "site",
    name: "wildcard subdomain origin is accepted",
    body: batch([event()]),
    headers: { Origin: "https://eu.shop.test" },
    status: 202,
  },
  {
    category: "site",
    name: "batch larger than the site's burst",
    body: batch([event(), event(), event(), event()], { site: "tiny" }),
    status: 429,
    code: "rate_limited",
  },
  {
    category: "site",
    name: "second request from one client over its per-IP budget",
    body: batch([event()], { site: "perip" }),
    headers: { "x-forwarded-for": "198.51.100.7" },
    status: 429,
    code: "rate_limited",
  },

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

  // --- numbers
  {
    category: "numbers",
    name: "price 1e999 (Infinity after parsing)",
    body: around(JSON.stringify(event("add_to_cart")).replace('"price":19.99', '"price":1e999')),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "numbers",
    name: "price negative",
    body: mid(event("add_to_cart", { price: -5 })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "numbers",
    name: "price over a million",
    body: mid(event("add_to_cart", { price: 1_000_001 })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "numbers",
    name: "price as a string",
    body: mid(event("add_to_cart", { price: "19.99" })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "numbers",
    name: "price -0 counts as zero",
    body: around(JSON.stringify(event("add_to_cart")).replace('"price":19.99', '"price":-0')),
    status: 202,
    event: "accepted",
  },
  {
    category: "numbers",
    name: "quantity zero",
    body: mid(event("add_to_cart", { quantity: 0 })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "numbers",
    name: "quantity fractional",
    body: mid(event("add_to_cart", { quantity: 1.5 })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "numbers",
    name: "quantity a billion",
    body: mid(event("add_to_cart", { quantity: 1e9 })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "numbers",
    name: "quantity 2^53 + 1",
    body: around(JSON.stringify(event("add_to_cart")).replace('"quantity":2', '"quantity":9007199254740993')),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "numbers",
    name: "revenue negative",
    body: mid(event("purchase", { revenue: -39.98 })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "numbers",
    name: "item price negative",
    body: mid(event("purchase", { items: [{ product_id: "p1", quantity: 1, price: -1 }] })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "numbers",
    name: "ts negative",
    body: mid(event("page_view", { ts: -1 })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "numbers",
    name: "ts fractional",
    body: mid(event("page_view", { ts: NOW - 0.5 })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "numbers",
    name: "ts 1e300",
    body: mid(event("page_view", { ts: 1e300 })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "numbers",
    name: "ts in seconds, not milliseconds",
    body: mid(event("page_view", { ts: Math.floor(NOW / 1000) })),
    status: 202,
    event: "timestamp_out_of_range",
  },

  // --- text
  {
    category: "text",
    name: "NUL in the url (escaped)",
    body: mid(event("page_view", { url: "https://shop.test/\u0000" })),
    status: 202,
    event: "invalid_text",
  },
  {
    category: "text",
    name: "ESC sequence in the title",
    body: mid(event("page_view", { title: "\u001b[31mred" })),
    status: 202,
    event: "invalid_text",
  },
  {
    category: "text",
    name: "DEL in a product id",
    body: mid(event("add_to_cart", { product_id: "p\u007f" })),
    status: 202,
    event: "invalid_text",
  },
  {
    category: "text",
    name: "unpaired high surrogate",
    body: around(JSON.stringify(event()).slice(0, -1) + `,"title":"\\ud800x"}`),
    status: 202,
    event: "invalid_text",
  },
  {
    category: "text",
    name: "unpaired low surrogate in props value",
    body: around(JSON.stringify(event()).slice(0, -1) + `,"props":{"a":"\\udc00"}}`),
    status: 202,
    event: "invalid_text",
  },
  {
    category: "text",
    name: "control character in a props key",
    body: mid(event("page_view", { props: { "a\u0002": 1 } })),
    status: 202,
    event: "invalid_text",
  },
  {
    category: "text",
    name: "tab and newline in a title are kept",
    body: mid(event("page_view", { title: "a\tb\nc" })),
    status: 202,
    event: "accepted",
  },
  {
    category: "text",
    name: "emoji and right-to-left text are kept",
    body: mid(event("page_view", { title: "🛒 سلة" })),
    status: 202,
    event: "accepted",
  },
  {
    category: "text",
    name: "url of 5000 characters",
    body: mid(event("page_view", { url: "https://shop.test/" + "a".repeat(5000) })),
    status: 202,
    event: "payload_too_large",
  },
  {
    category: "text",
    name: "title of 3000 characters",
    body: mid(event("page_view", { title: "t".repeat(3000) })),
    status: 202,
    event: "payload_too_large",
  },
  {
    category: "text",
    name: "session id of 200 characters",
    body: mid(event("page_view", { session_id: "s".repeat(200) })),
    status: 202,
    event: "payload_too_large",
  },
  {
    category: "text",
    name: "currency lowercase",
    body: mid(event("add_to_cart", { currency: "eur" })),
    status: 202,
    event: "invalid_event",
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

  // --- commerce
  {
    category: "commerce",
    name: "revenue far above the items",
    body: mid(event("purchase", { revenue: 100_000 })),
    status: 202,
    event: "revenue_mismatch",
  },
  {
    category: "commerce",
    name: "revenue with tax and shipping is fine",
    body: mid(event("purchase", { revenue: 49.99 })),
    status: 202,
    event: "accepted",
  },
  {
    category: "commerce",
    name: "revenue zero (100 % coupon) is fine",
    body: mid(event("purchase", { revenue: 0 })),
    status: 202,
    event: "accepted",
  },
  {
    category: "commerce",
    name: "no items",
    body: mid(event("purchase", { items: [] })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "commerce",
    name: "201 items",
    body: mid(event("purchase", { items: items(201), revenue: 201 })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "commerce",
    name: "item quantity zero",
    body: mid(event("purchase", { items: [{ product_id: "p1", quantity: 0, price: 1 }] })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "commerce",
    name: "currency not ISO 4217",
    body: mid(event("purchase", { currency: "EURO" })),
    status: 202,
    event: "invalid_event",
  },
  {
    category: "commerce",
    name: "order id missing",
    body: mid({ ...event("purchase"), order_id: undefined }),
    status: 202,
    event: "invalid_event",
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

Deno.test(`hostile input: ${cases.length} cases, none answered with a 5xx, each with its own code`, async (t) => {
  ok(cases.length >= 100, `only ${cases.length} cases`);
  assertEquals(new Set(cases.map((c) => c.name)).size, cases.length, "case names are distinct");
  for (const c of cases) {
    await t.step(`${c.category}: ${c.name}`, async () => {
      const { app, sink } = testApp({ sites });
      if (c.name.startsWith("second request")) {
        await post(app, JSON.stringify(c.body), { headers: c.headers });
      }
      const [method, path] = c.path?.startsWith("GET ")
        ? ["GET", c.path.slice(4)]
        : ["POST", c.path ?? "/v1/batch"];
      const response = method === "GET" ? await app.request(path) : await post(
        app,
        c.body instanceof Uint8Array || typeof c.body === "string" ? c.body : JSON.stringify(c.body),
        {
          path,
          headers: c.headers,
        },
      );
      ok(response.status < 500, `answered ${response.status}`);
      const body = await response.json();
      assertEquals(response.status, c.status, JSON.stringify(body));
      if (c.code) {
        assertEquals(body.error.code, c.code);
        ok(typeof body.error.message === "string" && body.error.message.length > 10);
        if (c.code === "rate_limited") ok(Number(response.headers.get("Retry-After")) >= 1);
      }
      if (c.status === 202) {
        const published = new Set(
          sink.messages.filter((m) => m.topic === TOPICS.events).flatMap((m) => rowsOf(m.value)).map((r) =>
            r.event_id
          ),
        );
        for (const r of body.results) {
          if (r.status === "accepted") {
            ok(published.has(r.event_id), `event ${r.index} accepted but not published`);
          }
        }
        if (c.event) {
          assertEquals(body.results.length, 3);
          assertEquals([body.results[0].status, body.results[2].status], ["accepted", "accepted"]);
          assertEquals(body.results[1].code ?? body.results[1].status, c.event);
          const dlq = sink.messages.filter((m) => m.topic === TOPICS.dlq).map((m) => JSON.parse(m.value));
          assertEquals(dlq.map((d) => d.code), c.event === "accepted" ? [] : [c.event]);
        } else assertEquals(body.rejected, 0, JSON.stringify(body.results));
      }
      for (const m of sink.messages) {
        ok(!m.value.includes("polluted"), "nothing from a __proto__ key is published");
      }
    });
  }
  ok(!("polluted" in {}), "Object.prototype untouched");
  ok(!("isAdmin" in {}), "Object.prototype untouched");
});

Deno.test("hostile input: categories", () => {
  const counts = Object.groupBy(cases, (c) => c.category);
  console.log(Object.entries(counts).map(([k, v]) => `${k}: ${v!.length}`).join(", "));
});
