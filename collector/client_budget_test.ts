// The per-client budgets (COLLECTOR_IP_REQUESTS_PER_S before the body, a site's ip_requests_per_second
// in admit) against clients that change their address: an IPv6 client owns a whole /64, and a
// request may come without a usable address at all.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { batch, event, post, testApp } from "./fixtures.ts";
import { Sites } from "./clients/sites.ts";

const sites = Sites.parse({ sites: [{ id: "shop", ip_requests_per_second: 0.001, ip_burst: 2 }] });

/** Statuses of one request per forwarded address, in order; `undefined` sends no header. */
async function statuses(
  app: ReturnType<typeof testApp>["app"],
  addresses: (string | undefined)[],
): Promise<number[]> {
  const answers = [];
  for (const address of addresses) {
    const headers: Record<string, string> = address === undefined ? {} : { "x-forwarded-for": address };
    answers.push((await post(app, batch([event()]), { headers })).status);
  }
  return answers;
}

const cases: { name: string; addresses: (string | undefined)[]; expected: number[] }[] = [
  {
    name: "addresses of one IPv6 /64 share a budget",
    addresses: ["2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2:abcd::7"],
    expected: [202, 202, 429],
  },
  {
    name: "the next /64 has its own budget",
    addresses: ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:3::1"],
    expected: [202, 202, 202],
  },
  {
    name: "an IPv4-mapped IPv6 address is its IPv4 client",
    addresses: ["192.0.2.1", "::ffff:192.0.2.1", "::ffff:c000:201", "192.0.2.2"],
    expected: [202, 202, 429, 202],
  },
  {
    name: "requests without an address share one budget",
    addresses: [undefined, "", undefined],
    expected: [202, 202, 429],
  },
  {
    name: "values that are not addresses share the budget of no address",
    addresses: ["garbage-1", "garbage-2", undefined],
    expected: [202, 202, 429],
  },
];

for (const c of cases) {
  Deno.test(`a site's per-client budget: ${c.name}`, async () => {
    const { app } = testApp({ sites });
    assertEquals(await statuses(app, c.addresses), c.expected);
  });
  Deno.test(`the collector's per-client budget: ${c.name}`, async () => {
    const { app } = testApp({
      client: { ipHeader: "x-forwarded-for", ipRate: { perSecond: 0.001, burst: 2 } },
    });
    assertEquals(await statuses(app, c.addresses), c.expected);
  });
}
