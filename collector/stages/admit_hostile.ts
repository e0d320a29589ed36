// Hostile cases for the admit stage: sites, write keys, origins, rates.
// Run by hostile_test.ts through the whole app; the fields are described in hostile.ts.
import { batch, event } from "../fixtures.ts";
import { type HostileCase, KEY } from "./hostile.ts";

export const admitCases: HostileCase[] = [
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
    secondRequest: true,
    body: batch([event()], { site: "perip" }),
    headers: { "x-forwarded-for": "198.51.100.7" },
    status: 429,
    code: "rate_limited",
  },
];
