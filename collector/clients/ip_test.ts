import { deepStrictEqual as assertEquals, notStrictEqual, ok } from "node:assert/strict";
import { clientNetwork, IpHasher, truncateIp } from "./ip.ts";

Deno.test("truncateIp() keeps an IPv4 /24 and an IPv6 /48, and nothing of anything else", () => {
  assertEquals(truncateIp("203.0.113.77"), "203.0.113.0");
  assertEquals(truncateIp("::ffff:203.0.113.77"), "203.0.113.0");
  assertEquals(truncateIp("2001:db8:85a3:8d3:1319:8a2e:370:7348"), "2001:db8:85a3::");
  assertEquals(truncateIp("2001:db8::1"), "2001:db8:0::");
  assertEquals(truncateIp("fe80::1%eth0"), "fe80:0:0::");
  assertEquals(truncateIp("not an ip"), "");
  assertEquals(truncateIp(""), "");
  assertEquals(truncateIp("::ffff:c000:2ff"), "192.0.2.0");
  assertEquals(truncateIp("[2001:db8::1]:443"), "2001:db8:0::");
  assertEquals(truncateIp("1:2:3:4:5:6:7::8:9"), "", "nine groups (this threw a RangeError: a 500)");
});

Deno.test("clientNetwork() is an IPv4 address, an IPv6 /64, or 'unknown'", () => {
  const cases: [string, string][] = [
    ["203.0.113.77", "203.0.113.77"],
    ["203.0.113.77:51234", "203.0.113.77"],
    ["::ffff:203.0.113.77", "203.0.113.77"],
    ["::FFFF:CB00:714D", "203.0.113.77"],
    ["2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3:8d3::/64"],
    ["[2001:db8:85a3:8d3::1]:443", "2001:db8:85a3:8d3::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["64:ff9b::192.0.2.1", "64:ff9b:0:0::/64"],
    ["", "unknown"],
    ["unknown", "unknown"],
    ["203.0.113.256", "unknown"],
    ["2001:db8::1::2", "unknown"],
    ["1:2:3:4:5:6:7:8::", "unknown"],
    ["::ffff:192.0.2", "unknown"],
  ];
  for (const [ip, network] of cases) assertEquals(clientNetwork(ip), network, ip);
});

Deno.test("IpHasher.hash() is stable within a day and changes with the day and the secret", async () => {
  const day = Date.UTC(2025, 0, 1, 10);
  const a = new IpHasher("secret");
  const h = await a.hash("203.0.113.77", day);
  assertEquals(await a.hash("203.0.113.5", day + 3_600_000), h);
  notStrictEqual(await a.hash("203.0.113.77", day + 86_400_000), h);
  notStrictEqual(await new IpHasher("other").hash("203.0.113.77", day), h);
  ok(!h.includes("203"));
  assertEquals(await a.hash("", day), "");
});
